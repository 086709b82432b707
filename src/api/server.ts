// First: tracing patches modules as they load (src/infra/tracing.ts).
import { tracing } from './tracing';
import { createServer } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfigOrExit } from '../config';
import { createDataSource } from '../db/data-source';
import { ensureBootstrapAdmin } from '../identity/bootstrap-admin';
import { createLogger, logFatal } from '../infra/logger';
import { createRedis } from '../infra/redis';
import { createTemporalClient, createTemporalProbe } from '../infra/temporal';
import { attachRealtime } from '../realtime/socket-server';
import { createApp } from './app';
import { createServices } from './services';
import { createInboundMailServer, listenInboundMail } from '../imip/listener';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, 'api');
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });

  const dataSource = createDataSource(config.databaseUrl, { applicationName: 'roombook-api' });
  await dataSource.initialize();
  await ensureBootstrapAdmin(dataSource, config.bootstrapAdmin, logger);
  const redis = createRedis(config.redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  const temporal = createTemporalClient(config, { tracing: tracing !== undefined });
  const temporalProbe = createTemporalProbe(config);

  const deps = { config, logger, dataSource, redis, temporal, temporalProbe, metrics };
  const services = createServices(deps);
  const app = createApp(deps, services);
  const server = createServer(app.callback());
  // Idle keep-alive connections are closed by the client (or the balancer in front), never by us
  // first: a server that closes one at the moment a client sends on it (Node's default, 5 s)
  // leaves that request with its connection closed and no answer. Longer than the usual idle
  // timeouts of balancers (60 s) and clients, which Keep-Alive: timeout=65 also tells them.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Socket.IO on the same HTTP server and port, sharing events with every api process through Redis.
  const realtime = attachRealtime(server, deps, services);
  server.listen(config.port, () =>
    logger.info({ port: config.port }, `api listening on http://127.0.0.1:${config.port}`),
  );
  // Room mailboxes (iMIP): the inbound SMTP listener runs in the api process, beside the HTTP server.
  // Several api processes on one host share the port's one listener: the first binds it, the
  // others serve HTTP only (every api hands invites to the same durable workflows).
  const inboundMail = createInboundMailServer(deps);
  let inboundListening = false;
  await listenInboundMail(inboundMail, config.roomMail.inboundPort).then(
    (mailPort) => {
      inboundListening = true;
      logger.info({ port: mailPort }, `room mailboxes listening on smtp://127.0.0.1:${mailPort}`);
    },
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err;
      logger.warn(
        { port: config.roomMail.inboundPort },
        'room mailboxes: the inbound SMTP port is taken (another api on this host serves it); this api serves HTTP only',
      );
    },
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api stopping');
    await realtime.close().catch(() => undefined);
    if (inboundListening) await new Promise<void>((resolve) => inboundMail.close(() => resolve()));
    server.close();
    server.closeAllConnections();
    await temporal.connection.close().catch(() => undefined);
    await temporalProbe.close().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    redis.disconnect();
    await tracing?.shutdown().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  logFatal('api', err);
  process.exit(1);
});
