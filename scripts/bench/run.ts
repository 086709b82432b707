/**
 * `npm run bench [-- --quick] [--memory|--sqlite|--temporal=postgres] [--only=ceiling,holds,storm,search,realtime,open,insights] [--open=N] [--open-minutes=M]`
 * (`--scenario=insights` is `--only=insights`)
 *
 * Starts its own stack (Temporal dev server on free ports, or with --temporal=postgres the Temporal
 * server built from source on the local Postgres: scenario 7; database roombook_bench, an SMTP sink,
 * the booking worker, two api processes, the ceiling's worker), runs the scenarios of issue 10 one
 * after another, prints a table and writes bench/results/<timestamp>.{json,md,svg}. Exit code 1
 * when a correctness check fails (a 5xx, an overlap, a lost or duplicated event); timings never
 * fail it. The insights scenario keeps its data set in a database of its own between runs
 * (BENCH_INSIGHTS_DATABASE_URL, default roombook_insights_bench). BENCH_TEMPORAL_ADDRESS reuses a running Temporal server; BENCH_DATABASE_URL names the
 * (dropped and recreated) database; BENCH_RESULTS_DIR and BENCH_WORK_DIR move the results and the
 * logs.
 */
import { randomBytes } from 'node:crypto';
import { cpus, freemem, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { FULL, QUICK, type BenchContext } from './context';
import { renderMarkdown, renderTable, collectFailures, type BenchResults } from './report';
import { BENCH_DIR, freePort, freshDatabase, progress, refuseDatabaseInUse, ROOT, spawnNode, startSmtpSink, startTemporal, stopAll, waitFor } from './stack';
import { ceiling, holds } from './scenarios/throughput';
import { conflictStorm } from './scenarios/storm';
import { availabilitySearch } from './scenarios/search';
import { realtime } from './scenarios/realtime';
import { openBookings } from './scenarios/open-bookings';
import { insights } from './scenarios/insights';
import { svgHistograms } from './stats';
import { startTemporalOnPostgres } from './temporal-postgres';

const SCENARIOS = ['ceiling', 'holds', 'storm', 'search', 'realtime', 'open', 'insights'] as const;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onPostgres = args.includes('--temporal=postgres');
  const sqlite = !onPostgres && (args.includes('--sqlite') || (!quick && !args.includes('--memory')));
  const store = process.env.BENCH_TEMPORAL_ADDRESS ? 'external' : onPostgres ? 'postgres' : sqlite ? 'sqlite-wal' : 'memory';
  const only = args.find((a) => /^--(only|scenario)=/.test(a))?.replace(/^--\w+=/, '').split(',') ?? [...SCENARIOS];
  // --open=N: the open-bookings scenario with N bookings (100,000 for the worker cache's bound: docs/performance.md).
  const openArg = args.find((a) => a.startsWith('--open='));
  // --open-minutes=M: stop creating them after M minutes and measure with what is open then.
  const minutesArg = args.find((a) => a.startsWith('--open-minutes='));
  const sizes = {
    ...(quick ? QUICK : FULL),
    ...(openArg ? { openBookings: Number(openArg.slice(7)) } : {}),
    ...(minutesArg ? { openMinutes: Number(minutesArg.slice(15)) } : {}),
  };
  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const described = { external: `at ${process.env.BENCH_TEMPORAL_ADDRESS}`, postgres: 'server built from source, on Postgres', 'sqlite-wal': 'dev server on SQLite (WAL)', memory: 'dev server in memory' }[store];
  progress(`${quick ? 'quick' : 'full'} run ${runId}: ${only.join(', ')}; Temporal ${described}`);

  const { bootstrap } = await import(join(ROOT, 'scripts/lib/bootstrap.mjs'));
  const { temporalCli } = await bootstrap({});

  const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/roombook_bench';
  if (!/bench/.test(new URL(databaseUrl).pathname)) throw new Error('BENCH_DATABASE_URL must name a database with "bench" in its name: the bench drops and recreates it.');
  await refuseDatabaseInUse(databaseUrl);
  let temporalAddress = process.env.BENCH_TEMPORAL_ADDRESS;
  let temporalProcess;
  if (!temporalAddress) {
    const dynamicConfig = process.env.BENCH_TEMPORAL_DYNAMIC_CONFIG?.split(/\s+/).filter(Boolean);
    progress(`starting a Temporal ${onPostgres ? 'server on Postgres' : 'dev server'}`);
    const started = onPostgres
      ? await startTemporalOnPostgres(temporalCli, { databaseUrl, dynamicConfig })
      : await startTemporal(temporalCli, { sqlite, dynamicConfig });
    temporalAddress = started.address;
    temporalProcess = started.managed;
  }
  progress(`fresh database ${new URL(databaseUrl).pathname.slice(1)}`);
  await freshDatabase(databaseUrl);
  const smtp = await startSmtpSink();

  const jwtSecret = randomBytes(48).toString('base64url');
  const taskQueue = `bench-${runId}`;
  const ceilingTaskQueue = `bench-ceiling-${runId}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    JWT_SECRET: jwtSecret,
    DATA_DIR: BENCH_DIR,
    // The bench is a few users doing what thousands would: lift the per-user limits.
    RATE_LIMIT_BOOKING_CREATE_PER_USER: '1000000/1',
    MAX_ACTIVE_HOLDS_PER_USER: '1000000',
    MAX_FUTURE_BOOKINGS_PER_USER: '1000000',
  };
  const workerMetricsPort = await freePort();
  // BENCH_WORKER_NODE_OPTIONS: V8 flags for the booking worker only (e.g. --max-old-space-size=512).
  const worker = spawnNode('worker', 'src/workers/main.ts', { ...env, WORKER_METRICS_PORT: String(workerMetricsPort), NODE_OPTIONS: [process.env.NODE_OPTIONS, process.env.BENCH_WORKER_NODE_OPTIONS].filter(Boolean).join(' ') });
  const apiPorts = [await freePort(), await freePort()];
  const apis = apiPorts.map((port, i) => spawnNode(`api${i + 1}`, 'src/api/server.ts', { ...env, PORT: String(port) }));
  const ceilingWorker = spawnNode('ceiling-worker', 'scripts/bench/ceiling-worker.ts', { ...env, TEMPORAL_TASK_QUEUE: ceilingTaskQueue });
  const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  for (const url of apiUrls) await waitFor(`the api at ${url}`, async () => (await fetch(`${url}/ready`)).status === 200, 90);
  // Scenario 2's "before": holds mailed to their callers, the behaviour before issue 22, in the same run.
  // Started once the others answer, so three apis do not start at once on a loaded machine.
  const mailedPort = only.includes('holds') ? await freePort() : undefined;
  const mailedApi = mailedPort ? spawnNode('api-mailed', 'src/api/server.ts', { ...env, PORT: String(mailedPort), MAIL_OWN_HOLDS: 'true' }) : undefined;
  const mailedApiUrl = mailedPort ? `http://127.0.0.1:${mailedPort}` : undefined;
  if (mailedApiUrl) await waitFor(`the api at ${mailedApiUrl}`, async () => (await fetch(`${mailedApiUrl}/ready`)).status === 200, 90);

  const db = new Pool({ connectionString: databaseUrl, max: 4 });
  const connection = await Connection.connect({ address: temporalAddress });
  const temporal = new TemporalClient({ connection });
  const ctx: BenchContext = {
    quick, sizes, db, temporal, apiUrls, jwtSecret, taskQueue, ceilingTaskQueue, runId,
    processes: { temporal: temporalProcess, worker, apis, ceilingWorker, mailedApi },
    env,
    workerMetricsUrl: `http://127.0.0.1:${workerMetricsPort}/metrics`,
    mailedApiUrl,
  };
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    mode: quick ? 'quick' : 'full',
    temporalStore: store,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      freeMemoryGiB: Math.round(freemem() / 2 ** 30),
      node: process.version,
      otherJestRuns: 0,
    },
    sizes,
    scenarios: {},
  };
  try {
    const { execSync } = await import('node:child_process');
    results.machine.otherJestRuns = Number(execSync("ps -eo args | grep -c '[j]est'", { encoding: 'utf8' }).trim()) || 0;
  } catch { /* grep -c exits 1 on zero */ }

  // Where the run's time goes: starting the stack (packages, the Temporal CLI, migrations, processes), then each scenario.
  const seconds: Record<string, number> = { stack: Math.round((Date.now() - startedAt.getTime()) / 100) / 10 };
  results.seconds = seconds;
  progress(`stack started: ${seconds.stack} s`);
  // A scenario that throws is a failure of the run, but the others' figures are still written.
  const crashed: string[] = [];
  const attempt = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    if (!only.includes(name)) return undefined;
    const began = performance.now();
    try {
      return await run();
    } catch (err) {
      progress(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      crashed.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    } finally {
      seconds[name] = Math.round((performance.now() - began) / 100) / 10;
      progress(`${name}: ${seconds[name]} s`);
    }
  };
  try {
    results.scenarios.ceiling = await attempt('ceiling', () => ceiling(ctx));
    const held = await attempt('holds', () => holds(ctx));
    results.scenarios.holds = held?.unmailed;
    results.scenarios.holdsMailed = held?.mailed;
    results.scenarios.storm = await attempt('storm', () => conflictStorm(ctx));
    results.scenarios.search = await attempt('search', () => availabilitySearch(ctx));
    results.scenarios.realtime = await attempt('realtime', () => realtime(ctx));
    results.scenarios.open = await attempt('open', () => openBookings(ctx));
    results.scenarios.insights = await attempt('insights', () => insights(ctx));
  } finally {
    results.finishedAt = new Date().toISOString();
    results.mailsAccepted = smtp.count();
    await connection.close().catch(() => undefined);
    await db.end().catch(() => undefined);
    await stopAll();
    await smtp.close().catch(() => undefined);
  }

  results.failures = [...crashed.map((c) => `scenario crashed: ${c}`), ...collectFailures(results)];
  const dir = process.env.BENCH_RESULTS_DIR ?? join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, runId);
  writeFileSync(`${file}.json`, JSON.stringify(results, null, 1));
  writeFileSync(`${file}.svg`, svgHistograms(distributions(results)));
  writeFileSync(`${file}.md`, renderMarkdown(results, `${runId}.svg`));
  console.log(`\n${renderTable(results)}\n`);
  progress(`results: ${file}.json, .md, .svg`);
  if (results.failures.length) {
    console.error(`\nCORRECTNESS FAILURES:\n${results.failures.map((f) => `  - ${f}`).join('\n')}`);
    return 1;
  }
  return 0;
}

