import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Client as TemporalClient } from '@temporalio/client';
import type { Pool } from 'pg';
import { signAccessToken } from '../../src/api/auth/jwt';
import { DEFAULT_ROOM_POLICY, type RoomPolicy } from '../../src/shared/booking';
import { cpuSeconds, type Managed } from './stack';

export interface Sizes {
  concurrencies: number[];
  /** Seconds each concurrency level runs (closed loop), after a short warm-up. */
  levelSeconds: number;
  stormRequests: number;
  searchRooms: number;
  searchBookings: number;
  searches: number;
  realtimeClients: number;
  realtimeRooms: number;
  realtimeChanges: number;
  openBookings: number;
  /** Stop creating open bookings after this many minutes, with however many there are then (--open-minutes=M). */
  openMinutes?: number;
  noShows: number;
  /** The insights data set (scenario 8): rooms, days of bookings, and requests measured. */
  insightsRooms: number;
  insightsDays: number;
  insightsRequests: number;
}

export const FULL: Sizes = {
  concurrencies: [1, 8, 32, 64],
  levelSeconds: 10,
  stormRequests: 1000,
  searchRooms: 1000,
  searchBookings: 200_000,
  searches: 1000,
  realtimeClients: 500,
  realtimeRooms: 50,
  realtimeChanges: 200,
  openBookings: 10_000,
  noShows: 200,
  insightsRooms: 1000,
  insightsDays: 365,
  insightsRequests: 240,
};

export const QUICK: Sizes = {
  concurrencies: [1, 8],
  levelSeconds: 1.5,
  stormRequests: 100,
  searchRooms: 100,
  searchBookings: 5_000,
  searches: 100,
  realtimeClients: 40,
  realtimeRooms: 8,
  realtimeChanges: 20,
  openBookings: 100,
  noShows: 10,
  insightsRooms: 20,
  insightsDays: 40,
  insightsRequests: 24,
};

export interface BenchContext {
  quick: boolean;
  sizes: Sizes;
  db: Pool;
  temporal: TemporalClient;
  apiUrls: string[];
  jwtSecret: string;
  taskQueue: string;
  ceilingTaskQueue: string;
  processes: { temporal?: Managed; worker: Managed; apis: Managed[]; ceilingWorker?: Managed; mailedApi?: Managed };
  /** The environment the bench's processes were started with (a scenario may start one more). */
  env: NodeJS.ProcessEnv;
  /** The worker's Prometheus endpoint (its cache size and memory gauges). */
  workerMetricsUrl: string;
  /** An api with MAIL_OWN_HOLDS=true: holds mailed to their callers, as before issue 22 (scenario 2's "before"). */
  mailedApiUrl?: string;
  /** Names run so far get distinct buildings, users and slots. */
  runId: string;
}

export interface BenchUser {
  id: string;
  /** A bearer token, signed again once the previous one is 10 minutes old (they expire after 15). */
  readonly token: string;
}

const TOKEN_RENEW_MS = 10 * 60_000;

/** Long runs outlive an access token: the first 100,000-booking run saw every create answer 401 after 15 minutes. */
function renewingUser(secret: string, id: string): BenchUser {
  let signed = { token: '', at: -Infinity };
  return {
    id,
    get token() {
      if (performance.now() - signed.at > TOKEN_RENEW_MS) signed = { token: signAccessToken(secret, { id, role: 'member' }), at: performance.now() };
      return signed.token;
    },
  };
}

export async function createUsers(ctx: BenchContext, count: number, label: string): Promise<BenchUser[]> {
  const emails = Array.from({ length: count }, (_, i) => `${label}-${i}-${randomUUID().slice(0, 6)}@bench.test`);
  const { rows } = await ctx.db.query<{ id: string }>(
    `INSERT INTO users (email, display_name, timezone, role) SELECT e, split_part(e, '@', 1), 'UTC', 'member' FROM unnest($1::text[]) e RETURNING id`,
    [emails],
  );
  return rows.map((r) => renewingUser(ctx.jwtSecret, r.id));
}

