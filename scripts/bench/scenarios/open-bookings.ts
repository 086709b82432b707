import { createRooms, createUsers, cpuSampler, futureBase, http, mapLimit, type BenchContext } from '../context';
import { loadavg } from 'node:os';
import { describePhases, releasePhases, type ReleasePhases } from '../release-phases';
import { progress, rssMiB } from '../stack';
import { summarize, type LatencySummary } from '../stats';
import { connectClient, subscribe } from './realtime';

/** One sample of memory while the open bookings are created (MiB; the V8 figures are the worker's main thread). */
export interface MemoryPoint {
  open: number;
  seconds: number;
  /** Creates per second since the previous point. */
  rate: number;
  workerRss: number;
  heapUsed?: number;
  heapTotal?: number;
  external?: number;
  /** The worker's sticky cache (temporal_sticky_cache_size). */
  cachedWorkflows?: number;
  temporalRss?: number;
  /** The machine's 1-minute load average: other sessions' work shows here. */
  load: number;
}

export interface OpenBookingsResult extends NoShowResult {
  /** Bookings created (fewer than asked when --open-minutes stopped the creates). */
  openBookings: number;
  asked: number;
  memory: MemoryPoint[];
  createSeconds: number;
  createPerSecond: number;
  createFailures: Record<string, number>;
  running: number | null;
  rss: Record<string, number>;
  rssBefore: Record<string, number>;
  cpuCreate: Record<string, number>;
  /** The worker's workflow cache bound (WORKER_MAX_CACHED_WORKFLOWS; absent: the SDK's heap-sized default). */
  maxCachedWorkflows?: number;
  /** Availability searches through the API over the open bookings' rooms, once they are all created (ms). */
  search: LatencySummary;
  /**
   * The same no-shows measured before any open booking is created: what the machine's capacity
   * alone makes of a rush of releases, to tell it from the cost of evicted workflows.
   */
  idle: NoShowResult;
}

/** A rush of no-shows: one per room, deadlines spread over a few seconds, a 2-second grace. */
export interface NoShowResult {
  noShows: number;
  spreadSeconds: number;
  released: number;
  /** From the check-in deadline to a follower of the room hearing `released` (ms). */
  lateness: LatencySummary;
  latenessSamples: number[];
  /** From the deadline to the workflow task that released it (the row's updated_at; ms). */
  workflowLateness: LatencySummary;
  cpuRelease: Record<string, number>;
  /** Where the time went, from the workflows' histories (absent if they could not be read). */
  phases?: ReleasePhases;
}

const CONCURRENCY = 32;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The no-shows' deadlines are spread over this many seconds: a 9:00 rush, smeared a little. */
const SPREAD_SECONDS = { full: 10, quick: 3 };

function rssNow(ctx: BenchContext): Record<string, number> {
  const rss: Record<string, number> = { worker: rssMiB(ctx.processes.worker.pid) };
  if (ctx.processes.temporal) rss.temporal = rssMiB(ctx.processes.temporal.pid);
  ctx.processes.apis.forEach((a, i) => { rss[`api${i + 1}`] = rssMiB(a.pid); });
  return rss;
}

const MiB = 2 ** 20;

