import { randomUUID } from 'node:crypto';
import { ACTIVE_STATUSES } from '../../src/shared/booking';
import { clock, book, member, room, startBookingStack, type BookingStack } from './support';
import { stackForSuite } from '../support/stack';

describe('no double booking under concurrency', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  const overlappingPairs = (roomId: string) =>
    stack.deps.dataSource.query(
      `SELECT a.id, b.id FROM bookings a JOIN bookings b ON a.room_id = b.room_id AND a.id < b.id
       WHERE a.room_id = $1 AND a.status = ANY($2) AND b.status = ANY($2)
         AND tstzrange(a.start_at, a.occupied_until, '[)') && tstzrange(b.start_at, b.occupied_until, '[)')`,
      [roomId, ACTIVE_STATUSES],
    );

  test('when 200 creates race on random overlapping intervals of one room, then each answer is 201 or 409 and no two active bookings overlap', async () => {
    const r = await room(stack, { slotGranularitySeconds: 900, bufferSeconds: 300 });
    const users = await Promise.all(Array.from({ length: 20 }, () => member(stack)));
    const base = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 86_400_000;
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const startSlot = Math.floor(Math.random() * 24);
        const length = 1 + Math.floor(Math.random() * 4);
        return book(stack, users[i % users.length], {
          roomId: r.id,
          start: new Date(base + startSlot * 900_000).toISOString(),
          end: new Date(base + (startSlot + length) * 900_000).toISOString(),
        });
      }),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 409).length).toBeGreaterThan(0);
    for (const refused of answers.filter((a) => a.status === 409))
      expect(refused.body.error.code).toBe('SLOT_CONFLICT');
    expect(await overlappingPairs(r.id)).toEqual([]);
    const [{ n }] = await stack.deps.dataSource.query('SELECT count(*)::int AS n FROM bookings WHERE room_id = $1', [
      r.id,
    ]);
    expect(n).toBe(statuses.filter((s) => s === 201).length);
  });

  test("when two requests race for the same room and start, then one wins and the other gets 409 with the winner's interval", async () => {
    const at = clock();
    const r = await room(stack);
    const slot = { roomId: r.id, start: at(7200), end: at(9000) };
    const [a, b] = await Promise.all([book(stack, await member(stack), slot), book(stack, await member(stack), slot)]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 201 ? a : b;
    expect(loser.body.error).toMatchObject({
      code: 'SLOT_CONFLICT',
      details: { conflictingBookingId: winner.body.id, start: slot.start, end: slot.end },
    });
  });

  test('when the same Idempotency-Key is sent 20 times at once, then there is one booking and every answer names it', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const key = randomUUID();
    const body = { roomId: r.id, start: at(7200), end: at(9000), title: 'Standup' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => book(stack, u, body, { 'idempotency-key': key })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const [{ n }] = await stack.deps.dataSource.query('SELECT count(*)::int AS n FROM bookings WHERE room_id = $1', [
      r.id,
    ]);
    expect(n).toBe(1);

    const replay = await book(stack, u, body, { 'idempotency-key': key });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(answers[0].body.id);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    const differentBody = await book(stack, u, { ...body, title: 'Something else' }, { 'idempotency-key': key });
    expect(differentBody.status).toBe(422);
    expect(differentBody.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  test('when a member holds more slots than the cap, then the next hold is refused with 422 naming the rule', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const cap = stack.config.bookingLimits.maxActiveHoldsPerUser;
    for (let i = 0; i < cap; i += 1) {
      expect(
        (await book(stack, u, { roomId: r.id, start: at(3600 * (i + 1)), end: at(3600 * (i + 1) + 900), mode: 'hold' }))
          .status,
      ).toBe(201);
    }
    const over = await book(stack, u, {
      roomId: r.id,
      start: at(3600 * (cap + 2)),
      end: at(3600 * (cap + 2) + 900),
      mode: 'hold',
    });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'POLICY_VIOLATION', details: { rule: 'maxActiveHoldsPerUser' } });
  });
});
