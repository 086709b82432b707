import { randomUUID } from 'node:crypto';
import type { BookingStatus } from '../../src/shared/booking';

/** How a response counts: an answer the contract allows, or none (the connection closed without one). */
export type Outcome = { kind: 'answer'; status: number; body: any } | { kind: 'no-answer'; error: string };

/** An api process as the load's client-side balancer sees it: its URL, and a count of its deaths. */
export interface ApiTarget {
  url: string;
  up: boolean;
  /** Grows each time the run kills it: a request in flight across a kill may lose its connection. */
  kills: number;
}

/** Every answer and lost connection, counted by class, with the ones that break the contract kept. */
export class AnswerLog {
  readonly byStatus = new Map<string, number>();
  readonly violations: string[] = [];
  /** Connections lost because the run killed the api serving them (the balancer tries the other). */
  lostToKilledApi = 0;

  record(what: string, outcome: Outcome, apiWasKilled: boolean): void {
    if (outcome.kind === 'no-answer') {
      if (apiWasKilled) {
        this.lostToKilledApi += 1;
        return;
      }
      this.count('no answer');
      this.violations.push(`${what}: connection closed with no answer (${outcome.error})`);
      return;
    }
    const { status } = outcome;
    this.count(String(status));
    if (!((status >= 200 && status < 300) || (status >= 400 && status < 500) || status === 503))
      this.violations.push(`${what}: answered ${status} ${JSON.stringify(outcome.body).slice(0, 300)}`);
  }

  private count(key: string): void {
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
  }
}

/** What a booking may be now: the state of its last acknowledged change, anything its timers lead to, and any unacknowledged change. */
export interface TrackedBooking {
  id: string;
  roomId: string;
  organizer: string;
  possibleStatuses: Set<BookingStatus>;
  possibleStarts: Set<string>;
  start: string;
  end: string;
  status: BookingStatus;
  /** Its room requires check-in and it starts within the run: a no-show candidate. */
  soon: boolean;
  /** A change was sent without a definite answer: it may have happened, in part (its row, not its mail). */
  uncertain?: boolean;
}

// What timers alone can do to a booking of the chaos rooms (check-in required, no approval).
const LATER: Partial<Record<BookingStatus, BookingStatus[]>> = {
  held: ['expired'],
  pending_approval: ['expired'],
  confirmed: ['released'],
  checked_in: ['completed'],
};

export function reachable(status: BookingStatus): BookingStatus[] {
  const out = new Set<BookingStatus>([status]);
  for (const s of [...out]) for (const next of LATER[s] ?? []) out.add(next);
  for (const s of [...out]) for (const next of LATER[s] ?? []) out.add(next);
  return [...out];
}

export class Client {
  private next = 0;

  constructor(
    readonly apis: ApiTarget[],
    readonly answers: AnswerLog,
  ) {}