/** RSS from /proc; the worker's heap and cache from its Prometheus endpoint (absent if it does not answer). */
async function memoryPoint(ctx: BenchContext, open: number, seconds: number, rate: number): Promise<MemoryPoint> {
  const point: MemoryPoint = { open, seconds: Math.round(seconds), rate: Math.round(rate * 10) / 10, workerRss: rssMiB(ctx.processes.worker.pid), load: Math.round(loadavg()[0] * 10) / 10 };
  if (ctx.processes.temporal) point.temporalRss = rssMiB(ctx.processes.temporal.pid);
  try {
    const text = await (await fetch(ctx.workerMetricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    const gauge = (pattern: RegExp) => {
      const m = text.match(pattern);
      return m ? Number(m[1]) : undefined;
    };
    const memory = (kind: string) => {
      const v = gauge(new RegExp(`^roombook_worker_memory_bytes\\{[^}]*kind="${kind}"[^}]*\\} (\\S+)`, 'm'));
      return v === undefined ? undefined : Math.round(v / MiB);
    };
    point.heapUsed = memory('heap_used');
    point.heapTotal = memory('heap_total');
    point.external = memory('external');
    point.cachedWorkflows = gauge(/^temporal_sticky_cache_size(?:\{[^}]*\})? (\S+)/m);
  } catch { /* the curve keeps the RSS figures */ }
  return point;
}

const describePoint = (p: MemoryPoint) =>
  `  ${p.open} open, ${p.seconds}s (${p.rate}/s): worker RSS ${p.workerRss} MiB (heap ${p.heapUsed ?? '?'}/${p.heapTotal ?? '?'}, external ${p.external ?? '?'}), cached workflows ${p.cachedWorkflows ?? '?'}, Temporal RSS ${p.temporalRss ?? '–'} MiB; load ${p.load}`;

/**
 * Scenario 6: many future bookings alive as running workflows (timers far ahead), then no-shows
 * with a 2-second grace: how late their release comes while all those workflows are open.
 */
export async function openBookings(ctx: BenchContext): Promise<OpenBookingsResult> {
  const asked = ctx.sizes.openBookings;
  const roomCount = Math.max(1, Math.ceil(asked / 100));
  const rooms = await createRooms(ctx, roomCount, { building: `bench-open-${ctx.runId}` });
  const users = await createUsers(ctx, 50, 'open');
  const base = futureBase(10);
  progress('open bookings: the no-shows first with nothing open, as the baseline');
  const idle = await measureNoShows(ctx, 'none open');
  const rssBefore = rssNow(ctx);
  const budget = ctx.sizes.openMinutes ? ` or ${ctx.sizes.openMinutes} minutes` : '';
  progress(`open bookings: creating ${asked} future bookings through the API (${CONCURRENCY} at a time${budget})`);
  const createFailures: Record<string, number> = {};
  let done = 0;
  // Only 201s count as open; a failed create is in createFailures.
  let created = 0;
  const sample = cpuSampler(ctx);
  const started = performance.now();
  const stopAt = ctx.sizes.openMinutes ? started + ctx.sizes.openMinutes * 60_000 : Infinity;
  // A memory sample every 5,000 creates from 20,000 up (a tenth of the run below), at least once a
  // minute (a loaded machine creates a few a second), and at the end.
  const every = asked >= 20_000 ? 5000 : Math.max(100, Math.floor(asked / 10));
  const memory: MemoryPoint[] = [await memoryPoint(ctx, 0, 0, 0)];
  let last = { created: 0, at: started };
  let recording = false;
  const record = async () => {
    recording = true;
    const now = performance.now();
    const point = await memoryPoint(ctx, created, (now - started) / 1000, ((created - last.created) * 1000) / Math.max(1, now - last.at));
    last = { created, at: now };
    memory.push(point);
    progress(describePoint(point));
    recording = false;
  };
  await mapLimit(Array.from({ length: asked }, (_, i) => i), CONCURRENCY, async (i) => {
    if (performance.now() > stopAt) return;
    // A room's n-th booking is on the n-th day from the base, half an hour between 08:00 and 18:00
    // UTC: 100 rooms' worth of bookings per 100 days, as an office booked three months ahead. (Not
    // 100 back-to-back slots in one day: every write of a booking recomputes its room's day for
    // the insights rollup, so a day of 96 bookings made each create slower than the one before.)
    const room = i % roomCount;
    const slot = Math.floor(i / roomCount);
    const start = base + slot * DAY_MS + (8 + ((room + slot) % 10)) * HOUR_MS;
    const res = await http(`${ctx.apiUrls[i % ctx.apiUrls.length]}/api/v1/bookings`, users[i % users.length].token, {
      method: 'POST',
      body: { roomId: rooms[room], start: new Date(start).toISOString(), end: new Date(start + 1_800_000).toISOString(), title: `open ${i}` },
    });
    if (res.status === 201) created += 1;
    else {
      const key = `${res.status} ${res.body?.error?.code ?? ''}`.trim();
      createFailures[key] = (createFailures[key] ?? 0) + 1;
    }
    done += 1;
    if (!recording && (done % every === 0 || performance.now() - last.at >= 60_000)) await record();
  });
  const n = created;
  if (done < asked) progress(`  stopped after ${ctx.sizes.openMinutes} minutes with ${n} of ${asked} created`);
  const createSeconds = Math.round((performance.now() - started) / 100) / 10;
  const cpuCreate = sample();
  // Let the background work of the creates (events, mail) drain before measuring memory.
  await new Promise((r) => setTimeout(r, ctx.quick ? 1000 : 5000));
  const rss = rssNow(ctx);
  if (memory[memory.length - 1].open !== n) await record();
  let running: number | null = null;
  try {
    running = (await ctx.temporal.workflow.count(`WorkflowType = 'bookingWorkflow' AND ExecutionStatus = 'Running'`)).count;
  } catch { /* visibility counts are a nicety */ }
  progress(`  ${n} created in ${createSeconds}s; running booking workflows ${running}; RSS MiB ${JSON.stringify(rss)}`);

  // The availability search while every one of those workflows is open (most evicted from the cache).
  const searchSamples: number[] = [];
  const searches = ctx.quick ? 20 : 200;
  await mapLimit(Array.from({ length: searches }, (_, i) => i), 8, async (i) => {
    const from = new Date(base + (i % 100) * DAY_MS + (8 + (i % 10)) * HOUR_MS).toISOString();
    const to = new Date(base + (i % 100) * DAY_MS + (9 + (i % 10)) * HOUR_MS).toISOString();
    const res = await http(`${ctx.apiUrls[i % ctx.apiUrls.length]}/api/v1/availability?from=${from}&to=${to}&building=bench-open-${ctx.runId}`, users[0].token);
    if (res.status === 200) searchSamples.push(res.ms);
    else createFailures[`search ${res.status}`] = (createFailures[`search ${res.status}`] ?? 0) + 1;
  });
  const search = summarize(searchSamples);
  progress(`  availability search over ${roomCount} rooms: p50 ${search.p50} ms p99 ${search.p99} ms`);

  const noShows = await measureNoShows(ctx, 'with all open');
  return {
    openBookings: n, asked, memory, createSeconds, createPerSecond: Math.round((n / createSeconds) * 10) / 10, createFailures, running, rss, rssBefore,
    ...noShows, cpuCreate, search, idle,
    ...(process.env.WORKER_MAX_CACHED_WORKFLOWS ? { maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS) } : {}),
  };
}

