import { ensureBootstrapAdmin } from '../../src/identity/bootstrap-admin';
import { createLogger } from '../../src/infra/logger';
import { call, PASSWORD, randomEmail } from '../support/auth';
import { createUser } from '../support/fixtures';
import { apiForSuite, type TestStack } from '../support/stack';

let stack: TestStack;
const logger = createLogger('silent', 'test');
apiForSuite((started) => (stack = started));

describe('bootstrap admin', () => {
  test('when the configured admin does not exist, then it is created as a verified admin who can sign in', async () => {
    const email = randomEmail();
    expect(
      await ensureBootstrapAdmin(stack.deps.dataSource, { email: email.toUpperCase(), password: PASSWORD }, logger),
    ).toBe('created');
    const login = await call(stack, 'POST', '/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ email, role: 'admin', emailVerified: true });
    expect((await call(stack, 'GET', '/users', { token: login.body.accessToken })).status).toBe(200);
  });

  test('when the admin already exists, then a later start with another password changes nothing', async () => {
    const email = randomEmail();
    await ensureBootstrapAdmin(stack.deps.dataSource, { email, password: PASSWORD }, logger);
    const [before] = await stack.deps.dataSource.query('SELECT * FROM users WHERE email = $1', [email]);
    expect(
      await ensureBootstrapAdmin(stack.deps.dataSource, { email, password: 'a different long password' }, logger),
    ).toBe('exists');
    const [after] = await stack.deps.dataSource.query('SELECT * FROM users WHERE email = $1', [email]);
    expect(after).toEqual(before);
    expect(
      (await call(stack, 'POST', '/auth/login', { body: { email, password: 'a different long password' } })).status,
    ).toBe(401);
  });

  test('when the configured email belongs to an existing member, then the member is not promoted', async () => {
    const member = await createUser(stack);
    expect(await ensureBootstrapAdmin(stack.deps.dataSource, { email: member.email, password: PASSWORD }, logger)).toBe(
      'exists',
    );
    const [row] = await stack.deps.dataSource.query('SELECT role, password_hash FROM users WHERE id = $1', [member.id]);
    expect(row).toEqual({ role: 'member', password_hash: null });
  });

  test('when two api processes start together, then the admin is created once', async () => {
    const email = randomEmail();
    const outcomes = await Promise.all([
      ensureBootstrapAdmin(stack.deps.dataSource, { email, password: PASSWORD }, logger),
      ensureBootstrapAdmin(stack.deps.dataSource, { email, password: PASSWORD }, logger),
    ]);
    expect(outcomes.sort()).toEqual(['created', 'exists']);
    const [{ n }] = await stack.deps.dataSource.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email]);
    expect(n).toBe(1);
  });

  test('when no bootstrap admin is configured, then nothing is created', async () => {
    expect(await ensureBootstrapAdmin(stack.deps.dataSource, undefined, logger)).toBe('not-configured');
  });
});
