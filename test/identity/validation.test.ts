import { call, PASSWORD, randomEmail, register } from '../support/auth';
import { createRoom, createUser } from '../support/fixtures';
import { apiForSuite, type TestStack } from '../support/stack';

let stack: TestStack;
apiForSuite((started) => (stack = started));

const fieldsOf = (body: any): string[] => body.error.details.fields.map((f: { field: string }) => f.field);

describe('bad input to identity routes', () => {
  const email = () => randomEmail();
  const cases: [string, (email: string) => unknown, string][] = [
    ['the email is missing', () => ({ password: PASSWORD, displayName: 'A' }), 'email'],
    ['the email is not an email', () => ({ email: 'not-an-email', password: PASSWORD, displayName: 'A' }), 'email'],
    [
      'the email is too long',
      () => ({ email: `${'a'.repeat(250)}@example.test`, password: PASSWORD, displayName: 'A' }),
      'email',
    ],
    ['the password is missing', (e) => ({ email: e, displayName: 'A' }), 'password'],
    ['the password is a number', (e) => ({ email: e, password: 123456789012345, displayName: 'A' }), 'password'],
    ['the password is shorter than 12', (e) => ({ email: e, password: 'short pass', displayName: 'A' }), 'password'],
    ['the password is longer than 128', (e) => ({ email: e, password: 'p'.repeat(129), displayName: 'A' }), 'password'],
    ['the display name is missing', (e) => ({ email: e, password: PASSWORD }), 'displayName'],
    [
      'the display name is too long',
      (e) => ({ email: e, password: PASSWORD, displayName: 'n'.repeat(101) }),
      'displayName',
    ],
    ['the display name is blank', (e) => ({ email: e, password: PASSWORD, displayName: '   ' }), 'displayName'],
    [
      'the time zone is not an IANA zone',
      (e) => ({ email: e, password: PASSWORD, displayName: 'A', timezone: 'Mars/Olympus_Mons' }),
      'timezone',
    ],
    [
      'the time zone is an offset',
      (e) => ({ email: e, password: PASSWORD, displayName: 'A', timezone: '+02:00' }),
      'timezone',
    ],
    ['a role is sent', (e) => ({ email: e, password: PASSWORD, displayName: 'A', role: 'admin' }), 'role'],
  ];

  test.each(cases)(
    'when someone registers and %s, then it is 400 naming the field and no account is written',
    async (_name, makeBody, field) => {
      const address = email();
      const res = await call(stack, 'POST', '/auth/register', { body: makeBody(address) });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(res.body)).toContain(field);
      const [{ n }] = await stack.deps.dataSource.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [
        address,
      ]);
      expect(n).toBe(0);
    },
  );

  test('when a profile update has a bad time zone, an overlong name or a wrong type, then it is 400 naming the field and the profile is unchanged', async () => {
    const session = await register(stack, { timezone: 'Europe/Paris' });
    const bad: [unknown, string][] = [
      [{ timezone: 'Nowhere/Land' }, 'timezone'],
      [{ displayName: 'x'.repeat(101) }, 'displayName'],
      [{ displayName: 42 }, 'displayName'],
      [{ notificationPrefs: { reminders: 'sometimes' } }, 'notificationPrefs.reminders'],
      [{ notificationPrefs: { sms: true } }, 'notificationPrefs.sms'],
      [{ timezone: 'UTC', displayName: 'Fine', passwordHash: 'x' }, 'passwordHash'],
    ];
    for (const [body, field] of bad) {
      const res = await call(stack, 'PATCH', '/users/me', { token: session.accessToken, body });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toContain(field);
    }
    const [row] = await stack.deps.dataSource.query(
      'SELECT display_name, timezone, notification_prefs, updated_at, created_at FROM users WHERE id = $1',
      [session.user.id],
    );
    expect(row).toMatchObject({ display_name: 'Test Person', timezone: 'Europe/Paris', notification_prefs: {} });
  });

  test('when login, refresh or logout miss their fields, then it is 400 naming them', async () => {
    const login = await call(stack, 'POST', '/auth/login', { body: { email: randomEmail() } });
    expect(login.status).toBe(400);
    expect(fieldsOf(login.body)).toEqual(['password']);
    const refresh = await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: 12 } });
    expect(fieldsOf(refresh.body)).toEqual(['refreshToken']);
    const logout = await call(stack, 'POST', '/auth/logout', { body: {} });
    expect(fieldsOf(logout.body)).toEqual(['refreshToken']);
  });

  test('when a display token request has no name, an overlong one or a room id that is not a UUID, then it is 400 and nothing is written', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const room = await createRoom(stack);
    const noName = await call(stack, 'POST', `/rooms/${room.id}/display-tokens`, { token: manager.token, body: {} });
    expect(fieldsOf(noName.body)).toEqual(['name']);
    const long = await call(stack, 'POST', `/rooms/${room.id}/display-tokens`, {
      token: manager.token,
      body: { name: 'n'.repeat(101) },
    });
    expect(fieldsOf(long.body)).toEqual(['name']);
    const badId = await call(stack, 'POST', '/rooms/not-a-uuid/display-tokens', {
      token: manager.token,
      body: { name: 'Door' },
    });
    expect(badId.status).toBe(400);
    expect(fieldsOf(badId.body)).toEqual(['id']);
    const [{ n }] = await stack.deps.dataSource.query(
      'SELECT count(*)::int AS n FROM display_tokens WHERE room_id = $1',
      [room.id],
    );
    expect(n).toBe(0);
  });

  test('when an admin lists users with a bad page size, then it is 400 naming it', async () => {
    const admin = await createUser(stack, { role: 'admin' });
    const res = await call(stack, 'GET', '/users?pageSize=1000', { token: admin.token });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['pageSize']);
  });
});
