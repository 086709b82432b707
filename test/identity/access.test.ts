import { changeRole } from '../../src/db/repositories/users';
import { call, PASSWORD, randomEmail, register } from '../support/auth';
import { createRoom, createUser } from '../support/fixtures';
import { apiForSuite, type TestStack } from '../support/stack';

let stack: TestStack;
apiForSuite((started) => (stack = started));

describe('function-level access', () => {
  test('when a member reaches room management or user administration, then every one answers 403', async () => {
    const member = await createUser(stack);
    const other = await createUser(stack);
    const room = await createRoom(stack);
    const attempts: [string, string, unknown?][] = [
      ['POST', '/rooms', { name: 'Mine now', building: 'HQ', floor: '1', capacity: 4, timezone: 'UTC' }],
      ['PATCH', `/rooms/${room.id}`, { name: 'Renamed' }],
      ['DELETE', `/rooms/${room.id}`],
      ['POST', `/rooms/${room.id}/display-tokens`, { name: 'Door' }],
      ['GET', `/rooms/${room.id}/display-tokens`],
      ['GET', '/users'],
      ['PATCH', `/users/${other.id}`, { role: 'admin' }],
      ['PATCH', `/users/${member.id}`, { role: 'admin' }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(stack, method, path, { token: member.token, body });
      expect(`${method} ${path} → ${res.status} ${res.body?.error?.code}`).toBe(`${method} ${path} → 403 FORBIDDEN`);
    }
    const [row] = await stack.deps.dataSource.query('SELECT role FROM users WHERE id = $1', [member.id]);
    expect(row.role).toBe('member');
  });

  test('when a facility manager reaches user administration, then it is 403 (admins only)', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    expect((await call(stack, 'GET', '/users', { token: manager.token })).status).toBe(403);
  });

  test('when a member sends role or emailVerified in PATCH /users/me, then it is 400 naming the field and nothing changes', async () => {
    const session = await register(stack);
    for (const body of [
      { role: 'admin' },
      { emailVerified: true },
      { displayName: 'Sneaky', role: 'admin' },
      { email: 'new@example.test' },
    ]) {
      const res = await call(stack, 'PATCH', '/users/me', { token: session.accessToken, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      const forbiddenField = Object.keys(body).find((k) => k !== 'displayName');
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(forbiddenField);
    }
    const [row] = await stack.deps.dataSource.query(
      'SELECT role, email_verified, display_name, email FROM users WHERE id = $1',
      [session.user.id],
    );
    expect(row).toEqual({
      role: 'member',
      email_verified: false,
      display_name: 'Test Person',
      email: session.user.email,
    });
    const fresh = await call(stack, 'POST', '/auth/login', { body: { email: session.user.email, password: PASSWORD } });
    expect(fresh.body.user.role).toBe('member');
  });

  test('when a member updates their profile, then name, time zone and notification preferences change and are read back', async () => {
    const session = await register(stack);
    const res = await call(stack, 'PATCH', '/users/me', {
      token: session.accessToken,
      body: { displayName: '  Grace Hopper ', timezone: 'america/new_york', notificationPrefs: { reminders: false } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      displayName: 'Grace Hopper',
      timezone: 'America/New_York',
      notificationPrefs: { reminders: false, bookingUpdates: true, reviewPrompts: true },
    });
    const me = await call(stack, 'GET', '/users/me', { token: session.accessToken });
    expect(me.body).toEqual(res.body);
    expect(Date.parse(me.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(me.body.createdAt));
  });

  test('when an admin lists users, then the list is paginated and searchable by email or name', async () => {
    const admin = await createUser(stack, { role: 'admin' });
    const tag = randomEmail().slice(3, 11);
    for (let i = 0; i < 3; i += 1)
      await createUser(stack, { email: `${tag}-${i}@example.test`, displayName: `Person ${i}` });
    await createUser(stack, { displayName: `Named ${tag}` });

    const page1 = await call(stack, 'GET', `/users?search=${tag}&pageSize=2`, { token: admin.token });
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ page: 1, pageSize: 2, total: 4 });
    expect(page1.body.items).toHaveLength(2);
    const page2 = await call(stack, 'GET', `/users?search=${tag}&pageSize=2&page=2`, { token: admin.token });
    expect(page2.body.items).toHaveLength(2);
    const ids = [...page1.body.items, ...page2.body.items].map((u: { id: string }) => u.id);
    expect(new Set(ids).size).toBe(4);
    expect(page1.body.items[0]).not.toHaveProperty('passwordHash');

    const wildcard = await call(stack, 'GET', '/users?search=%25', { token: admin.token });
    expect(wildcard.body.total).toBe(0);
  });

  test('when an admin changes a role, then the user gets it with their next refresh', async () => {
    const admin = await createUser(stack, { role: 'admin' });
    const session = await register(stack);
    const changed = await call(stack, 'PATCH', `/users/${session.user.id}`, {
      token: admin.token,
      body: { role: 'facility_manager' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.role).toBe('facility_manager');
    const refreshed = await call(stack, 'POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(refreshed.body.user.role).toBe('facility_manager');
    const room = await createRoom(stack);
    expect(
      (await call(stack, 'GET', `/rooms/${room.id}/display-tokens`, { token: refreshed.body.accessToken })).status,
    ).toBe(200);
  });

  test('when an admin changes the role of an unknown user or to the display role, then it is 404 or 400', async () => {
    const admin = await createUser(stack, { role: 'admin' });
    const unknown = await call(stack, 'PATCH', '/users/00000000-0000-4000-8000-000000000000', {
      token: admin.token,
      body: { role: 'member' },
    });
    expect(unknown.status).toBe(404);
    const display = await call(stack, 'PATCH', `/users/${admin.id}`, { token: admin.token, body: { role: 'display' } });
    expect(display.status).toBe(400);
    expect(display.body.error.details.fields[0].field).toBe('role');
  });

  test('when the last admin would be demoted, then it is refused with 409 LAST_ADMIN', async () => {
    const admin = await createUser(stack, { role: 'admin' });
    // Other test files have admins in this database: demote them inside a transaction that is
    // rolled back, so this test sees a single admin without disturbing anyone else.
    const runner = stack.deps.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query("UPDATE users SET role = 'member' WHERE role = 'admin' AND id <> $1", [admin.id]);
      await expect(changeRole(runner, admin.id, 'member')).rejects.toMatchObject({ status: 409, code: 'LAST_ADMIN' });
      await runner.query(
        "UPDATE users SET role = 'admin' WHERE id = (SELECT id FROM users WHERE role = 'member' LIMIT 1)",
      );
      await expect(changeRole(runner, admin.id, 'member')).resolves.toMatchObject({ role: 'member' });
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  test('when an admin demotes themselves while another admin exists, then it is allowed through the API', async () => {
    const admin = await createUser(stack, { role: 'admin' });
    await createUser(stack, { role: 'admin' });
    const res = await call(stack, 'PATCH', `/users/${admin.id}`, { token: admin.token, body: { role: 'member' } });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('member');
  });
});
