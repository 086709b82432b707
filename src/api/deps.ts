import type { Client, Connection } from '@temporalio/client';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Logger } from '../infra/logger';
import type { Redis } from '../infra/redis';

/** Everything the API needs, built by the entry point (or a test) and injected. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  redis: Redis;
  temporal: Client;
  /** A retry-free connection for /ready (see createTemporalProbe). */
  temporalProbe: Connection;
  metrics: Registry;
}
