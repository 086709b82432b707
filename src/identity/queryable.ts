/** A DataSource or a transaction's EntityManager: both run SQL the same way. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/** TypeORM answers UPDATE/DELETE … RETURNING with [rows, count] and everything else with rows. */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}
