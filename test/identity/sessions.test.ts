import { call, PASSWORD, randomEmail, register } from '../support/auth';
import { apiForSuite, type TestStack } from '../support/stack';

let stack: TestStack;
apiForSuite((started) => (stack = started));

describe('accounts and sessions', () => {
  test('when someone registers, then they get a member account, an access token that works and a stored argon2id hash', async () => {
    const email = randomEmail();
    const res = await call(stack, 'POST', '/auth/register', {
      body: { email: email.toUpperCase(), password: PASSWORD, displayName: 'Ada', timezone: 'Europe/Berlin' },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({
      email,
      displayName: 'Ada',
      timezone: 'Europe/Berlin',
      role: 'member',
      emailVerified: false,
    });
    expect(res.body.user).not.toHaveProperty('passwordHash');
    expect(res.body.refreshToken).toMatch(/^rbr_/);

    const me = await call(stack, 'GET', '/users/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);
    const [row] = await stack.deps.dataSource.query('SELECT password_hash FROM users WHERE id = $1', [
      res.body.user.id,
    ]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  test('when the same email registers again in another letter case, then it is 409 EMAIL_TAKEN', async () => {
    const email = randomEmail();
    await register(stack, { email });
    const again = await call(stack, 'POST', '/auth/register', {
      body: { email: email.replace('id-', 'ID-').toUpperCase(), password: PASSWORD, displayName: 'Copy' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('EMAIL_TAKEN');
  });

  test('when a user logs in with the right password, then they get a new session; with a wrong one or an unknown email, the same 401', async () => {
    const { user } = await register(stack);
    const ok = await call(stack, 'POST', '/auth/login', {
      body: { email: user.email.toUpperCase(), password: PASSWORD },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(user.id);
    expect((await call(stack, 'GET', '/users/me', { token: ok.body.accessToken })).status).toBe(200);

    const wrong = await call(stack, 'POST', '/auth/login', { body: { email: user.email, password: `${PASSWORD}!` } });
    const unknown = await call(stack, 'POST', '/auth/login', { body: { email: randomEmail(), password: PASSWORD } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  test('when a refresh token is used, then a new pair comes back and the old refresh token is spent', async () => {
    const session = await register(stack);
    const next = await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(next.status).toBe(200);
    expect(next.body.refreshToken).not.toBe(session.refreshToken);
    expect((await call(stack, 'GET', '/users/me', { token: next.body.accessToken })).status).toBe(200);
    const third = await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: next.body.refreshToken } });
    expect(third.status).toBe(200);
  });

  test('when a spent refresh token is presented again, then it is 401 and the newest token of its family no longer works', async () => {
    const session = await register(stack);
    const rotated = await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(rotated.status).toBe(200);

    const replay = await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(replay.status).toBe(401);
    const newest = await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } });
    expect(newest.status).toBe(401);
    const [family] = await stack.deps.dataSource.query(
      `SELECT f.revoked_reason FROM refresh_token_families f WHERE f.user_id = $1`,
      [session.user.id],
    );
    expect(family.revoked_reason).toBe('reuse');
  });

  test("when a reused token revokes a family, then the same user's other sessions keep working", async () => {
    const first = await register(stack);
    const second = await call(stack, 'POST', '/auth/login', { body: { email: first.user.email, password: PASSWORD } });
    await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect((await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } })).status).toBe(
      401,
    );
    expect(
      (await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: second.body.refreshToken } })).status,
    ).toBe(200);
  });

  test('when a user logs out, then that refresh token and every token rotated from it stop working', async () => {
    const session = await register(stack);
    const rotated = await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    const out = await call(stack, 'POST', '/auth/logout', { body: { refreshToken: rotated.body.refreshToken } });
    expect(out.status).toBe(204);
    expect(
      (await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } })).status,
    ).toBe(401);
    expect(
      (await call(stack, 'POST', '/auth/logout', { body: { refreshToken: rotated.body.refreshToken } })).status,
    ).toBe(204);
  });

  test('when a refresh token is made up, then it is 401', async () => {
    const res = await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: 'rbr_not-a-real-token' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  test('when the OpenAPI document is read, then it describes the identity routes and their closed request bodies', async () => {
    const doc = await (await fetch(`${stack.baseUrl}/api/v1/openapi.json`)).json();
    for (const path of [
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/users/me',
      '/api/v1/users',
      '/api/v1/users/{id}',
      '/api/v1/rooms/{id}/display-tokens',
      '/api/v1/rooms/{id}/display-tokens/{tokenId}',
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    expect(doc.components.schemas.ProfileUpdate.additionalProperties).toBe(false);
    expect(doc.paths['/api/v1/users/me'].patch.security).toEqual([{ bearer: [] }]);
  });
});
