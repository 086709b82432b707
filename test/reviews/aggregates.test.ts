import { deleteVote } from '../../src/db/repositories/reviews';
import type { TestUser } from '../support/fixtures';
import {
  call,
  completedMeeting,
  createUser,
  member,
  rating,
  review,
  reviewRoom,
  startReviewStack,
  type BookingStack,
} from './support';
import { stackForSuite } from '../support/stack';

describe('reviews: aggregates, cache and the facility view', () => {
  let stack: BookingStack;
  stackForSuite(startReviewStack, (started) => (stack = started));

  test('when many attendees review at once, then count, average and histogram count every one of them', async () => {
    const meeting = await completedMeeting(stack, { attendees: 15 });
    const ratings = meeting.attendees.map((_, i) => (i % 5) + 1);
    const results = await Promise.all(
      meeting.attendees.map((a, i) =>
        review(stack, a, meeting.booking.id, { rating: ratings[i], comment: `Review number ${i}` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(meeting.attendees.map(() => 201));

    const body = (await rating(stack, meeting.organizer, meeting.room.id)).body;
    expect(body).toEqual({
      roomId: meeting.room.id,
      average: 3,
      count: 15,
      histogram: { 1: 3, 2: 3, 3: 3, 4: 3, 5: 3 },
    });
    const [row] = await stack.deps.dataSource.query('SELECT rating_average, rating_count FROM rooms WHERE id = $1', [
      meeting.room.id,
    ]);
    expect([Number(row.rating_average), row.rating_count]).toEqual([3, 15]);
  });

  test('when one person submits the same review twice at once, then exactly one is stored and the other is 409', async () => {
    const meeting = await completedMeeting(stack);
    const [attendee] = meeting.attendees;
    const results = await Promise.all([1, 2, 3].map((n) => review(stack, attendee, meeting.booking.id, { rating: n })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect((await rating(stack, attendee, meeting.room.id)).body.count).toBe(1);
  });

  test('when many users vote and change their votes at once, then the counts match the votes stored', async () => {
    const meeting = await completedMeeting(stack);
    const target = await review(stack, meeting.attendees[0], meeting.booking.id, {
      rating: 4,
      comment: 'Good acoustics.',
    });
    const voters = await Promise.all(Array.from({ length: 20 }, () => member(stack)));
    await Promise.all(
      voters.map((v, i) => call(stack, v, 'POST', `/reviews/${target.body.id}/votes`, { helpful: i % 4 !== 0 })),
    );
    let read = await call(stack, meeting.organizer, 'GET', `/reviews/${target.body.id}`);
    expect(read.body.votes).toMatchObject({ helpful: 15, unhelpful: 5 });

    // Everyone flips at once, and the first five withdraw.
    await Promise.all(
      voters.map((v, i) =>
        i < 5
          ? call(stack, v, 'DELETE', `/reviews/${target.body.id}/votes`)
          : call(stack, v, 'POST', `/reviews/${target.body.id}/votes`, { helpful: i % 4 === 0 }),
      ),
    );
    read = await call(stack, meeting.organizer, 'GET', `/reviews/${target.body.id}`);
    const [stored] = await stack.deps.dataSource.query(
      'SELECT count(*) FILTER (WHERE helpful)::int AS helpful, count(*) FILTER (WHERE NOT helpful)::int AS unhelpful FROM review_votes WHERE review_id = $1',
      [target.body.id],
    );
    expect(stored).toEqual({ helpful: 3, unhelpful: 12 });
    expect(read.body.votes).toMatchObject(stored);
  });

  test('when a vote is deleted, then deleteVote reports true; when there is none left, then it reports false', async () => {
    const meeting = await completedMeeting(stack);
    const target = await review(stack, meeting.attendees[0], meeting.booking.id, { rating: 3 });
    const voter = await member(stack);
    expect((await call(stack, voter, 'POST', `/reviews/${target.body.id}/votes`, { helpful: true })).status).toBe(200);

    const manager = stack.deps.dataSource.manager;
    expect(await deleteVote(manager, target.body.id, voter.id)).toBe(true);
    expect(await deleteVote(manager, target.body.id, voter.id)).toBe(false);
    const [left] = await stack.deps.dataSource.query(
      'SELECT count(*)::int AS n FROM review_votes WHERE review_id = $1',
      [target.body.id],
    );
    expect(left.n).toBe(0);
  });

  test('when the rating is read twice, then the second answer comes from Redis; when a review lands, then the next read is fresh', async () => {
    const meeting = await completedMeeting(stack, { attendees: 2 });
    await review(stack, meeting.attendees[0], meeting.booking.id, { rating: 5 });
    const first = await rating(stack, meeting.organizer, meeting.room.id);
    const second = await rating(stack, meeting.organizer, meeting.room.id);
    expect(first.headers.get('x-rating-cache')).toBe('miss');
    expect(second.headers.get('x-rating-cache')).toBe('hit');
    expect(second.body).toEqual(first.body);

    await review(stack, meeting.attendees[1], meeting.booking.id, { rating: 2 });
    const fresh = await rating(stack, meeting.organizer, meeting.room.id);
    expect(fresh.headers.get('x-rating-cache')).toBe('miss');
    expect(fresh.body).toMatchObject({ average: 3.5, count: 2, histogram: { 2: 1, 5: 1 } });

    const listed = await call(stack, meeting.organizer, 'GET', `/rooms/${meeting.room.id}`);
    expect(listed.body.rating).toEqual({ average: 3.5, count: 2 });
  });

  test('when rooms have low recent reviews, then the facility view lists the worst first with the words that recur in them', async () => {
    const bad = await completedMeeting(stack, { attendees: 3 });
    const good = await completedMeeting(stack);
    const comments = [
      'The projector flickers and the room is freezing',
      'Freezing again; the projector would not start',
      'Projector broken, chairs wobbly',
    ];
    await Promise.all(
      bad.attendees.map((a, i) => review(stack, a, bad.booking.id, { rating: i === 2 ? 2 : 1, comment: comments[i] })),
    );
    await review(stack, good.attendees[0], good.booking.id, { rating: 5, comment: 'Perfect.' });

    const manager = await createUser(stack, { role: 'facility_manager' });
    const res = await call(stack, manager, 'GET', '/facility/review-insights?days=1&limit=100');
    expect(res.status).toBe(200);
    const ids = res.body.rooms.map((r: { roomId: string }) => r.roomId);
    const badAt = ids.indexOf(bad.room.id);
    const goodAt = ids.indexOf(good.room.id);
    expect(badAt).toBeGreaterThanOrEqual(0);
    // Other test files' rooms share the database: the good room may fall past the page, never before the bad one.
    expect(goodAt === -1 || goodAt > badAt).toBe(true);
    const entry = res.body.rooms.find((r: { roomId: string }) => r.roomId === bad.room.id);
    expect(entry).toMatchObject({ count: 3, lowCount: 3, average: 1.33 });
    expect(entry.recurringWords).toEqual([
      { word: 'projector', count: 3 },
      { word: 'freezing', count: 2 },
    ]);
  });

  test('when a room display reads ratings, then its own room answers and another room is 403', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const own = await reviewRoom(stack);
    const other = await reviewRoom(stack);
    const issued = await call(stack, manager, 'POST', `/rooms/${own.id}/display-tokens`, { name: 'Door' });
    expect(issued.status).toBe(201);
    const display = { auth: { authorization: `Bearer ${issued.body.token}` } } as unknown as TestUser;
    expect((await rating(stack, display, own.id)).status).toBe(200);
    expect((await rating(stack, display, other.id)).status).toBe(403);
  });
});
