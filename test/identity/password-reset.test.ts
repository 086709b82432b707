import { call, clientIp, PASSWORD, randomEmail, register, type Session } from '../support/auth';
import { startApi, type TestStack } from '../support/stack';
import { accountMailTo, awaitAccountMail, linkToken } from './support';

const NEW_PASSWORD = 'a brand new passphrase 2026';
const login = (stack: TestStack, email: string, password: string) =>
  call(stack, 'POST', '/auth/login', { body: { email, password } });
const refresh = (stack: TestStack, refreshToken: string) =>
  call(stack, 'POST', '/auth/refresh', { body: { refreshToken } });

describe('password reset and change', () => {
  let stack: TestStack;
  beforeAll(async () => {
    const base = (await import('../../src/config')).loadConfig();
    // Two reset mails per address per window: enough for every test here, and the limit test reaches it.
    stack = await startApi({
      rateLimits: { ...base.rateLimits, accountMailPerAddress: { limit: 2, windowSeconds: 3600 } },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('when a person resets their password by mail, then the new password works and the old password, every old refresh token and a second use of the link are refused', async () => {
    const email = randomEmail();
    const first: Session = await register(stack, { email });
    const second = (await login(stack, email, PASSWORD)).body as Session;
    const rotated = (await refresh(stack, second.refreshToken)).body as Session;

    const asked = await call(stack, 'POST', '/auth/password/forgot', { body: { email } });
    expect(asked.status).toBe(202);
    const mail = await awaitAccountMail(email, 'password-reset');
    expect(mail.subject).toContain('Reset');
    const { token } = linkToken(mail, 'Reset your password');

    const reset = await call(stack, 'POST', '/auth/password/reset', { body: { token, newPassword: NEW_PASSWORD } });
    expect(reset.status).toBe(200);
    // Following a link that was mailed to the address proves it as well.
    expect(reset.body.user).toMatchObject({ email, emailVerified: true });

    expect((await login(stack, email, NEW_PASSWORD)).status).toBe(200);
    const old = await login(stack, email, PASSWORD);
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('INVALID_CREDENTIALS');
    for (const refreshToken of [first.refreshToken, rotated.refreshToken]) {
      const refused = await refresh(stack, refreshToken);
      expect(refused.status).toBe(401);
    }
    const reused = await call(stack, 'POST', '/auth/password/reset', {
      body: { token, newPassword: 'yet another passphrase 99' },
    });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('INVALID_LINK');
    expect((await login(stack, email, NEW_PASSWORD)).status).toBe(200);
  });

  test('when an unknown address asks for a reset, then the answer is the same as for a known one and no mail is sent', async () => {
    const known = randomEmail();
    await register(stack, { email: known });
    const unknown = randomEmail();
    const forKnown = await call(stack, 'POST', '/auth/password/forgot', { body: { email: known } });
    const forUnknown = await call(stack, 'POST', '/auth/password/forgot', { body: { email: unknown } });
    expect(forUnknown.status).toBe(forKnown.status);
    expect(forUnknown.body).toEqual(forKnown.body);
    await awaitAccountMail(known, 'password-reset');
    // The known address's message arrived; one for the unknown address would have been sent at the same moment.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await accountMailTo(unknown)).toEqual([]);
  });

  test('when two reset links were mailed and one is used, then the other is dead too', async () => {
    const email = randomEmail();
    await register(stack, { email });
    await call(stack, 'POST', '/auth/password/forgot', { body: { email } });
    await call(stack, 'POST', '/auth/password/forgot', { body: { email } });
    const a = linkToken(await awaitAccountMail(email, 'password-reset', 1), 'Reset your password').token;
    const b = linkToken(await awaitAccountMail(email, 'password-reset', 2), 'Reset your password').token;
    const [first, second] = await Promise.all([
      call(stack, 'POST', '/auth/password/reset', { body: { token: a, newPassword: NEW_PASSWORD } }),
      call(stack, 'POST', '/auth/password/reset', { body: { token: b, newPassword: 'the other passphrase 77' } }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 400]);
  });

  test('when one address asks too often, then it is 429 with Retry-After, whether or not it has an account', async () => {
    for (const email of [randomEmail(), (await register(stack)).user.email]) {
      const answers = [];
      for (let i = 0; i < 3; i += 1)
        answers.push(await call(stack, 'POST', '/auth/password/forgot', { body: { email }, ip: clientIp() }));
      expect(answers.map((a) => a.status)).toEqual([202, 202, 429]);
      expect(answers[2].headers.get('retry-after')).toMatch(/^\d+$/);
    }
  });

  test('when a reset token is malformed, expired-looking or for another purpose, then it is 400 INVALID_LINK; a short new password is 400 naming newPassword', async () => {
    const session = await register(stack);
    for (const token of ['nonsense', session.accessToken, session.refreshToken]) {
      const res = await call(stack, 'POST', '/auth/password/reset', { body: { token, newPassword: NEW_PASSWORD } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_LINK');
    }
    const short = await call(stack, 'POST', '/auth/password/reset', { body: { token: 'x', newPassword: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('newPassword');
  });

  test('when a signed-in person changes their password, then the current one is required, every other session ends and the answer is a new session', async () => {
    const email = randomEmail();
    const first: Session = await register(stack, { email });
    const other = (await login(stack, email, PASSWORD)).body as Session;

    const wrong = await call(stack, 'POST', '/users/me/password', {
      token: first.accessToken,
      body: { currentPassword: 'not my password!!', newPassword: NEW_PASSWORD },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('WRONG_PASSWORD');

    const changed = await call(stack, 'POST', '/users/me/password', {
      token: first.accessToken,
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ user: { email }, tokenType: 'Bearer' });
    expect((await refresh(stack, first.refreshToken)).status).toBe(401);
    expect((await refresh(stack, other.refreshToken)).status).toBe(401);
    expect((await refresh(stack, changed.body.refreshToken)).status).toBe(200);
    expect((await login(stack, email, PASSWORD)).status).toBe(401);
    expect((await login(stack, email, NEW_PASSWORD)).status).toBe(200);
  });

  test('when the mailed reset link is opened in a browser, then it shows a form, changes nothing by itself, and the form post sets the password', async () => {
    const email = randomEmail();
    await register(stack, { email });
    await call(stack, 'POST', '/auth/password/forgot', { body: { email } });
    const mailed = new URL(linkToken(await awaitAccountMail(email, 'password-reset'), 'Reset your password').url);
    // The link names PUBLIC_URL; this test's api listens on its own port.
    const page = await fetch(`${stack.baseUrl}${mailed.pathname}${mailed.search}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('name="newPassword"');
    expect((await login(stack, email, PASSWORD)).status).toBe(200);
    const token = /name="token" value="([^"]+)"/.exec(html)![1];
    const posted = await fetch(`${stack.baseUrl}/api/v1/auth/password/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ token, newPassword: NEW_PASSWORD }).toString(),
    });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('Your password is changed');
    expect((await login(stack, email, NEW_PASSWORD)).status).toBe(200);
  });

  test('when the OpenAPI document is read, then it describes verification, password change and reset, and single sign-on', async () => {
    const doc = await (await fetch(`${stack.baseUrl}/api/v1/openapi.json`)).json();
    for (const path of [
      '/api/v1/auth/verify-email',
      '/api/v1/auth/resend-verification',
      '/api/v1/auth/password/forgot',
      '/api/v1/auth/password/reset',
      '/api/v1/users/me/password',
      '/api/v1/users/me/email',
      '/api/v1/auth/oidc/login',
      '/api/v1/auth/oidc/callback',
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
    expect(doc.components.schemas.User.properties.emailVerified).toBeDefined();
    const headerNames = (op: { parameters?: { in: string; name: string }[] }) =>
      (op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
    expect(headerNames(doc.paths['/api/v1/series'].post)).toContain('idempotency-key');
    expect(headerNames(doc.paths['/api/v1/rooms/{id}/walk-up'].post)).toContain('idempotency-key');
  });
});
