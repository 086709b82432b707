import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Client } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import type { AppDeps } from '../../src/api/deps';
import { loadConfig, type Config } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { createLogger } from '../../src/infra/logger';
import { createRedis, type Redis } from '../../src/infra/redis';
import { createTemporalClient, createTemporalProbe } from '../../src/infra/temporal';
import { createBookingWorker } from '../../src/workers/worker';
import { createMailer } from '../../src/mail/transport';
import { createServices, type ApiServices } from '../../src/api/services';
import { createBookingEventPublisher } from '../../src/realtime/publisher';
import { attachRealtime, type RealtimeServer } from '../../src/realtime/socket-server';

export interface TestStack {
  config: Config;
  baseUrl: string;
  deps: AppDeps;
  /** The services the app and the socket server share (built once, as server.ts does). */
  services: ApiServices;
  server: Server;
  /** Socket.IO on the same server (Redis adapter): every stack of a run shares its events. */
  realtime: RealtimeServer;
  close(): Promise<void>;
}

/**
 * The real API on a free port, against the run's Temporal server, database and Redis. Each stack
 * gets its own task queue, so a test file's worker only runs that file's workflows.
 */
export async function startApi(
  overrides: Partial<Config> = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestStack> {
  const base = loadConfig(env);
  // Each stack has its own task queue, so only its own worker runs its workflows.
  const config: Config = {
    ...base,
    port: 0,
    temporal: { ...base.temporal, taskQueue: `test-${randomUUID()}` },
    ...overrides,
  };
  const logger = createLogger(config.logLevel, 'api-test');
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const dataSource = await createDataSource(config.databaseUrl, { poolSize: 5 }).initialize();
  const redis = createRedis(config.redisUrl);
  redis.on('error', () => undefined);
  const temporal = createTemporalClient(config);
  const temporalProbe = createTemporalProbe(config);
  const deps: AppDeps = { config, logger, dataSource, redis, temporal, temporalProbe, metrics };
  const services = createServices(deps);
  const server = createServer(createApp(deps, services).callback());
  const realtime = attachRealtime(server, deps, services);
  // Port 0 (a free one) unless the test needs a known address, e.g. to register a callback URL first.
  await new Promise<void>((resolve) => server.listen(config.port, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    config: { ...config, publicUrl: baseUrl },
    baseUrl,
    deps,
    services,
    server,
    realtime,
    async close() {
      await realtime.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await temporal.connection.close().catch(() => undefined);
      await temporalProbe.close().catch(() => undefined);
      await dataSource.destroy().catch(() => undefined);
      redis.disconnect();
    },
  };
}

export interface TestWorker {
  worker: Worker;
  taskQueue: string;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** A real worker (prebuilt bundle) on its own task queue, running until stop(). */
export async function startWorker(
  config: Config,
  deps: { dataSource: DataSource; redis: Redis; temporal: Client },
  taskQueue = config.temporal.taskQueue,
): Promise<TestWorker> {
  if (!runtimeInstalled) {
    // Once per test process: the SDK's own log lines only when something is wrong.
    Runtime.install({ logger: new DefaultLogger(process.env.TEMPORAL_LOG_LEVEL === 'debug' ? 'DEBUG' : 'ERROR') });
    runtimeInstalled = true;
  }
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const mailer = createMailer(config.smtpUrl);
  const worker = await createBookingWorker(
    // config last: callers often pass the API's whole deps, whose own config must not win over this one.
    {
      logger: createLogger(config.logLevel, 'worker-test'),
      mailer,
      meter: Runtime.instance().metricMeter,
      publishBookingEvent: createBookingEventPublisher({
        ...deps,
        logger: createLogger(config.logLevel, 'realtime-test'),
      }),
      ...deps,
      config: { ...config, temporal: { ...config.temporal, taskQueue } },
    },
    { connection, namespace: config.temporal.namespace, taskQueue },
  );
  const running = worker.run();
  let stopped: Promise<void> | undefined;
  return {
    worker,
    taskQueue,
    // Idempotent: a test may stop its stack's worker early, and the stack stops it again.
    stop() {
      stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
        mailer.close();
      })();
      return stopped;
    },
  };
}

export type { Client };

/** The API with a worker of its own: what a test of workflows drives. */
export interface StackWithWorker extends TestStack {
  worker: TestWorker;
  stop(): Promise<void>;
}

/** The API and its worker, stopped together; `overrides` change the configuration both run with. */
export async function startStackWithWorker(overrides: Partial<Config> = {}): Promise<StackWithWorker> {
  const stack = await startApi(overrides);
  const worker = await startWorker(stack.config, stack.deps);
  return {
    ...stack,
    worker,
    async stop() {
      await worker.stop();
      await stack.close();
    },
  };
}

/**
 * One stack for the enclosing describe block: started before its first test, handed to `use`, and
 * stopped after its last, so a suite states only which stack it needs.
 */
export function stackForSuite<S extends { stop(): Promise<void> }>(
  start: () => Promise<S>,
  use: (stack: S) => void,
): void {
  let started: S;
  beforeAll(async () => {
    started = await start();
    use(started);
  });
  afterAll(async () => {
    await started.stop();
  });
}

/** The API alone (no worker) for the enclosing describe block, as stackForSuite starts and stops it. */
export function apiForSuite(use: (stack: TestStack) => void, overrides: Partial<Config> = {}): void {
  stackForSuite(
    async () => {
      const stack = await startApi(overrides);
      return { stack, stop: () => stack.close() };
    },
    (started) => use(started.stack),
  );
}
