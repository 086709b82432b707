import type { DataSource } from 'typeorm';
import { roomStatusAt, type RoomStatusView } from '../domain/room-status';
import { currentRoomStatusVersion, loadRoomStatusInputs } from '../db/repositories/room-status';

export interface VersionedRoomStatus extends RoomStatusView {
  /** The version of the last room.status event published for the room: apply only events with a higher one. */
  version: number;
}

/**
 * The room's status now, for REST and for the answer to room:subscribe. The version is read
 * before the bookings: a change published after this read carries a higher version, so a client
 * that applies only higher versions never goes back to an older state.
 */
export async function readRoomStatus(
  db: DataSource,
  roomId: string,
  at = Date.now(),
): Promise<VersionedRoomStatus | undefined> {
  const version = await currentRoomStatusVersion(db, roomId);
  const inputs = await loadRoomStatusInputs(db, roomId, at);
  if (!inputs) return undefined;
  return { version, ...roomStatusAt(inputs.room, inputs.bookings, at) };
}