/** Books `ctx.sizes.noShows` meetings nobody checks into and times how late each is heard released. */
async function measureNoShows(ctx: BenchContext, label: string): Promise<NoShowResult> {
  const noShowRooms = await createRooms(ctx, ctx.sizes.noShows, {
    building: `bench-noshow-${ctx.runId}-${label.replace(/\W+/g, '-')}`,
    policy: { slotGranularitySeconds: 1, checkInGraceSeconds: 2, checkInOpensBeforeSeconds: 60, reminderLeadSeconds: 60, maxDurationSeconds: 3600 },
  });
  const watcher = (await createUsers(ctx, 1, 'noshow-watcher'))[0];
  const organizers = await createUsers(ctx, 10, 'noshow');
  const releasedAt = new Map<string, number>();
  const sockets = [];
  // 50 rooms a connection: the server allows at most 100 subscriptions on one.
  for (let i = 0; i < noShowRooms.length; i += 50) {
    const socket = await connectClient(ctx.apiUrls[sockets.length % ctx.apiUrls.length], watcher.token);
    socket.on('booking.updated', (event: { booking: { id: string; status: string } }) => {
      if (event.booking.status === 'released' && !releasedAt.has(event.booking.id)) releasedAt.set(event.booking.id, Date.now());
    });
    for (const room of noShowRooms.slice(i, i + 50)) await subscribe(socket, room);
    sockets.push(socket);
  }
  try {
    // Enough lead for 200 creates on a loaded machine (15 s was too little at a load average of 18).
    const leadSeconds = ctx.quick ? 6 : 60;
    const spread = ctx.quick ? SPREAD_SECONDS.quick : SPREAD_SECONDS.full;
    const first = Math.ceil(Date.now() / 1000) * 1000 + leadSeconds * 1000;
    progress(`  ${label}: ${ctx.sizes.noShows} no-shows with a 2 s grace, deadlines within ${spread} s from ${new Date(first + 2000).toISOString()}`);
    const deadlines = new Map<string, number>();
    await mapLimit(noShowRooms, 16, async (roomId, i) => {
      const start = first + (i % spread) * 1000;
      const res = await http(`${ctx.apiUrls[0]}/api/v1/bookings`, organizers[i % organizers.length].token, {
        method: 'POST',
        body: { roomId, start: new Date(start).toISOString(), end: new Date(start + 1_800_000).toISOString(), title: `no-show ${i}` },
      });
      if (res.status === 201) deadlines.set(res.body.id, Date.parse(res.body.checkInDeadline));
      else progress(`  no-show create failed: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    });
    if (Date.now() > first) progress('  warning: creating the no-shows took longer than their lead time');
    const sampleRelease = cpuSampler(ctx);
    const lastDeadline = Math.max(...deadlines.values());
    while (Date.now() < lastDeadline + 15_000 && [...deadlines.keys()].some((id) => !releasedAt.has(id))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpuRelease = sampleRelease();
    const latenessSamples = [...deadlines].filter(([id]) => releasedAt.has(id)).map(([id, deadline]) => releasedAt.get(id)! - deadline);
    const { rows } = await ctx.db.query<{ ms: number; workflow_id: string; deadline: Date }>(
      `SELECT extract(epoch FROM (updated_at - check_in_deadline)) * 1000 AS ms, workflow_id, check_in_deadline AS deadline
         FROM bookings WHERE id = ANY($1) AND status = 'released'`,
      [[...deadlines.keys()]],
    );
    const lateness = summarize(latenessSamples);
    progress(`  ${label}: released ${latenessSamples.length}/${deadlines.size}; lateness p50 ${lateness.p50} ms p99 ${lateness.p99} ms`);
    let phases: ReleasePhases | undefined;
    try {
      phases = await releasePhases(ctx.temporal, new Map(rows.map((r) => [r.workflow_id, r.deadline.getTime()])));
      progress(`  ${label}: ${describePhases(phases)}`);
    } catch (err) {
      progress(`  ${label}: the histories could not be read (${err instanceof Error ? err.message : String(err)}); the phases are left out`);
    }
    return {
      noShows: deadlines.size, spreadSeconds: spread, released: latenessSamples.length, lateness, latenessSamples,
      workflowLateness: summarize(rows.map((r) => Number(r.ms))), cpuRelease, ...(phases ? { phases } : {}),
    };
  } finally {
    for (const s of sockets) s.disconnect();
  }
}
