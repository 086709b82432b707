import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/infra/logger';
import { createRateLimiter } from '../../src/infra/rate-limit';
import { createRedis } from '../../src/infra/redis';
import { call, clientIp, PASSWORD, randomEmail, redisReady, register } from '../support/auth';
import { startApi, type TestStack } from '../support/stack';

const generous = { limit: 1000, windowSeconds: 60 };
const baseLimits = {
  loginPerAccount: generous,
  loginPerIp: generous,
  refreshPerIp: generous,
  registerPerIp: generous,
  bookingCreatePerUser: generous,
  accountMailPerAddress: generous,
  accountMailPerIp: generous,
};

/** Repeats `attempt` until it stops answering 429 (the window has passed), giving up after 15 s. */
async function untilNotLimited(attempt: () => Promise<{ status: number }>): Promise<{ status: number }> {
  for (let i = 0; i < 60; i += 1) {
    const res = await attempt();
    if (res.status !== 429) return res;
    await sleep(250);
  }
  throw new Error('still rate limited after 15 s');
}

describe('rate limits', () => {
  let stackA: TestStack;
  let stackB: TestStack;
  beforeAll(async () => {
    const rateLimits = {
      ...baseLimits,
      loginPerAccount: { limit: 3, windowSeconds: 2 },
      registerPerIp: { limit: 2, windowSeconds: 60 },
      refreshPerIp: { limit: 2, windowSeconds: 60 },
    };
    // Two api processes' worth of app, one Redis: limits must hold across them.
    stackA = await startApi({ rateLimits });
    stackB = await startApi({ rateLimits });
    await Promise.all([redisReady(stackA.deps.redis), redisReady(stackB.deps.redis)]);
  });
  afterAll(async () => {
    await stackA.close();
    await stackB.close();
  });

  test('when one account gets too many login attempts, then it is 429 with Retry-After, and after the window it recovers', async () => {
    const { user } = await register(stackA);
    for (let i = 0; i < 3; i += 1) {
      expect(
        (await call(stackA, 'POST', '/auth/login', { body: { email: user.email, password: 'wrong password!' } }))
          .status,
      ).toBe(401);
    }
    // From another address and with the right password: the account's limit still holds.
    const limited = await call(stackA, 'POST', '/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);

    const recovered = await untilNotLimited(() =>
      call(stackA, 'POST', '/auth/login', { body: { email: user.email, password: PASSWORD } }),
    );
    expect(recovered.status).toBe(200);
  });

  test("when login attempts on one api process use up an account's limit, then the other process refuses the next one", async () => {
    const { user } = await register(stackA);
    for (let i = 0; i < 3; i += 1)
      await call(stackA, 'POST', '/auth/login', { body: { email: user.email, password: PASSWORD } });
    const onB = await call(stackB, 'POST', '/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(onB.status).toBe(429);
  });

  test('when one address registers too often across both processes, then it is 429 and nothing more is written', async () => {
    const ip = clientIp();
    const emails = [randomEmail(), randomEmail(), randomEmail()];
    const body = (email: string) => ({ email, password: PASSWORD, displayName: 'Burst' });
    expect((await call(stackA, 'POST', '/auth/register', { ip, body: body(emails[0]) })).status).toBe(201);
    expect((await call(stackB, 'POST', '/auth/register', { ip, body: body(emails[1]) })).status).toBe(201);
    const third = await call(stackA, 'POST', '/auth/register', { ip, body: body(emails[2]) });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    const [{ n }] = await stackA.deps.dataSource.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [
      emails[2],
    ]);
    expect(n).toBe(0);
    // Another address is not affected.
    expect((await call(stackB, 'POST', '/auth/register', { body: body(emails[2]) })).status).toBe(201);
  });

  test('when one address refreshes too often, then it is 429', async () => {
    const ip = clientIp();
    const session = await register(stackA);
    const first = await call(stackA, 'POST', '/auth/refresh', { ip, body: { refreshToken: session.refreshToken } });
    expect(first.status).toBe(200);
    expect(
      (await call(stackB, 'POST', '/auth/refresh', { ip, body: { refreshToken: first.body.refreshToken } })).status,
    ).toBe(200);
    expect((await call(stackA, 'POST', '/auth/refresh', { ip, body: { refreshToken: 'rbr_anything' } })).status).toBe(
      429,
    );
  });

  test('when one address makes too many login attempts across accounts, then it is 429', async () => {
    const stack = await startApi({ rateLimits: { ...baseLimits, loginPerIp: { limit: 2, windowSeconds: 60 } } });
    try {
      await redisReady(stack.deps.redis);
      const ip = clientIp();
      for (let i = 0; i < 2; i += 1) {
        expect(
          (await call(stack, 'POST', '/auth/login', { ip, body: { email: randomEmail(), password: PASSWORD } })).status,
        ).toBe(401);
      }
      expect(
        (await call(stack, 'POST', '/auth/login', { ip, body: { email: randomEmail(), password: PASSWORD } })).status,
      ).toBe(429);
    } finally {
      await stack.close();
    }
  });
});

describe('rate limiter', () => {
  test('when a limiter counts a key past its limit, then it throws 429 RATE_LIMITED with Retry-After; other keys are unaffected', async () => {
    const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      await redisReady(redis);
      const limiter = createRateLimiter(redis, { name: `test-${randomEmail()}`, limit: 2, windowSeconds: 30 });
      await limiter.consume('user-1');
      await limiter.consume('user-1');
      await expect(limiter.consume('user-1')).rejects.toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        headers: { 'Retry-After': expect.stringMatching(/^([1-9]|[12]\d|30)$/) },
      });
      await expect(limiter.consume('user-2')).resolves.toBeUndefined();
    } finally {
      redis.disconnect();
    }
  });

  test('when Redis is down, then the limiter lets requests through (fail open) instead of failing them', async () => {
    const deadRedis = createRedis('redis://127.0.0.1:1', { retryStrategy: () => null });
    deadRedis.on('error', () => undefined);
    try {
      const limiter = createRateLimiter(deadRedis, {
        name: 'down',
        limit: 1,
        windowSeconds: 60,
        logger: createLogger('silent', 'test'),
      });
      for (let i = 0; i < 3; i += 1) await expect(limiter.consume('someone')).resolves.toBeUndefined();
    } finally {
      deadRedis.disconnect();
    }
  });

  test("when the api's Redis is down, then login still works rather than answering 500", async () => {
    const up = await startApi();
    const session = await register(up);
    await up.close();
    const stack = await startApi({ redisUrl: 'redis://127.0.0.1:1' });
    try {
      const res = await call(stack, 'POST', '/auth/login', { body: { email: session.user.email, password: PASSWORD } });
      expect(res.status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});
