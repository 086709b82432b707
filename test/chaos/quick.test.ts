import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * `npm run chaos -- --quick` once, end to end, on its own Postgres cluster, Redis server and
 * Temporal server (never the run's): every fault is injected and recovered from, and no invariant
 * is violated. Recovery times are the run's to print, never this test's to assert.
 */
describe('the quick chaos run', () => {
  const workDir = join(ROOT, '.data', `chaos-test-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`);
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('when every dependency and process is killed under load, one at a time and then two at once, then every invariant holds', async () => {
    const reportFile = join(workDir, 'report.json');
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/chaos/run.ts', '--quick'], {
        cwd: ROOT,
        env: { ...process.env, CHAOS_WORK_DIR: workDir, CHAOS_REPORT: reportFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk) => output.push(String(chunk)));
      child.stderr.on('data', (chunk) => output.push(String(chunk)));
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    expect({ code, tail: code === 0 ? '' : output.join('').slice(-5000) }).toEqual({ code: 0, tail: '' });
    expect(existsSync(reportFile)).toBe(true);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(report.faults.map((f: { services: string[] }) => f.services.join('+'))).toEqual([
      'worker',
      'api',
      'temporal',
      'postgres',
      'redis',
      'smtp',
      'worker+postgres',
      'temporal+redis',
    ]);
    expect(report.checks.map((c: { name: string; violationCount: number }) => [c.name, c.violationCount])).toEqual([
      ['acknowledged bookings kept', 0],
      ['no overlapping active bookings', 0],
      ['workflow state equals its row', 0],
      ['each mail delivered once', 0],
      ['realtime followers agree with the API', 0],
      ['only 2xx, 4xx or 503 answers', 0],
      ['every process came back', 0],
    ]);
    for (const check of report.checks) expect(check.checked).toBeGreaterThan(0);
    expect(report.load.creates + report.load.holds).toBeGreaterThan(0);
  }, 420_000);
});
