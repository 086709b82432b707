import { AppError, conflict, unavailable } from '../domain/errors';

/**
 * Errors of Postgres and Redis that say nothing about the request, only about the moment: the
 * pool had no connection free in time, the server went away, two transactions deadlocked. They
 * are answered 503 with Retry-After (the client's retry will do), never 500. A unique violation
 * that no service turned into its own answer is a request racing itself: 409.
 */
export function dependencyError(err: unknown): AppError | undefined {
  const e = err as { code?: string; message?: string; name?: string; driverError?: { code?: string } } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  const code = e.driverError?.code ?? e.code;
  const message = e.message ?? '';

  if (code === '40P01' || code === '40001') {
    return new AppError(
      503,
      'SERVICE_UNAVAILABLE',
      'A concurrent change got in the way; try again.',
      { dependency: 'PostgreSQL', retryable: true },
      true,
      { 'Retry-After': '1' },
    );
  }
  if (code === '57014') {
    // A statement ran past statement_timeout: the database is too slow for this request now (a large
    // report, a loaded server). Nothing was changed; asking again later, or for less, may succeed.
    return unavailable('PostgreSQL', 'The database took too long to answer; try again shortly, or ask for less.');
  }
  if (code === '23505')
    return conflict('CONFLICT', 'This was just created or changed by a concurrent request; read it again.');
  if (
    /timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error/i.test(
      message,
    ) ||
    (typeof code === 'string' && (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300', '53400'].includes(code)))
  ) {
    return unavailable('PostgreSQL', 'The database is busy or unreachable; try again shortly.');
  }
  if (
    e.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue/i.test(message)
  ) {
    return unavailable('Redis', 'The cache is unreachable; try again shortly.');
  }
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EPIPE') {
    return unavailable('a dependency', 'A service the API depends on is unreachable; try again shortly.');
  }
  return undefined;
}
