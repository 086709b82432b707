import { io, type Socket } from 'socket.io-client';

/**
 * A realtime follower, as a room display is: connected to one api, subscribed to rooms, keeping
 * each room's newest status (by version). It reconnects on its own and subscribes again, taking
 * the status the subscription answers with, so it catches up on what it missed while cut off.
 */
export class Follower {
  readonly statuses = new Map<string, { status: string; version: number }>();
  reconnects = 0;
  private readonly socket: Socket;

  constructor(
    readonly name: string,
    url: string,
    token: string,
    private readonly rooms: string[],
  ) {
    this.socket = io(url, {
      auth: { token },
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 250,
      reconnectionDelayMax: 1000,
    });
    this.socket.on('connect', () => {
      this.reconnects += 1;
      void this.subscribeAll();
    });
    this.socket.on('room.status', (payload: { roomId: string; status: string; version: number }) =>
      this.apply(payload.roomId, payload),
    );
  }

  private apply(roomId: string, s: { status: string; version: number }): void {
    const current = this.statuses.get(roomId);
    if (!current || s.version > current.version) this.statuses.set(roomId, { status: s.status, version: s.version });
  }

  private async subscribeAll(): Promise<void> {
    for (const roomId of this.rooms) {
      // An ack that never comes (the api died, Redis is down) is retried at the next connect.
      const ack = await this.socket
        .timeout(5000)
        .emitWithAck('room:subscribe', { roomId })
        .catch(() => undefined);
      if (ack?.ok) this.apply(roomId, ack.status);
    }
  }

  /** Subscribes again on the same connection: what a display does when its api had an outage behind it. */
  resync(): Promise<void> {
    return this.subscribeAll();
  }

  close(): void {
    this.socket.close();
  }
}
