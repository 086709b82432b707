import { dependencyError } from '../../src/infra/dependency-errors';

const pgError = (code: string, message = 'error') => Object.assign(new Error(message), { code });

describe('dependency errors become answers, never a 500', () => {
  test('when a statement runs past statement_timeout (57014), then the answer is 503 naming PostgreSQL', () => {
    const answer = dependencyError(pgError('57014', 'canceling statement due to statement timeout'));
    expect({ status: answer?.status, code: answer?.code, details: answer?.details }).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      details: { dependency: 'PostgreSQL' },
    });
  });

  test('when a serialization failure or deadlock happens, then the answer is 503 with Retry-After: 1', () => {
    for (const code of ['40001', '40P01']) {
      const answer = dependencyError(pgError(code));
      expect({ status: answer?.status, headers: answer?.headers }).toEqual({
        status: 503,
        headers: { 'Retry-After': '1' },
      });
    }
  });

  test('when a unique violation reaches the middleware, then the answer is 409 CONFLICT', () => {
    expect(dependencyError(pgError('23505'))?.status).toBe(409);
  });

  test('when the error is not a dependency failure, then it is left to the caller', () => {
    expect(dependencyError(new Error('a bug'))).toBeUndefined();
    expect(dependencyError(pgError('22P02'))).toBeUndefined();
  });
});
