import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dropDatabase } from '../support/global-setup';

const ROOT = join(__dirname, '..', '..');

/**
 * `npm run bench -- --quick` once, end to end: it must finish and find nothing wrong. Timings are
 * the bench's to print, never this test's to assert.
 */
describe('the quick benchmark', () => {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const workDir = join(ROOT, '.data', `bench-test-${id}`);
  const database = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  database.pathname = `/roombook_bench_test_${id}`;

  afterAll(async () => {
    await dropDatabase(database.toString()).catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('when run with --quick, then every scenario reports and no correctness check fails', async () => {
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/run.ts', '--quick'], {
        cwd: ROOT,
        // The bench starts its own stack: not the test run's Temporal server, nor its database.
        env: { ...process.env, TEMPORAL_ADDRESS: '', BENCH_DATABASE_URL: database.toString(), BENCH_WORK_DIR: workDir, BENCH_RESULTS_DIR: join(workDir, 'results') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk) => output.push(String(chunk)));
      child.stderr.on('data', (chunk) => output.push(String(chunk)));
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    const log = output.join('');
    expect({ code, tail: code === 0 ? '' : log.slice(-4000) }).toEqual({ code: 0, tail: '' });

    const resultsDir = join(workDir, 'results');
    const jsonFile = existsSync(resultsDir) ? readdirSync(resultsDir).find((f) => f.endsWith('.json')) : undefined;
    expect(jsonFile).toBeDefined();
    const results = JSON.parse(readFileSync(join(resultsDir, jsonFile!), 'utf8'));
    expect(Object.keys(results.scenarios).sort()).toEqual(['ceiling', 'holds', 'open', 'realtime', 'search', 'storm']);
    expect(results.failures).toEqual([]);
    const { storm, realtime, open, holds, search } = results.scenarios;
    expect(storm.serverErrors).toBe(0);
    expect(storm.overlaps).toBe(0);
    expect(storm.created).toBeGreaterThan(0);
    expect(storm.created + storm.conflicts).toBe(storm.requests);
    expect(search.serverErrors).toBe(0);
    expect(realtime.expectedDeliveries).toBeGreaterThan(0);
    expect({ missed: realtime.missed, duplicated: realtime.duplicated }).toEqual({ missed: 0, duplicated: 0 });
    expect(open.released).toBe(open.noShows);
    for (const level of holds) expect(Object.keys(level.errors).filter((e) => e.startsWith('5'))).toEqual([]);
    expect(existsSync(join(resultsDir, jsonFile!.replace('.json', '.md')))).toBe(true);
  }, 240_000);
});
