import { createRoom, createUser } from '../support/fixtures';
import { request } from '../support/http';
import { apiForSuite, type TestStack } from '../support/stack';
import { eventually } from '../bookings/support';
import { connectClient, issueDisplayToken } from './support';

describe('room.status when a room goes out of service', () => {
  let stack: TestStack;
  apiForSuite((started) => (stack = started));

  test('when a facility manager takes a room out of service and back, then its display hears each status at once', async () => {
    const room = await createRoom(stack);
    const fm = await createUser(stack, { role: 'facility_manager' });
    const display = await connectClient(stack, await issueDisplayToken(stack, fm.token, room.id));
    try {
      expect((await display.request('room:subscribe', { roomId: room.id })).ok).toBe(true);
      const patch = (status: string) => request(stack, 'PATCH', `/rooms/${room.id}`, { as: fm, body: { status } });

      expect((await patch('out_of_service')).status).toBe(200);
      const first = await eventually(
        async () => display.of('room.status'),
        (s) => s.length >= 1,
        10000,
      );
      expect(first[0]).toMatchObject({ roomId: room.id, status: 'out_of_service' });

      expect((await patch('active')).status).toBe(200);
      const both = await eventually(
        async () => display.of('room.status'),
        (s) => s.length >= 2,
        10000,
      );
      expect(both[1]).toMatchObject({ roomId: room.id, status: 'free' });
      expect(both[1].version).toBeGreaterThan(both[0].version);
    } finally {
      display.close();
    }
  });
});
