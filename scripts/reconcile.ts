// `npm run reconcile [-- --dry-run] [--room <roomId>]... [--grace <seconds>] [--json]`: what the
// reconcile schedule does, now, from an operator's shell. Compares every active booking row with its
// workflow and every running booking workflow with its row, prints the drift and (without
// --dry-run) repairs it. Exit code: 0 nothing left to do, 2 drift that was not repaired.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { reconcile } from '../src/activities/ops';
import { loadConfigOrExit } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { createRedis } from '../src/infra/redis';
import { createTemporalClient } from '../src/infra/temporal';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      room: { type: 'string', multiple: true },
      grace: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const config = loadConfigOrExit();
  // Log lines to stderr; the report is the output.
  const logger = pino({ level: config.logLevel, name: 'reconcile' }, pino.destination(2));
  const dataSource = await createDataSource(config.databaseUrl, {
    poolSize: 2,
    applicationName: 'roombook-reconcile',
  }).initialize();
  const redis = createRedis(config.redisUrl);
  redis.on('error', () => undefined);
  const temporal = createTemporalClient(config);
  try {
    const graceSeconds = values.grace === undefined ? config.ops.reconcile.graceSeconds : Number(values.grace);
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0) throw new Error('--grace takes a whole number of seconds');
    const report = await reconcile(
      { dataSource, redis, temporal, logger },
      { graceSeconds, repair: !values['dry-run'], ...(values.room ? { roomIds: values.room } : {}) },
    );
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      console.log(
        `Checked ${report.checkedRows} active rows and ${report.checkedWorkflows} other running booking workflows: ${report.drift.length} drifted, ${report.repaired} repaired.`,
      );
      for (const d of report.drift) {
        console.log(
          `- ${d.kind} ${d.workflowId}${d.bookingId ? ` (booking ${d.bookingId})` : ''}: ${JSON.stringify(d.details)} -> ${d.repaired ? 'repaired' : `not repaired: ${d.unrepairedReason}`}`,
        );
      }
    }
    return report.drift.some((d) => !d.repaired) ? 2 : 0;
  } finally {
    await temporal.connection.close().catch(() => undefined);
    await dataSource.destroy();
    redis.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`reconcile failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
