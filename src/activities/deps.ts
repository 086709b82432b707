import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Logger } from '../infra/logger';
import type { Redis } from '../infra/redis';

/** Built by the worker and injected into every activity factory. */
export interface ActivityDeps {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  redis: Redis;
  /** For activities that start workflows (a rescheduled booking's new slot). */
  temporal: Client;
}
