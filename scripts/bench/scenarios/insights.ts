import { loadavg } from 'node:os';
import { Pool } from 'pg';
import { signAccessToken } from '../../../src/api/auth/jwt';
import { cpuSampler, type BenchContext } from '../context';
import { ensureInsightsDataSet } from '../insights-data';
import { freePort, progress, spawnNode, stopProcess, waitFor } from '../stack';
import { summarize, type LatencySummary } from '../stats';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface InsightsShapeResult {
  shape: string;
  requests: number;
  latency: LatencySummary;
  samples: number[];
}

export interface InsightsResult {
  rooms: number;
  days: number;
  bookings: number;
  events: number;
  /** 0 when the data set was already there. */
  loadSeconds: number;
  database: string;
  shapes: InsightsShapeResult[];
  /** Answers that were not 200, or whose rooms or CSV rows were not the scope's. */
  wrongAnswers: string[];
  serverErrors: number;
  loadAverage: { before: number[]; after: number[] };
  cpu: Record<string, number>;
}

interface Shape {
  name: string;
  /** The query string for request i (buildings and rooms rotate). */
  query: (i: number) => string;
  csv: boolean;
  /** How many rooms the answer must list. */
  rooms: (i: number) => number;
}

/**
 * Scenario 8 (issue 21): `GET /insights/rooms` over a year of bookings in many rooms, through an
 * api process of its own on the insights data set (scripts/bench/insights-data.ts, made or reused
 * in its own database). The query shapes take turns, one request at a time, after a warm-up.
 */
export async function insights(ctx: BenchContext): Promise<InsightsResult> {
  const { insightsRooms: rooms, insightsDays: days, insightsRequests: requests } = ctx.sizes;
  const databaseUrl = insightsDatabaseUrl(ctx.env.DATABASE_URL ?? '');
  const data = await ensureInsightsDataSet(databaseUrl, { rooms, days }, progress);

  const db = new Pool({ connectionString: databaseUrl, max: 2 });
  const [staff] = (
    await db.query<{ id: string }>(
      `INSERT INTO users (email, display_name, timezone, role) VALUES ('insights-staff@bench.test', 'insights staff', 'UTC', 'facility_manager')
       ON CONFLICT (email) DO UPDATE SET role = 'facility_manager' RETURNING id`,
    )
  ).rows;
  const roomRows = (
    await db.query<{ id: string; building: string }>('SELECT id, building FROM rooms WHERE deleted_at IS NULL ORDER BY name')
  ).rows;
  await db.end();
  const perBuilding = new Map<string, number>();
  for (const r of roomRows) perBuilding.set(r.building, (perBuilding.get(r.building) ?? 0) + 1);
  const buildings = [...perBuilding.keys()];
  const token = signAccessToken(ctx.jwtSecret, { id: staff.id, role: 'facility_manager' });

  const to = data.anchor.getTime();
  const window = (length: number, earlier = 0) =>
    `from=${new Date(to - length * DAY_MS - earlier).toISOString()}&to=${new Date(to - earlier).toISOString()}`;
  const year = window(Math.min(days, 365));
  const shapes: Shape[] = [
    { name: 'year, all rooms', query: () => year, csv: false, rooms: () => roomRows.length },
    {
      name: 'year, one building',
      query: (i) => `${year}&building=${encodeURIComponent(buildings[i % buildings.length])}`,
      csv: false,
      rooms: (i) => perBuilding.get(buildings[i % buildings.length]) ?? 0,
    },
    { name: 'year, one room', query: (i) => `${year}&roomId=${roomRows[(i * 37) % roomRows.length].id}`, csv: false, rooms: () => 1 },
    { name: '30 days, all rooms', query: () => window(30), csv: false, rooms: () => roomRows.length },
    { name: 'year, all rooms, CSV', query: () => `${year}&format=csv`, csv: true, rooms: () => roomRows.length },
    // Midnight in Berlin (UTC+1 in winter): partial first and last UTC days, computed from the rows.
    { name: 'year, all rooms, 23:00 UTC', query: () => window(Math.min(days, 365), HOUR_MS), csv: false, rooms: () => roomRows.length },
  ];

  const port = await freePort();
  const api = spawnNode('api-insights', 'src/api/server.ts', { ...ctx.env, DATABASE_URL: databaseUrl, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`the insights api at ${base}`, async () => (await fetch(`${base}/ready`)).status === 200, 90);
    const wrongAnswers: string[] = [];
    let serverErrors = 0;
    const ask = async (shape: Shape, i: number): Promise<number> => {
      const started = performance.now();
      const res = await fetch(`${base}/api/v1/insights/rooms?${shape.query(i)}`, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.text();
      const ms = performance.now() - started;
      if (res.status >= 500) serverErrors += 1;
      const listed = res.status !== 200 ? -1 : shape.csv ? body.trim().split('\n').length - 1 : (JSON.parse(body) as { rooms: unknown[] }).rooms.length;
      if (listed !== shape.rooms(i)) wrongAnswers.push(`${shape.name} #${i}: ${res.status}, ${listed} rooms instead of ${shape.rooms(i)}`);
      return ms;
    };
    progress(`insights: warm-up, then ${requests} requests in ${shapes.length} shapes, one at a time`);
    for (const shape of shapes) await ask(shape, 0);
    const samples = new Map(shapes.map((s) => [s.name, [] as number[]]));
    const before = loadavg();
    const sample = cpuSampler(ctx);
    for (let i = 0; i < requests; i++) {
      const shape = shapes[i % shapes.length];
      samples.get(shape.name)?.push(await ask(shape, Math.floor(i / shapes.length)));
      if ((i + 1) % 25 === 0 || i + 1 === requests) {
        const all = [...samples.values()].flat();
        progress(`  ${i + 1}/${requests} requests, p95 so far ${summarize(all).p95} ms, load average ${loadavg()[0].toFixed(1)}`);
      }
    }
    const cpu = sample();
    const results = shapes.map((s) => {
      const taken = samples.get(s.name) ?? [];
      return { shape: s.name, requests: taken.length, latency: summarize(taken), samples: taken };
    });
    for (const r of results) progress(`  ${r.shape}: p50 ${r.latency.p50} ms, p95 ${r.latency.p95} ms, p99 ${r.latency.p99} ms`);
    return {
      rooms,
      days,
      bookings: data.bookings,
      events: data.events,
      loadSeconds: data.loadSeconds,
      database: new URL(databaseUrl).pathname.slice(1),
      shapes: results,
      wrongAnswers,
      serverErrors,
      loadAverage: { before, after: loadavg() },
      cpu,
    };
  } finally {
    await stopProcess(api);
  }
}

/**
 * The data set's database: BENCH_INSIGHTS_DATABASE_URL, or roombook_insights_bench beside the
 * bench's own. It is kept between runs (a year of 1,000 rooms takes minutes to make), never
 * dropped, so it is not the bench database, which every run recreates.
 */
export function insightsDatabaseUrl(benchDatabaseUrl: string): string {
  const url = new URL(process.env.BENCH_INSIGHTS_DATABASE_URL ?? benchDatabaseUrl);
  if (!process.env.BENCH_INSIGHTS_DATABASE_URL) url.pathname = '/roombook_insights_bench';
  if (!/bench/.test(url.pathname)) throw new Error('BENCH_INSIGHTS_DATABASE_URL must name a database with "bench" in its name: the bench empties it.');
  return url.toString();
}
