import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, tcpOpen } from '../scripts/bench/stack';

const ROOT = join(__dirname, '..');

/**
 * A machine without Postgres, simulated: DATABASE_URL unset, nothing listening on the default
 * port (PGPORT names a free one) and no pg_ctlcluster on PATH, so no installed Postgres can be
 * started. `npm start` must come up on the embedded Postgres and say so.
 */
describe('npm start on a machine without Postgres', () => {
  const id = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const dataDir = join('.data', `start-embedded-${id}`);
  const bin = mkdtempSync(join(tmpdir(), 'roombook-path-'));
  afterAll(() => {
    rmSync(join(ROOT, dataDir), { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  });

  it('when DATABASE_URL is unset and no Postgres answers or can be started, then it runs on the embedded one and says so', async () => {
    // Only what npm start needs besides Postgres' own tools.
    for (const tool of ['node', 'npm', 'npx', 'id', 'locale']) symlinkSync(join('/usr/bin', tool), join(bin, tool));
    const [pgPort, port, temporalPort, uiPort, smtpPort, mailWebPort, metricsPort] = await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: bin,
      PGPORT: String(pgPort),
      PORT: String(port),
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_TASK_QUEUE: `start-embedded-${id}`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAILDEV_WEB_PORT: String(mailWebPort),
      WORKER_METRICS_PORT: String(metricsPort),
      DATA_DIR: dataDir,
      OPS_SCHEDULES: 'false',
      SEED: 'false',
    };
    delete env.DATABASE_URL;
    expect(await tcpOpen(pgPort)).toBe(false);

    const output: string[] = [];
    const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const running = new Promise<boolean>((resolve) => {
      const seen = (chunk: Buffer) => {
        output.push(String(chunk));
        if (output.join('').includes('Roombook is running')) resolve(true);
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', (chunk) => output.push(String(chunk)));
      void exited.then(() => resolve(false));
    });
    try {
      expect({ running: await running, tail: output.join('').slice(-3000) }).toMatchObject({ running: true });
      const log = output.join('');
      expect(log).toContain(`No Postgres answers on 127.0.0.1:${pgPort}`);
      expect(log).toContain('using the embedded Postgres');
      expect(log).toContain('Postgres     embedded');
      expect(await tcpOpen(pgPort)).toBe(true);

      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).toBe(200);
      // A write that reaches the embedded database through the api.
      const registered = await fetch(`http://127.0.0.1:${port}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `embedded-${id}@example.test`,
          password: 'a long enough passphrase 42',
          displayName: 'Embedded',
        }),
      });
      expect(registered.status).toBe(201);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    // What npm start started, it stopped: the embedded cluster too.
    expect(await tcpOpen(pgPort)).toBe(false);
  }, 300_000);
});