  /** One request through one api that is up (round robin, as a balancer that health-checks would). */
  async send(
    what: string,
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Outcome> {
    const live = this.apis.filter((a) => a.up);
    const api = (live.length ? live : this.apis)[this.next++ % Math.max(1, live.length || this.apis.length)];
    const kills = api.kills;
    let outcome: Outcome;
    try {
      const res = await fetch(`${api.url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // kept as text
      }
      outcome = { kind: 'answer', status: res.status, body: parsed };
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      outcome = { kind: 'no-answer', error: cause?.code ?? cause?.message ?? String(err) };
    }
    this.answers.record(`${method} ${path}`, outcome, api.kills !== kills || !api.up);
    return outcome;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LoadUser {
  id: string;
  token: string;
}

export interface LoadCounts {
  creates: number;
  holds: number;
  confirms: number;
  cancels: number;
  moves: number;
  checkIns: number;
  refused: number;
  unacknowledged: number;
}

/**
 * The mixed load: creates (some starting within seconds, left to be released as no-shows, some
 * checked in), holds (some confirmed, the rest left to expire), cancels and moves. Creates carry an
 * Idempotency-Key and are sent again until they get a definite answer; other changes are sent
 * once, and one without a definite answer widens what the booking may be.
 */
export class Load {
  readonly bookings = new Map<string, TrackedBooking>();
  readonly counts: LoadCounts = {
    creates: 0,
    holds: 0,
    confirms: 0,
    cancels: 0,
    moves: 0,
    checkIns: 0,
    refused: 0,
    unacknowledged: 0,
  };
  private running = false;
  private actors: Promise<void>[] = [];
  private readonly farBase: number;

  constructor(
    private readonly client: Client,
    private readonly users: LoadUser[],
    private readonly rooms: string[],
    private readonly pauseMs: number,
  ) {
    const day = 86_400_000;
    this.farBase = Math.ceil((Date.now() + 2 * day) / day) * day;
  }

  start(actors: number): void {
    this.running = true;
    this.actors = Array.from({ length: actors }, (_, i) => this.actor(i));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.actors);
  }

  private pick<T>(items: T[]): T | undefined {
    return items.length ? items[Math.floor(Math.random() * items.length)] : undefined;
  }

  private farSlot(): { start: string; end: string } {
    const start = this.farBase + Math.floor(Math.random() * 24 * 60) * 10 * 60_000;
    return { start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString() };
  }

  private soonSlot(): { start: string; end: string } {
    const start = Math.ceil(Date.now() / 1000) * 1000 + (25 + Math.floor(Math.random() * 20)) * 1000;
    return { start: new Date(start).toISOString(), end: new Date(start + 30_000).toISOString() };
  }

  private async actor(index: number): Promise<void> {
    const user = this.users[index % this.users.length];
    while (this.running) {
      const roll = Math.random();
      try {
        if (roll < 0.25) await this.create(user, this.soonSlot(), 'book', true);
        else if (roll < 0.45) await this.create(user, this.farSlot(), 'book', false);
        else if (roll < 0.6) await this.holdThenMaybeConfirm(user);
        else if (roll < 0.7) await this.cancel(user);
        else if (roll < 0.85) await this.move(user);
        else await this.checkIn(user);
      } catch (err) {
        console.error(`[chaos] actor ${index}: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(this.pauseMs * (0.5 + Math.random()));
    }
  }

  /** Sent again with the same key until the answer is definite (2xx or 4xx), as a client with retries would. */
  private async create(
    user: LoadUser,
    slot: { start: string; end: string },
    mode: 'book' | 'hold',
    soon: boolean,
  ): Promise<TrackedBooking | undefined> {
    const roomId = this.pick(this.rooms)!;
    const key = randomUUID();
    const body = { roomId, ...slot, title: `Chaos ${key.slice(0, 6)}`, mode };
    const until = Date.now() + 180_000;
    for (;;) {
      const outcome = await this.client.send('create', user.token, 'POST', '/bookings', body, {
        'Idempotency-Key': key,
      });
      if (outcome.kind === 'answer' && outcome.status >= 200 && outcome.status < 300) {
        const b = outcome.body;
        const tracked: TrackedBooking = {
          id: b.id,
          roomId,
          organizer: user.id,
          possibleStatuses: new Set(reachable(b.status)),
          possibleStarts: new Set([b.start]),
          start: b.start,
          end: b.end,
          status: b.status,
          soon,
        };
        this.bookings.set(b.id, tracked);
        if (mode === 'hold') this.counts.holds += 1;
        else this.counts.creates += 1;
        return tracked;
      }
      if (outcome.kind === 'answer' && outcome.status >= 400 && outcome.status < 500) {
        this.counts.refused += 1;
        return undefined;
      }
      if (Date.now() > until) {
        this.counts.unacknowledged += 1;
        return undefined;
      }
      await sleep(500);
    }
  }

  private async holdThenMaybeConfirm(user: LoadUser): Promise<void> {
    const held = await this.create(user, this.farSlot(), 'hold', false);
    if (!held || Math.random() < 0.4) return;
    await sleep(200);
    await this.change(user, held, 'confirm', 'POST', `/bookings/${held.id}/confirm`, {}, 'confirmed');
  }

  private mine(user: LoadUser, ok: (b: TrackedBooking) => boolean): TrackedBooking | undefined {
    return this.pick([...this.bookings.values()].filter((b) => b.organizer === user.id && ok(b)));
  }

  private async cancel(user: LoadUser): Promise<void> {
    const b = this.mine(user, (x) => ['held', 'confirmed'].includes(x.status) && !x.soon);
    if (b) await this.change(user, b, 'cancel', 'POST', `/bookings/${b.id}/cancel`, { reason: 'chaos' }, 'cancelled');
  }

  private async move(user: LoadUser): Promise<void> {
    const b = this.mine(user, (x) => x.status === 'confirmed' && !x.soon);
    if (!b) return;
    const slot = this.farSlot();
    await this.change(user, b, 'move', 'PATCH', `/bookings/${b.id}`, slot, 'confirmed', slot.start);
  }

  private async checkIn(user: LoadUser): Promise<void> {
    const now = Date.now();
    const b = this.mine(
      user,
      (x) => x.soon && x.status === 'confirmed' && Date.parse(x.start) - 15_000 < now && now < Date.parse(x.start),
    );
    if (b) await this.change(user, b, 'checkIns', 'POST', `/bookings/${b.id}/check-in`, {}, 'checked_in');
  }

  private async change(
    user: LoadUser,
    b: TrackedBooking,
    counter: 'confirm' | 'cancel' | 'move' | 'checkIns',
    method: string,
    path: string,
    body: unknown,
    target: BookingStatus,
    newStart?: string,
  ): Promise<void> {
    const outcome = await this.client.send(counter, user.token, method, path, body);
    if (outcome.kind === 'answer' && outcome.status >= 200 && outcome.status < 300) {
      const v = outcome.body;
      b.status = v.status;
      b.start = v.start;
      b.end = v.end;
      b.possibleStatuses = new Set(reachable(v.status));
      b.possibleStarts = new Set([v.start]);
      const key =
        counter === 'confirm'
          ? 'confirms'
          : counter === 'cancel'
            ? 'cancels'
            : counter === 'move'
              ? 'moves'
              : 'checkIns';
      this.counts[key] += 1;
      return;
    }
    if (outcome.kind === 'answer' && outcome.status >= 400 && outcome.status < 500) {
      // Refused, nothing changed; a 409 means a timer moved it on (expired, released) or it closed.
      this.counts.refused += 1;
      return;
    }
    // No definite answer: the change may or may not have happened.
    this.counts.unacknowledged += 1;
    b.uncertain = true;
    for (const s of reachable(target)) b.possibleStatuses.add(s);
    if (newStart) b.possibleStarts.add(new Date(newStart).toISOString());
  }
}
