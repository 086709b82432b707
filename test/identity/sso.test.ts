import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { verifyAccessToken } from '../../src/api/auth/jwt';
import { call, PASSWORD, randomEmail, register } from '../support/auth';
import { createUser } from '../support/fixtures';
import { startApi, type TestStack } from '../support/stack';

const CLIENT_ID = 'roombook-test';
const CLIENT_SECRET = `secret-${randomUUID()}`;
const APP = 'http://app.example.test';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startProvider(port: number, redirectUri: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
    env: {
      ...process.env,
      PORT: String(port),
      CLIENT_ID,
      CLIENT_SECRET,
      REDIRECT_URI: redirectUri,
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the OpenID provider exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.includes('"ready"')) resolve();
    });
  });
  return child;
}

/** A person at the provider: the login name carries the claims (see oidc-provider.mjs). */
interface Person {
  email?: string;
  email_verified?: boolean;
  name?: string;
  roombook_role?: string;
  tamper?: 'aud' | 'nonce';
  id?: string;
}
const loginName = (person: Person) =>
  Buffer.from(JSON.stringify({ id: randomUUID(), ...person })).toString('base64url');

/** A browser's cookies, per host:port (paths ignored: every cookie goes to its whole host). */
class CookieJar {
  private readonly jar = new Map<string, Map<string, string>>();
  store(url: URL, res: Response): void {
    const cookies = this.jar.get(url.host) ?? new Map<string, string>();
    for (const header of res.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const [name, ...value] = pair.split('=');
      const expired =
        attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()) ||
        value.join('=') === '';
      if (expired) cookies.delete(name.trim());
      else cookies.set(name.trim(), value.join('='));
    }
    this.jar.set(url.host, cookies);
  }
  header(url: URL): string {
    return [...(this.jar.get(url.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * A browser going through the whole redirect flow by hand: the API's login, the provider's login
 * and consent pages (forms filled and posted), back to the API's callback, to the client's page.
 * `beforeCallback` may change the callback URL (an attacker's tampering).
 */
async function signIn(
  stack: TestStack,
  person: Person,
  opts: { redirectUri?: string; beforeCallback?: (url: URL) => URL; jar?: CookieJar } = {},
) {
  const jar = opts.jar ?? new CookieJar();
  const redirectUri = opts.redirectUri ?? `${APP}/signed-in`;
  let url = new URL(`${stack.baseUrl}/api/v1/auth/oidc/login?redirectUri=${encodeURIComponent(redirectUri)}`);
  let init: RequestInit = {};
  for (let step = 0; step < 20; step += 1) {
    const callback = url.pathname === '/api/v1/auth/oidc/callback';
    if (callback && opts.beforeCallback) url = opts.beforeCallback(url);
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header(url), accept: 'text/html' },
    });
    jar.store(url, res);
    init = {};
    const location = res.headers.get('location');
    if (callback) return { status: res.status, location, body: location ? undefined : await res.json() };
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${html.slice(0, 300)}`);
    // The provider's login or consent page: post its form.
    const form = /<form[^>]*action="([^"]+)"[^>]*method="post"/.exec(html);
    if (!form) throw new Error(`No form at ${url}: ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const input of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
      fields.set(input[1], input[2]);
    if (/name="login"/.test(html)) {
      fields.set('login', loginName(person));
      fields.set('password', 'any password');
    }
    url = new URL(form[1].replace(/&amp;/g, '&'), url);
    init = {
      method: 'POST',
      body: fields.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    };
  }
  throw new Error('too many redirects');
}

const fragmentOf = (location: string | null) => new URLSearchParams(new URL(location ?? '').hash.slice(1));

describe('single sign-on with OpenID Connect (a real local provider)', () => {
  let stack: TestStack;
  let provider: ChildProcess;

  beforeAll(async () => {
    const [apiPort, providerPort] = [await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    stack = await startApi({
      port: apiPort,
      publicUrl: apiUrl,
      oidc: {
        issuer: `http://127.0.0.1:${providerPort}`,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        roleClaim: 'roombook_role',
        redirectOrigins: [apiUrl, APP],
      },
    });
    provider = await startProvider(providerPort, `${apiUrl}/api/v1/auth/oidc/callback`);
  });
  afterAll(async () => {
    provider?.kill('SIGTERM');
    await stack?.close();
  });

  test("when a new person signs in at the provider, then an account is created (verified, role member) and the client page gets the API's own token pair in the fragment", async () => {
    const email = randomEmail();
    const done = await signIn(stack, { email, email_verified: true, name: 'Grace Hopper' });
    expect(done.status).toBe(302);
    expect(done.location!.startsWith(`${APP}/signed-in#`)).toBe(true);
    const fragment = fragmentOf(done.location);
    expect(fragment.get('tokenType')).toBe('Bearer');
    expect(fragment.get('expiresIn')).toBe('900');
    const principal = verifyAccessToken(stack.config.jwtSecret, fragment.get('accessToken')!);
    expect(principal).toMatchObject({ kind: 'user', role: 'member' });

    const me = await call(stack, 'GET', '/users/me', { token: fragment.get('accessToken')! });
    expect(me.body).toMatchObject({ email, displayName: 'Grace Hopper', role: 'member', emailVerified: true });
    const refreshed = await call(stack, 'POST', '/auth/refresh', {
      body: { refreshToken: fragment.get('refreshToken') },
    });
    expect(refreshed.status).toBe(200);

    // The same person again: the same account (found by the provider's subject).
    const again = fragmentOf(
      (await signIn(stack, { email, email_verified: true, name: 'Grace Hopper', id: 'fixed' })).location,
    );
    const againMe = await call(stack, 'GET', '/users/me', { token: again.get('accessToken')! });
    expect(againMe.body.id).toBe(me.body.id);
    const [{ n }] = await stack.deps.dataSource.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email]);
    expect(n).toBe(1);
  });

  test('when someone with a verified local account signs in with the same verified address, then that account is linked, not duplicated, and keeps its password', async () => {
    const local = await createUser(stack, { emailVerified: true });
    await stack.deps.dataSource.query('UPDATE users SET password_hash = $2 WHERE id = $1', [
      local.id,
      await (await import('../../src/identity/passwords')).hashPassword(PASSWORD),
    ]);
    const fragment = fragmentOf(
      (await signIn(stack, { email: local.email.toUpperCase(), email_verified: true })).location,
    );
    const me = await call(stack, 'GET', '/users/me', { token: fragment.get('accessToken')! });
    expect(me.body.id).toBe(local.id);
    const [link] = await stack.deps.dataSource.query('SELECT user_id FROM user_identities WHERE user_id = $1', [
      local.id,
    ]);
    expect(link.user_id).toBe(local.id);
    expect(
      (await call(stack, 'POST', '/auth/login', { body: { email: local.email, password: PASSWORD } })).status,
    ).toBe(200);
  });

  test("when the address was registered locally but never verified, then single sign-on takes it over: the squatter's password and sessions stop working", async () => {
    const email = randomEmail();
    const squatter = await register(stack, { email });
    const fragment = fragmentOf((await signIn(stack, { email, email_verified: true })).location);
    const me = await call(stack, 'GET', '/users/me', { token: fragment.get('accessToken')! });
    expect(me.body).toMatchObject({ id: squatter.user.id, emailVerified: true });
    expect((await call(stack, 'POST', '/auth/login', { body: { email, password: PASSWORD } })).status).toBe(401);
    expect((await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: squatter.refreshToken } })).status).toBe(
      401,
    );
  });

  test('when the provider names a role in OIDC_ROLE_CLAIM, then the account gets it at sign-in and follows it at the next sign-in', async () => {
    const email = randomEmail();
    const first = fragmentOf(
      (await signIn(stack, { email, email_verified: true, roombook_role: 'facility_manager', id: `fm-${email}` }))
        .location,
    );
    expect(verifyAccessToken(stack.config.jwtSecret, first.get('accessToken')!)).toMatchObject({
      role: 'facility_manager',
    });
    expect((await call(stack, 'GET', '/users/me', { token: first.get('accessToken')! })).body.role).toBe(
      'facility_manager',
    );
    const second = fragmentOf(
      (await signIn(stack, { email, email_verified: true, roombook_role: 'member', id: `fm-${email}` })).location,
    );
    expect(verifyAccessToken(stack.config.jwtSecret, second.get('accessToken')!)).toMatchObject({ role: 'member' });
  });

  test('when the provider has not verified the email claim, then the sign-in is refused and no account is made', async () => {
    const email = randomEmail();
    const done = await signIn(stack, { email, email_verified: false });
    expect(done.status).toBe(302);
    const fragment = fragmentOf(done.location);
    expect(fragment.get('error')).toBe('OIDC_EMAIL_UNVERIFIED');
    expect(fragment.get('accessToken')).toBeNull();
    expect(await stack.deps.dataSource.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
  });

  test('when the state coming back is tampered with, then the callback refuses it (400) and no tokens are issued', async () => {
    const done = await signIn(
      stack,
      { email: randomEmail(), email_verified: true },
      {
        beforeCallback: (url) => {
          const tampered = new URL(url);
          tampered.searchParams.set('state', `${url.searchParams.get('state')}x`);
          return tampered;
        },
      },
    );
    expect(done.status).toBe(400);
    expect(done.body.error.code).toBe('OIDC_STATE_INVALID');
  });

  test('when the callback URL is replayed in another browser, then the binding cookie is missing and it is refused (400)', async () => {
    let captured: URL | undefined;
    await signIn(
      stack,
      { email: randomEmail(), email_verified: true },
      {
        beforeCallback: (url) => {
          captured = url;
          // Send the real browser somewhere harmless: the attacker's browser uses the URL below.
          const wasted = new URL(url);
          wasted.searchParams.set('state', 'wasted');
          return wasted;
        },
      },
    );
    const replay = await fetch(captured!, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error.code).toBe('OIDC_STATE_INVALID');
  });

  test('when the ID token carries another nonce, then it is refused (OIDC_REFUSED, nonce) and no tokens are issued', async () => {
    const done = await signIn(stack, { email: randomEmail(), email_verified: true, tamper: 'nonce' });
    const fragment = fragmentOf(done.location);
    expect(fragment.get('error')).toBe('OIDC_REFUSED');
    expect(fragment.get('message')).toMatch(/nonce/);
    expect(fragment.get('accessToken')).toBeNull();
  });

  test('when the ID token is for another audience, then it is refused (OIDC_REFUSED, aud) and no tokens are issued', async () => {
    const done = await signIn(stack, { email: randomEmail(), email_verified: true, tamper: 'aud' });
    const fragment = fragmentOf(done.location);
    expect(fragment.get('error')).toBe('OIDC_REFUSED');
    expect(fragment.get('message')).toMatch(/aud/);
    expect(fragment.get('accessToken')).toBeNull();
  });

  test('when the redirectUri is at an origin that is not allowed, then login is a 400 and nothing is redirected', async () => {
    for (const redirectUri of ['https://evil.example/steal', 'not a url', `${APP}/page#x`]) {
      const res = await fetch(
        `${stack.baseUrl}/api/v1/auth/oidc/login?redirectUri=${encodeURIComponent(redirectUri)}`,
        { redirect: 'manual' },
      );
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('INVALID_REDIRECT_URI');
    }
  });
});

describe('single sign-on when not configured', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startApi({ oidc: undefined });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('when OIDC_ISSUER is not set, then the login answers 404 OIDC_NOT_CONFIGURED', async () => {
    const res = await fetch(
      `${stack.baseUrl}/api/v1/auth/oidc/login?redirectUri=${encodeURIComponent(stack.baseUrl)}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('OIDC_NOT_CONFIGURED');
  });
});
