import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dropDatabase } from '../../src/db/data-source';

const ROOT = join(__dirname, '..', '..');

/** Runs the bench with `args` in a work directory and database of its own; returns its exit code, output and results. */
async function runBench(name: string, args: string[]) {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const workDir = join(ROOT, '.data', `bench-test-${id}`);
  const database = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  database.pathname = `/roombook_bench_test_${name}_${id}`;
  cleanups.push(async () => {
    // The bench's own database, with --temporal=postgres the Temporal server's two, and the insights data set's.
    for (const suffix of ['', '_temporal', '_temporal_visibility', '_insights']) {
      const url = new URL(database.toString());
      url.pathname += suffix;
      await dropDatabase(url.toString()).catch(() => undefined);
    }
    rmSync(workDir, { recursive: true, force: true });
  });
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/run.ts', ...args], {
      cwd: ROOT,
      // The bench starts its own stack: not the test run's Temporal server, nor its database.
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: '',
        BENCH_DATABASE_URL: database.toString(),
        BENCH_INSIGHTS_DATABASE_URL: `${database.toString()}_insights`,
        BENCH_WORK_DIR: workDir,
        BENCH_RESULTS_DIR: join(workDir, 'results'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => output.push(String(chunk)));
    child.stderr.on('data', (chunk) => output.push(String(chunk)));
    child.on('exit', (exitCode) => resolve(exitCode));
  });
  const log = output.join('');
  const resultsDir = join(workDir, 'results');
  const jsonFile = existsSync(resultsDir) ? readdirSync(resultsDir).find((f) => f.endsWith('.json')) : undefined;
  return {
    exit: { code, tail: code === 0 ? '' : log.slice(-4000) },
    results: jsonFile ? JSON.parse(readFileSync(join(resultsDir, jsonFile), 'utf8')) : undefined,
    markdownWritten: jsonFile !== undefined && existsSync(join(resultsDir, jsonFile.replace('.json', '.md'))),
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/**
 * `npm run bench -- --quick` once, end to end: it must finish and find nothing wrong. Timings are
 * the bench's to print, never this test's to assert.
 */
describe('the quick benchmark', () => {
  it('when run with --quick, then every scenario reports and no correctness check fails', async () => {
    const { exit, results, markdownWritten } = await runBench('dev', ['--quick']);
    expect(exit).toEqual({ code: 0, tail: '' });
    expect(results).toBeDefined();
    // Where the quick run's time went, in the test's output: the suite's longest file.
    console.log(`quick bench seconds: ${JSON.stringify(results.seconds)}`);
    expect(results.temporalStore).toBe('memory');
    expect(Object.keys(results.scenarios).sort()).toEqual(['ceiling', 'holds', 'holdsMailed', 'insights', 'open', 'realtime', 'search', 'storm']);
    expect(results.failures).toEqual([]);
    const { storm, realtime, open, holds, holdsMailed, search, insights } = results.scenarios;
    expect(storm.serverErrors).toBe(0);
    expect(storm.overlaps).toBe(0);
    expect(storm.created).toBeGreaterThan(0);
    // Each create is booked, refused for the slot, or (an overloaded machine) answered 503 and not booked.
    expect(storm.created + storm.conflicts + storm.unavailable).toBe(storm.requests);
    expect(storm.activeRows).toBe(storm.created);
    expect(search.serverErrors).toBe(0);
    expect(realtime.expectedDeliveries).toBeGreaterThan(0);
    expect({ missed: realtime.missed, duplicated: realtime.duplicated }).toEqual({ missed: 0, duplicated: 0 });
    expect(open.released).toBe(open.noShows);
    // The same rush of no-shows before anything is open: the baseline the lateness is read against.
    expect(open.idle.released).toBe(open.idle.noShows);
    expect(open.idle.noShows).toBe(open.noShows);
    // Holds before (mailed to their callers) and after, at the same concurrencies as the ceiling.
    expect(holdsMailed.map((l: { concurrency: number }) => l.concurrency)).toEqual(holds.map((l: { concurrency: number }) => l.concurrency));
    for (const level of [...holds, ...holdsMailed]) {
      expect(level.ops).toBeGreaterThan(0);
      expect(Object.keys(level.errors).filter((e) => e.startsWith('5'))).toEqual([]);
    }
    // The open-bookings scenario samples memory from the start to the last create.
    expect(open.memory[0].open).toBe(0);
    expect(open.memory.at(-1).open).toBe(open.openBookings);
    expect(open.memory.at(-1).workerRss).toBeGreaterThan(0);
    expect(open.memory.at(-1).heapUsed).toBeGreaterThan(0);
    expect(insights.bookings).toBeGreaterThan(insights.rooms * 4 * 20);
    expect({ wrong: insights.wrongAnswers, serverErrors: insights.serverErrors }).toEqual({ wrong: [], serverErrors: 0 });
    // --quick: 24 requests, the 6 shapes taking turns.
    expect(insights.shapes.map((s: { shape: string; requests: number }) => [s.shape, s.requests])).toEqual([
      ['year, all rooms', 4],
      ['year, one building', 4],
      ['year, one room', 4],
      ['30 days, all rooms', 4],
      ['year, all rooms, CSV', 4],
      ['year, all rooms, 23:00 UTC', 4],
    ]);
    expect(markdownWritten).toBe(true);
  }, 900_000);

  // Scenario 7. The first run on a machine builds the Temporal server with Go (a few minutes);
  // later runs reuse the build in the roombook cache.
  it('when run with --quick --temporal=postgres, then the booking scenarios run on the server built from source and nothing fails', async () => {
    const { exit, results } = await runBench('pg', ['--quick', '--temporal=postgres', '--only=ceiling,holds,storm,open']);
    expect(exit).toEqual({ code: 0, tail: '' });
    expect(results).toBeDefined();
    expect(results.temporalStore).toBe('postgres');
    expect(Object.keys(results.scenarios).sort()).toEqual(['ceiling', 'holds', 'holdsMailed', 'open', 'storm']);
    expect(results.failures).toEqual([]);
    const { ceiling, holds, storm, open } = results.scenarios;
    for (const level of [...ceiling, ...holds]) expect(level.ops).toBeGreaterThan(0);
    for (const level of holds) expect(Object.keys(level.errors).filter((e) => e.startsWith('5'))).toEqual([]);
    expect({ overlaps: storm.overlaps, serverErrors: storm.serverErrors }).toEqual({ overlaps: 0, serverErrors: 0 });
    expect(open.released).toBe(open.noShows);
  }, 900_000);
});
