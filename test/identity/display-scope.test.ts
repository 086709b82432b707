import { createRoom, createUser } from '../support/fixtures';
import { call, request } from '../support/http';
import { apiForSuite, type TestStack } from '../support/stack';

describe('a display token reads only its own room', () => {
  let stack: TestStack;
  apiForSuite((started) => (stack = started));

  const get = async (token: string, path: string) => (await request(stack, 'GET', path, { token })).status;

  test('when a display asks for its own room, then it is answered; for another room or the whole catalog, then 403', async () => {
    const own = await createRoom(stack);
    const other = await createRoom(stack);
    const fm = await createUser(stack, { role: 'facility_manager' });
    const issued = await call(stack, fm, 'POST', `/rooms/${own.id}/display-tokens`, { name: 'Door' });
    const { token } = issued.body;
    const window = `from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 7_200_000).toISOString())}`;

    expect(await get(token, `/rooms/${own.id}`)).toBe(200);
    expect(await get(token, `/rooms/${own.id}/availability?${window}`)).toBe(200);
    expect(await get(token, `/rooms/${own.id}/status`)).toBe(200);

    expect(await get(token, `/rooms/${other.id}`)).toBe(403);
    expect(await get(token, `/rooms/${other.id}/availability?${window}`)).toBe(403);
    expect(await get(token, `/rooms/${other.id}/calendar`)).toBe(403);
    expect(await get(token, '/rooms')).toBe(403);
    expect(await get(token, `/availability?${window}`)).toBe(403);
  });
});
