import { call } from '../support/auth';
import { createRoom, createUser } from '../support/fixtures';
import { apiForSuite, type TestStack } from '../support/stack';
import { createTokenVerifier } from '../../src/api/auth/verifier';

let stack: TestStack;
apiForSuite((started) => (stack = started));

/** A display token for the room, made through the API by a member of staff; fails the test unless it answers 201. */
async function issueToken(roomId: string, staff: { token: string }, name: string) {
  const res = await call(stack, 'POST', `/rooms/${roomId}/display-tokens`, { token: staff.token, body: { name } });
  expect(res.status).toBe(201);
  return res.body;
}

describe('display tokens', () => {
  test('when a facility manager issues a display token, then it is shown once, listed without its secret and stored only as a hash', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const room = await createRoom(stack);
    const created = await call(stack, 'POST', `/rooms/${room.id}/display-tokens`, {
      token: manager.token,
      body: { name: 'Door tablet' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ roomId: room.id, name: 'Door tablet', createdBy: manager.id });
    expect(created.body.token).toMatch(/^rbd_[A-Za-z0-9_-]{43}$/);

    const listed = await call(stack, 'GET', `/rooms/${room.id}/display-tokens`, { token: manager.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      {
        id: created.body.id,
        roomId: room.id,
        name: 'Door tablet',
        createdBy: manager.id,
        createdAt: created.body.createdAt,
      },
    ]);
    const [row] = await stack.deps.dataSource.query('SELECT token_hash FROM display_tokens WHERE id = $1', [
      created.body.id,
    ]);
    expect(row.token_hash).not.toContain(created.body.token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('when a display token is used, then the shared verifier gives a display principal bound to its room', async () => {
    const admin = await createUser(stack, { role: 'admin' });
    const room = await createRoom(stack);
    const body = await issueToken(room.id, admin, 'Lobby');
    const principal = await createTokenVerifier(stack.deps).verify(body.token);
    expect(principal).toEqual({ kind: 'display', displayTokenId: body.id, roomId: room.id, role: 'display' });
  });

  test('when a display token is used for its own room, then it works; for another room, then it is 403', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const [roomA, roomB] = [await createRoom(stack), await createRoom(stack)];
    const body = await issueToken(roomA.id, manager, 'A door');
    const own = await call(stack, 'GET', `/rooms/${roomA.id}/display-session`, { token: body.token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: body.id, roomId: roomA.id });
    const other = await call(stack, 'GET', `/rooms/${roomB.id}/display-session`, { token: body.token });
    expect(other.status).toBe(403);
  });

  test("when a display token reaches people's or staff endpoints, then it is 403", async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const room = await createRoom(stack);
    const body = await issueToken(room.id, manager, 'Door');
    for (const [method, path, payload] of [
      ['GET', '/users/me'],
      ['GET', '/users'],
      ['GET', `/rooms/${room.id}/display-tokens`],
      ['POST', `/rooms/${room.id}/display-tokens`, { name: 'Another' }],
      ['PATCH', `/rooms/${room.id}`, { name: 'Renamed by the door' }],
    ] as [string, string, unknown?][]) {
      const res = await call(stack, method, path, { token: body.token, body: payload });
      expect(`${method} ${path} → ${res.status}`).toBe(`${method} ${path} → 403`);
    }
  });

  test('when a display token is revoked, then the device is refused at once and the token leaves the list', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const room = await createRoom(stack);
    const body = await issueToken(room.id, manager, 'Door');
    expect((await call(stack, 'GET', `/rooms/${room.id}/display-session`, { token: body.token })).status).toBe(200);

    const revoked = await call(stack, 'DELETE', `/rooms/${room.id}/display-tokens/${body.id}`, {
      token: manager.token,
    });
    expect(revoked.status).toBe(204);
    const after = await call(stack, 'GET', `/rooms/${room.id}/display-session`, { token: body.token });
    expect(after.status).toBe(401);
    expect((await call(stack, 'GET', `/rooms/${room.id}/display-tokens`, { token: manager.token })).body.items).toEqual(
      [],
    );
    expect(
      (await call(stack, 'DELETE', `/rooms/${room.id}/display-tokens/${body.id}`, { token: manager.token })).status,
    ).toBe(404);
  });

  test('when a token id is revoked through another room, then it is 404 and the token keeps working', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const [roomA, roomB] = [await createRoom(stack), await createRoom(stack)];
    const body = await issueToken(roomA.id, manager, 'Door');
    expect(
      (await call(stack, 'DELETE', `/rooms/${roomB.id}/display-tokens/${body.id}`, { token: manager.token })).status,
    ).toBe(404);
    expect((await call(stack, 'GET', `/rooms/${roomA.id}/display-session`, { token: body.token })).status).toBe(200);
  });

  test('when the room does not exist, then issuing, listing and revoking answer 404 and nothing is written', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(
      (await call(stack, 'POST', `/rooms/${missing}/display-tokens`, { token: manager.token, body: { name: 'Ghost' } }))
        .status,
    ).toBe(404);
    expect((await call(stack, 'GET', `/rooms/${missing}/display-tokens`, { token: manager.token })).status).toBe(404);
    expect(
      (await call(stack, 'DELETE', `/rooms/${missing}/display-tokens/${missing}`, { token: manager.token })).status,
    ).toBe(404);
    const [{ n }] = await stack.deps.dataSource.query(
      'SELECT count(*)::int AS n FROM display_tokens WHERE room_id = $1',
      [missing],
    );
    expect(n).toBe(0);
  });

  test('when the room is deleted, then its display tokens stop working', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const room = await createRoom(stack);
    const body = await issueToken(room.id, manager, 'Door');
    expect((await call(stack, 'DELETE', `/rooms/${room.id}`, { token: manager.token })).status).toBe(204);
    expect((await call(stack, 'GET', `/rooms/${room.id}/display-session`, { token: body.token })).status).toBe(401);
    expect((await call(stack, 'GET', `/rooms/${room.id}/display-tokens`, { token: manager.token })).status).toBe(404);
  });

  test('when a made-up display token is sent, then it is 401', async () => {
    const room = await createRoom(stack);
    const res = await call(stack, 'GET', `/rooms/${room.id}/display-session`, { token: 'rbd_made-up' });
    expect(res.status).toBe(401);
  });
});