function distributions(r: BenchResults): { name: string; samples: number[] }[] {
  const out: { name: string; samples: number[] }[] = [];
  for (const l of r.scenarios.ceiling ?? []) out.push({ name: `ceiling c=${l.concurrency}`, samples: l.samples });
  for (const l of r.scenarios.holdsMailed ?? []) out.push({ name: `API holds, mailed (before) c=${l.concurrency}`, samples: l.samples });
  for (const l of r.scenarios.holds ?? []) out.push({ name: `API holds c=${l.concurrency}`, samples: l.samples });
  if (r.scenarios.storm) out.push({ name: 'conflict storm (each request)', samples: r.scenarios.storm.samples });
  if (r.scenarios.search) {
    out.push({ name: 'search through the API', samples: r.scenarios.search.apiSamples });
    out.push({ name: 'search as raw SQL', samples: r.scenarios.search.sqlSamples });
  }
  if (r.scenarios.realtime) out.push({ name: 'realtime (all subscribers)', samples: r.scenarios.realtime.allSamples });
  if (r.scenarios.open?.idle) out.push({ name: 'no-show release lateness, none open', samples: r.scenarios.open.idle.latenessSamples });
  if (r.scenarios.open) out.push({ name: 'no-show release lateness', samples: r.scenarios.open.latenessSamples });
  for (const s of r.scenarios.insights?.shapes ?? []) out.push({ name: `insights: ${s.shape}`, samples: s.samples });
  return out;
}

let exiting = false;
const interrupted = (signal: string) => {
  if (exiting) return;
  exiting = true;
  progress(`${signal}: stopping what the bench started`);
  void stopAll().finally(() => process.exit(130));
};
process.on('SIGINT', () => interrupted('SIGINT'));
process.on('SIGTERM', () => interrupted('SIGTERM'));

main()
  .then((code) => process.exit(code))
  .catch(async (err) => {
    console.error(`[bench] ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    await stopAll();
    process.exit(1);
  });
