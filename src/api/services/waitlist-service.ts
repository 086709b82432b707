import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import {
  cancelWaitlistEntry,
  expirePassedWaitlistEntries,
  findWaitlistEntry,
  insertWaitlistEntry,
  listWaitlistEntriesOf,
  roomsOfBuilding,
} from '../../db/repositories/waitlist';
import { tellWaitlist } from '../../infra/waitlist-signal';
import { assertCanActInRoom } from '../../domain/booking-access';
import { AppError, conflict, forbidden, notFound, policyViolation } from '../../domain/errors';
import type { Principal } from '../../domain/principal';
import { publicEntry, roomFits, type WaitlistEntry } from '../../domain/waitlist';
import { toAppError } from '../../infra/temporal-errors';
import type { IdempotencyClaim } from './idempotency';
import type { BookingService } from './booking-service';
import { getRoom } from './room-catalog';

export interface JoinWaitlistRequest {
  roomId?: string;
  building?: string;
  capacity?: number;
  amenities?: string[];
  start: string;
  end: string;
}

interface ServiceDeps {
  config: Config;
  dataSource: DataSource;
  temporal: Client;
}

/** The API's side of the waitlist: entries in the database, offers made by each room's waitlist workflow. */
export class WaitlistService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly bookings: BookingService,
  ) {}

  async join(principal: Principal, request: JoinWaitlistRequest, claim: IdempotencyClaim): Promise<WaitlistEntry> {
    if (principal.kind !== 'user') throw forbidden('Only people wait for rooms.');
    const start = Date.parse(request.start);
    if (start <= claim.claimedAt.getTime()) throw policyViolation('The start is already past: nothing to wait for.');
    const roomIds = await this.roomsFor(principal, request);
    const entry = await insertWaitlistEntry(this.deps.dataSource, {
      id: claim.resourceId,
      userId: principal.userId,
      ...(request.roomId ? { roomId: request.roomId } : {}),
      ...(request.building ? { building: request.building } : {}),
      ...(request.capacity !== undefined ? { capacity: request.capacity } : {}),
      amenities: request.amenities ?? [],
      start: new Date(start).toISOString(),
      end: new Date(Date.parse(request.end)).toISOString(),
    });
    await this.tellRooms(roomIds, entry);
    return publicEntry(entry);
  }

  /** A replayed join: the entry the first attempt made, and its rooms told again (the first attempt may have stopped before). */
  async made(principal: Principal, id: string): Promise<WaitlistEntry | undefined> {
    const entry = await findWaitlistEntry(this.deps.dataSource, id);
    if (!entry || principal.kind !== 'user' || entry.userId !== principal.userId) return undefined;
    if (entry.status === 'waiting') await this.tellRooms(await this.roomsFor(principal, entry), entry);
    return publicEntry(entry);
  }

  async mine(principal: Principal): Promise<WaitlistEntry[]> {
    if (principal.kind !== 'user') throw forbidden('Only people wait for rooms.');
    // Entries whose start passed while they waited read as what they are: expired.
    await expirePassedWaitlistEntries(this.deps.dataSource, principal.userId);
    return (await listWaitlistEntriesOf(this.deps.dataSource, principal.userId)).map(publicEntry);
  }

  /** Leaves the waitlist; an offer's hold goes with it, and so to the next waiter. */
  async leave(principal: Principal, id: string): Promise<void> {
    if (principal.kind !== 'user') throw forbidden('Only people wait for rooms.');
    const before = await cancelWaitlistEntry(this.deps.dataSource, id, principal.userId);
    if (!before) {
      const entry = await findWaitlistEntry(this.deps.dataSource, id);
      if (!entry || entry.userId !== principal.userId) throw notFound('Waitlist entry');
      throw conflict('WAITLIST_ENTRY_CLOSED', `This entry is already ${entry.status}.`);
    }
    if (before.status !== 'offered' || !before.offer) return;
    try {
      await this.bookings.act(principal, before.offer.bookingId, 'cancel', { reason: 'Left the waitlist' });
    } catch (err) {
      // The hold already ended (expired a moment ago): nothing left to release.
      if (!(err instanceof AppError && (err.code === 'INVALID_STATE' || err.status === 404))) throw err;
    }
  }

  /** The rooms the entry waits for (one, or the fitting rooms of a building); refuses what cannot be waited for. */
  private async roomsFor(principal: Principal, request: JoinWaitlistRequest): Promise<string[]> {
    if (request.roomId) {
      const room = await getRoom(this.deps, request.roomId);
      assertCanActInRoom(principal, room.id);
      return [room.id];
    }
    const target = { amenities: request.amenities ?? [], building: request.building, capacity: request.capacity };
    const rooms = (await roomsOfBuilding(this.deps.dataSource, request.building ?? '')).filter((r) =>
      roomFits(target, r),
    );
    if (rooms.length === 0)
      throw new AppError(422, 'NO_FITTING_ROOM', `No room in building ${request.building} fits this request.`);
    return rooms.map((r) => r.id);
  }

  /**
   * A waiter joining may meet a slot that is free already (freed while they were joining): each
   * room's waitlist workflow looks at the interval, as it would for a free.
   */
  private async tellRooms(roomIds: string[], entry: WaitlistEntry): Promise<void> {
    try {
      for (const roomId of roomIds) {
        await tellWaitlist(this.deps.temporal, this.deps.config.temporal.taskQueue, roomId, {
          start: entry.start,
          end: entry.end,
          reason: `entry ${entry.id} joined`,
        });
      }
    } catch (err) {
      throw toAppError(err);
    }
  }
}