export async function createRooms(
  ctx: BenchContext,
  count: number,
  opts: { building: string; policy?: Partial<RoomPolicy>; capacity?: (i: number) => number; amenities?: (i: number) => string[] },
): Promise<string[]> {
  const policy = JSON.stringify({ ...DEFAULT_ROOM_POLICY, ...opts.policy });
  // Named after their building: a mailbox slug is the name plus six characters of the id, so thousands
  // of rooms called "Room 9" in one database met one another's slug now and then.
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += 1000) {
    const n = Math.min(1000, count - offset);
    const idx = Array.from({ length: n }, (_, i) => offset + i);
    const { rows } = await ctx.db.query<{ id: string }>(
      `INSERT INTO rooms (name, building, floor, capacity, amenities, timezone, policy)
       SELECT $1 || ' room ' || n, $1, (n % 10)::text, cap, string_to_array(am, ','), 'UTC', $2::jsonb
       FROM unnest($3::int[], $4::int[], $5::text[]) AS t(n, cap, am)
       ORDER BY n RETURNING id`,
      [opts.building, policy, idx, idx.map((i) => opts.capacity?.(i) ?? 8), idx.map((i) => (opts.amenities?.(i) ?? []).join(','))],
    );
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

/** Concurrency-bounded map: at most `limit` calls in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }));
  return results;
}

export interface HttpResult {
  status: number;
  ms: number;
  body: any;
  /** performance.now() when the answer was in. */
  at: number;
}

export async function http(url: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<HttpResult> {
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
  } catch (err) {
    // No answer at all (connection refused or reset) counts like a 5xx: the bench must fail on it.
    return { status: 599, ms: performance.now() - started, body: { error: String(err) }, at: performance.now() };
  }
  const text = await res.text();
  const at = performance.now();
  let body: any = text;
  try { body = JSON.parse(text); } catch { /* kept as text */ }
  return { status: res.status, ms: at - started, body, at };
}

/**
 * CPU use of the processes in play while a scenario runs, as % of one core. The bench's own
 * processes by pid; Postgres and Redis by name (every backend: other runs on a shared machine
 * show up there too).
 */
export function cpuSampler(ctx: BenchContext): () => Record<string, number> {
  const named = (): Record<string, number> => {
    const totals: Record<string, number> = {};
    const add = (key: string, pid: number) => { totals[key] = (totals[key] ?? 0) + (cpuSeconds(pid) || 0); };
    if (ctx.processes.temporal) add('temporal', ctx.processes.temporal.pid);
    add('worker', ctx.processes.worker.pid);
    ctx.processes.apis.forEach((a, i) => add(`api${i + 1}`, a.pid));
    if (ctx.processes.ceilingWorker) add('ceiling-worker', ctx.processes.ceilingWorker.pid);
    if (ctx.processes.mailedApi) add('api-mailed', ctx.processes.mailedApi.pid);
    add('bench', process.pid);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let comm = '';
      try { comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim(); } catch { continue; }
      if (comm === 'postgres') add('postgres', Number(entry));
      else if (comm === 'redis-server') add('redis', Number(entry));
    }
    return totals;
  };
  const before = named();
  const t0 = performance.now();
  return () => {
    const after = named();
    const seconds = (performance.now() - t0) / 1000;
    return Object.fromEntries(Object.keys(after).map((k) => [k, Math.max(0, Math.round(((after[k] - (before[k] ?? 0)) / seconds) * 100))]));
  };
}

/** Slot starts on a 15-minute grid, far enough ahead that no timer fires during the run. */
export function slotStart(base: number, index: number, minutes = 15): string {
  return new Date(base + index * minutes * 60_000).toISOString();
}

export function futureBase(daysAhead: number): number {
  const day = 86_400_000;
  return Math.ceil((Date.now() + daysAhead * day) / day) * day;
}
