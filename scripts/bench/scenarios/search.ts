import type { DataSource } from 'typeorm';
import { RoomBookingsReader } from '../../../src/db/repositories/room-bookings';
import { createRooms, createUsers, cpuSampler, futureBase, type BenchContext } from '../context';
import { progress } from '../stack';
import { summarize, type LatencySummary } from '../stats';

const AMENITIES = ['screen', 'projector', 'whiteboard', 'video_conferencing', 'speakerphone', 'wheelchair_access', 'natural_light', 'standing_desk', 'hdmi', 'coffee_machine'];
/** Per room, booking g starts in [g·7h, g·7h + 3h45) and lasts at most 2h: never overlapping. */
const STRIDE_HOURS = 7;

export interface SearchResult {
  rooms: number;
  bookings: number;
  loadSeconds: number;
  searches: number;
  api: LatencySummary;
  sql: LatencySummary;
  ratioP50: number;
  ratioP99: number;
  apiSamples: number[];
  sqlSamples: number[];
  cache: Record<string, number>;
  nonOk: number;
  serverErrors: number;
  plan: string;
  cpu: Record<string, number>;
}

/** Scenario 4: the availability search over many rooms and bookings, through the API and as its bare SQL. */
export async function availabilitySearch(ctx: BenchContext): Promise<SearchResult> {
  const { searchRooms, searchBookings, searches } = ctx.sizes;
  const perRoom = Math.ceil(searchBookings / searchRooms);
  const buildings = Array.from({ length: 10 }, (_, i) => `bench-search-${ctx.runId}-${i}`);
  progress(`availability search: loading ${searchRooms} rooms and ${perRoom * searchRooms} bookings`);
  const loadStarted = performance.now();
  const rooms: string[] = [];
  for (const [b, building] of buildings.entries()) {
    const n = Math.floor(searchRooms / buildings.length) + (b < searchRooms % buildings.length ? 1 : 0);
    rooms.push(...await createRooms(ctx, n, {
      building,
      capacity: () => 2 + Math.floor(Math.random() * 19),
      amenities: () => AMENITIES.filter(() => Math.random() < 0.3),
    }));
  }
  const [organizer] = await createUsers(ctx, 1, 'search-organizer');
  const base = futureBase(1);
  const batch = Math.max(1, Math.floor(20_000 / perRoom));
  // The first batch is one room, then ANALYZE of the whole database: the insights trigger's
  // statements are planned once per session, and plans made while `bookings` and the insights
  // tables look empty made the quick run's single 5,000-row statement take six minutes.
  for (let i = 0, size = 1, statement = 0; i < rooms.length; i += size, size = batch, statement += 1) {
    // Generated in Postgres: one statement per batch of rooms instead of 200,000 round trips.
    await ctx.db.query(
      `INSERT INTO bookings (id, room_id, organizer_id, title, start_at, end_at, occupied_until, status, workflow_id, version)
       SELECT gen_random_uuid(), r.id, $2, 'bench booking', s.start_at, s.start_at + s.len, s.start_at + s.len,
              s.status, 'bench:' || r.id || ':' || g, 1
       FROM unnest($1::uuid[]) AS r(id)
       CROSS JOIN generate_series(0, $3::int - 1) AS g
       CROSS JOIN LATERAL (
         SELECT $4::timestamptz + g * interval '${STRIDE_HOURS} hours' + floor(random() * 16 + g * 0) * interval '15 minutes' AS start_at,
                (1 + floor(random() * 8 + g * 0)) * interval '15 minutes' AS len,
                (ARRAY['confirmed','confirmed','confirmed','confirmed','confirmed','confirmed','held','checked_in','cancelled','completed'])[1 + floor(random() * 10 + g * 0)::int] AS status
       ) s`,
      [rooms.slice(i, i + size), organizer.id, perRoom, new Date(base)],
    );
    if (i === 0) await ctx.db.query('ANALYZE');
    const loaded = Math.min(rooms.length, i + size) * perRoom;
    if (statement % 5 === 0 || i + size >= rooms.length) progress(`  ${loaded.toLocaleString('en')} bookings loaded`);
  }
  await ctx.db.query('ANALYZE bookings; ANALYZE rooms');
  const loadSeconds = Math.round((performance.now() - loadStarted) / 100) / 10;

  const [searcher] = await createUsers(ctx, 1, 'searcher');
  const spanMs = perRoom * STRIDE_HOURS * 3_600_000;
  const queries = Array.from({ length: searches }, () => {
    const start = base + Math.floor(Math.random() * (spanMs / 900_000)) * 900_000;
    const end = start + (2 + Math.floor(Math.random() * 15)) * 900_000;
    const filters: { capacity?: number; building?: string; amenities?: string[] } = {};
    if (Math.random() < 0.5) filters.capacity = 2 + Math.floor(Math.random() * 15);
    if (Math.random() < 0.3) filters.building = buildings[Math.floor(Math.random() * buildings.length)];
    if (Math.random() < 0.3) filters.amenities = [AMENITIES[Math.floor(Math.random() * AMENITIES.length)]];
    return { from: new Date(start), to: new Date(end), filters };
  });
  // The same statement the API runs, on a bare pg pool: no HTTP, auth, validation, cache or JSON.
  const reader = new RoomBookingsReader({ query: async (sql: string, params: unknown[]) => (await ctx.db.query(sql, params)).rows } as unknown as DataSource);
  const apiSamples: number[] = [];
  const sqlSamples: number[] = [];
  const cache: Record<string, number> = {};
  let nonOk = 0;
  let serverErrors = 0;
  const apiSearch = async (q: (typeof queries)[number]) => {
    const params = new URLSearchParams({ from: q.from.toISOString(), to: q.to.toISOString() });
    if (q.filters.capacity) params.set('capacity', String(q.filters.capacity));
    if (q.filters.building) params.set('building', q.filters.building);
    if (q.filters.amenities) params.set('amenities', q.filters.amenities.join(','));
    const t = performance.now();
    const res = await fetch(`${ctx.apiUrls[0]}/api/v1/availability?${params}`, { headers: { authorization: `Bearer ${searcher.token}` } });
    await res.arrayBuffer();
    const ms = performance.now() - t;
    if (res.status !== 200) {
      nonOk += 1;
      if (res.status >= 500) serverErrors += 1;
    }
    const outcome = res.headers.get('x-availability-cache') ?? 'none';
    cache[outcome] = (cache[outcome] ?? 0) + 1;
    return ms;
  };
  const sqlSearch = async (q: (typeof queries)[number]) => {
    const t = performance.now();
    await reader.freeRooms(q.filters, q.from, q.to, 50);
    return performance.now() - t;
  };
  progress(`  warm-up, then ${searches} searches through the API and ${searches} as raw SQL (interleaved)`);
  for (const q of queries.slice(0, Math.min(50, searches))) { await sqlSearch(q); }
  const sample = cpuSampler(ctx);
  for (const [i, q] of queries.entries()) {
    // Alternate which goes first, so neither always finds the pages the other just read.
    if (i % 2 === 0) { apiSamples.push(await apiSearch(q)); sqlSamples.push(await sqlSearch(q)); } else { sqlSamples.push(await sqlSearch(q)); apiSamples.push(await apiSearch(q)); }
  }
  const cpu = sample();
  const sampleQuery = queries[0];
  const { rows: planRows } = await ctx.db.query(
    `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON)
     SELECT r.id FROM rooms r WHERE r.deleted_at IS NULL AND r.status = 'active' AND NOT EXISTS (
       SELECT 1 FROM bookings b WHERE b.room_id = r.id AND b.status IN ('held', 'pending_approval', 'confirmed', 'checked_in')
         AND tstzrange(b.start_at, b.occupied_until, '[)') && tstzrange($1::timestamptz, $2::timestamptz, '[)'))`,
    [sampleQuery.from, sampleQuery.to],
  );
  const api = summarize(apiSamples);
  const sql = summarize(sqlSamples);
  progress(`  API p50 ${api.p50} ms p99 ${api.p99} ms; SQL p50 ${sql.p50} ms p99 ${sql.p99} ms; cache ${JSON.stringify(cache)}`);
  return {
    rooms: rooms.length,
    bookings: perRoom * rooms.length,
    loadSeconds,
    searches,
    api,
    sql,
    ratioP50: Math.round((api.p50 / sql.p50) * 100) / 100,
    ratioP99: Math.round((api.p99 / sql.p99) * 100) / 100,
    apiSamples,
    sqlSamples,
    cache,
    nonOk,
    serverErrors,
    plan: planRows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'),
    cpu,
  };
}
