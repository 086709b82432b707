import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { migrations } from './migrations';
import { entities } from '../entities';

export function createDataSource(
  databaseUrl: string,
  options: { poolSize?: number; applicationName?: string } = {},
): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: entities as MixedList<EntitySchema>,
    // gen_random_uuid() (built in since Postgres 13) is what the migrations use for generated keys.
    uuidExtension: 'pgcrypto',
    migrations,
    migrationsTableName: 'schema_migrations',
    // The schema comes from migrations only: no synchronize, and no CREATE EXTENSION at connect
    // (the foundation migration installs btree_gist and citext).
    synchronize: false,
    installExtensions: false,
    migrationsRun: false,
    logging: false,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'roombook',
    // pg-pool uses connectionTimeoutMillis both to open a connection and to wait for a free one:
    // 3 s was too short for a burst on a busy machine (concurrent requests answered 500 with
    // "timeout exceeded when trying to connect"). Past 10 s the request is answered 503.
    extra: { connectionTimeoutMillis: 10_000, statement_timeout: 15000, idle_in_transaction_session_timeout: 15000 },
  });
}

/** Creates the database named in the URL when it does not exist (development and tests). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new Error(`DATABASE_URL names database "${name}": use letters, digits and _ only.`);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (err) {
      // Two processes racing to create it: the loser sees duplicate_database.
      if ((err as { code?: string }).code !== '42P04') throw err;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}

/** Drops the database the URL names, closing whatever is still connected to it (test runs and benchmarks start afresh). */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const name = target.pathname.slice(1);
  target.pathname = '/postgres';
  const client = new Client({ connectionString: target.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

const MIGRATION_LOCK = 7_352_001;

/**
 * Runs pending migrations under an advisory lock, so concurrent starters migrate once. The lock
 * holds one pooled connection and the migrations another: the pool needs at least two.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
