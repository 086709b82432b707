// First: tracing patches modules as they load (src/infra/tracing.ts).
import { tracing } from './tracing';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../config';
import { createDataSource } from '../db/data-source';
import { createLogger, logFatal } from '../infra/logger';
import { createRedis } from '../infra/redis';
import { createTemporalClient } from '../infra/temporal';
import { temporalLogger } from '../infra/temporal-logger';
import { createMailer } from '../mail/transport';
import { createBookingEventPublisher } from '../realtime/publisher';
import { ensureOpsSchedules } from './schedules';
import { ensureWeeklyInsightsSchedule } from './insights-schedule';
import { createBookingWorker } from './worker';
import { reportProcessMemory } from './process-memory';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, 'worker');
  // Once per process, before any connection: SDK metrics (workflow task latency, schedule-to-start...) for
  // Prometheus, and every SDK log line (worker, workflows, activities, the Rust core's) through pino.
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: `0.0.0.0:${config.workerMetricsPort}` } },
    },
  });

  const dataSource = await createDataSource(config.databaseUrl, { applicationName: 'roombook-worker' }).initialize();
  const redis = createRedis(config.redisUrl);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const temporal = createTemporalClient(config, { tracing: tracing !== undefined });
  const mailer = createMailer(config.smtpUrl);
  const worker = await createBookingWorker(
    {
      config,
      logger,
      dataSource,
      redis,
      temporal,
      mailer,
      meter: Runtime.instance().metricMeter,
      publishBookingEvent: createBookingEventPublisher({ dataSource, redis, logger }),
    },
    {
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      tracing,
      tuning: config.worker,
    },
  );
  const stopMemoryGauge = reportProcessMemory(Runtime.instance().metricMeter);
  // Retention and reconciliation run as Temporal Schedules (visible in the UI); created or updated idempotently.
  const schedules = config.ops.schedules
    ? [
        ...(await ensureOpsSchedules(temporal, config, { taskQueue: config.temporal.taskQueue })),
        await ensureWeeklyInsightsSchedule(temporal, config, { taskQueue: config.temporal.taskQueue }),
      ]
    : [];
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      metrics: `:${config.workerMetricsPort}/metrics`,
      schedules,
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
    },
    'worker started',
  );

  // The SDK shuts the worker down on SIGINT/SIGTERM; run() resolves after in-flight activities finish.
  await worker.run();
  stopMemoryGauge();
  await connection.close();
  await temporal.connection.close();
  await dataSource.destroy();
  redis.disconnect();
  mailer.close();
  await tracing?.shutdown().catch(() => undefined);
  logger.info('worker stopped');
}

main().catch((err) => {
  logFatal('worker', err);
  process.exit(1);
});
