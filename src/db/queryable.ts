import type { EntitySchema } from 'typeorm';

/**
 * A DataSource or a transaction's EntityManager: both run SQL the same way. The caller names the
 * row type it selected (TypeORM's own signature defaults it to `any`).
 */
export interface Queryable {
  query<T>(sql: string, parameters?: unknown[]): Promise<T>;
}

/**
 * A select (or RETURNING) list that reads a table's rows shaped as its entity interface: every column
 * of the schema as `alias.column AS "property"`, so hand-written SQL needs no snake_case copy of the row.
 */
export function entityColumns<T>(schema: EntitySchema<T>, alias?: string): string {
  const prefix = alias ? `${alias}.` : '';
  return Object.entries<{ name?: string } | undefined>(schema.options.columns)
    .map(([property, column]) => `${prefix}${column?.name ?? property} AS "${property}"`)
    .join(', ');
}

/** The rows of a SELECT, or of an INSERT … RETURNING. */
export function selectRows<T>(db: Queryable, sql: string, parameters?: unknown[]): Promise<T[]> {
  return db.query<T[]>(sql, parameters);
}

/** The rows of an UPDATE or DELETE … RETURNING (TypeORM wraps those as [rows, count]). */
export async function updatedRows<T>(db: Queryable, sql: string, parameters?: unknown[]): Promise<T[]> {
  return returnedRows<T>(await db.query<unknown>(sql, parameters));
}

/** TypeORM answers UPDATE/DELETE … RETURNING with [rows, count] and everything else with rows. */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}

/**
 * Runs one step of a transaction under a SAVEPOINT: when the step fails, only its writes are
 * undone and the transaction can go on (a failed statement otherwise aborts all of it).
 */
export async function inSavepoint<T>(tx: Queryable, step: () => Promise<T>): Promise<T> {
  await tx.query<unknown>('SAVEPOINT step');
  try {
    const result = await step();
    await tx.query<unknown>('RELEASE SAVEPOINT step');
    return result;
  } catch (err) {
    await tx.query<unknown>('ROLLBACK TO SAVEPOINT step');
    throw err;
  }
}

/** The database's name and server version, for the worker's start-up line. */
export async function databaseIdentity(db: Queryable): Promise<{ name: string; version: string }> {
  const [row] = await selectRows<{ name: string; version: string }>(
    db,
    'SELECT current_database() AS name, version() AS version',
  );
  return row;
}
