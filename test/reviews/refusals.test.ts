import { followUpWorkflowId } from '../../src/shared/booking-messages';
import { book, clock } from '../bookings/support';
import {
  call,
  completedMeeting,
  createUser,
  eventually,
  member,
  rating,
  review,
  reviewCount,
  reviewRoom,
  startReviewStack,
  workflowStatus,
  type BookingStack,
} from './support';
import { stackForSuite } from '../support/stack';

describe('reviews: refusals write nothing', () => {
  let stack: BookingStack;
  stackForSuite(startReviewStack, (started) => (stack = started));

  test('when someone who did not attend reviews, then a stranger gets 404, a facility manager 403, and nothing is written', async () => {
    const meeting = await completedMeeting(stack);
    const stranger = await review(stack, await member(stack), meeting.booking.id, { rating: 1 });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('NOT_FOUND');
    const manager = await review(stack, await createUser(stack, { role: 'facility_manager' }), meeting.booking.id, {
      rating: 1,
    });
    expect(manager.status).toBe(403);
    expect(manager.body.error.code).toBe('NOT_A_PARTICIPANT');
    expect(await reviewCount(stack, { bookingId: meeting.booking.id })).toBe(0);
  });

  test('when the booking has not completed yet, then 409 BOOKING_NOT_COMPLETED and nothing is written', async () => {
    const r = await reviewRoom(stack);
    const organizer = await member(stack);
    const at = clock();
    const booked = await book(stack, organizer, { roomId: r.id, start: at(3600), end: at(5400) });
    const early = await review(stack, organizer, booked.body.id, { rating: 4 });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('BOOKING_NOT_COMPLETED');
    expect(await reviewCount(stack, { bookingId: booked.body.id })).toBe(0);
  });

  test('when the rating is 0, 6 or not an integer, or the comment is too long, then 400 names the field and nothing is written', async () => {
    const meeting = await completedMeeting(stack);
    const [attendee] = meeting.attendees;
    for (const body of [{ rating: 0 }, { rating: 6 }, { rating: 3.5 }, { rating: '4' }, {}]) {
      const res = await review(stack, attendee, meeting.booking.id, body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('rating');
    }
    const long = await review(stack, attendee, meeting.booking.id, { rating: 3, comment: 'x '.repeat(1001) });
    expect(long.status).toBe(400);
    expect(long.body.error.details.fields[0]).toMatchObject({ field: 'comment', message: 'at most 2000 characters' });
    const extra = await review(stack, attendee, meeting.booking.id, { rating: 3, status: 'published' });
    expect(extra.status).toBe(400);
    expect(await reviewCount(stack, { bookingId: meeting.booking.id })).toBe(0);
    expect((await rating(stack, attendee, meeting.room.id)).body.count).toBe(0);
  });

  test('when a person reviews the same booking twice, then the second is 409 REVIEW_EXISTS and the first stays as it was', async () => {
    const meeting = await completedMeeting(stack);
    const [attendee] = meeting.attendees;
    const first = await review(stack, attendee, meeting.booking.id, { rating: 5, comment: 'Lovely.' });
    expect(first.status).toBe(201);
    const second = await review(stack, attendee, meeting.booking.id, { rating: 1, comment: 'Changed my mind.' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('REVIEW_EXISTS');
    expect(await reviewCount(stack, { bookingId: meeting.booking.id })).toBe(1);
    expect((await rating(stack, attendee, meeting.room.id)).body).toMatchObject({ average: 5, count: 1 });
  });

  test('when the author votes on their own review, then 403 OWN_REVIEW and no vote is stored', async () => {
    const meeting = await completedMeeting(stack);
    const own = await review(stack, meeting.organizer, meeting.booking.id, { rating: 4 });
    expect(own.status).toBe(201);
    const vote = await call(stack, meeting.organizer, 'POST', `/reviews/${own.body.id}/votes`, { helpful: true });
    expect(vote.status).toBe(403);
    expect(vote.body.error.code).toBe('OWN_REVIEW');
    const [{ n }] = await stack.deps.dataSource.query(
      'SELECT count(*)::int AS n FROM review_votes WHERE review_id = $1',
      [own.body.id],
    );
    expect(n).toBe(0);
    const bad = await call(stack, await member(stack), 'POST', `/reviews/${own.body.id}/votes`, { helpful: 'yes' });
    expect(bad.status).toBe(400);
  });

  test('when the review window has closed, then 409 REVIEW_WINDOW_CLOSED with the closing time and nothing is written', async () => {
    const short = await completedMeeting(stack, { policy: { reviewWindowSeconds: 1 } });
    expect(
      await eventually(
        () => workflowStatus(stack, followUpWorkflowId(short.booking.id)),
        (s) => s === 'COMPLETED',
      ),
    ).toBe('COMPLETED');
    const late = await review(stack, short.attendees[0], short.booking.id, { rating: 3 });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('REVIEW_WINDOW_CLOSED');
    expect(Date.parse(late.body.error.details.closesAt)).toBeLessThan(Date.now());
    expect(await reviewCount(stack, { bookingId: short.booking.id })).toBe(0);
  });

  test('when a member calls the moderation routes, then 403 and the review keeps its status', async () => {
    const meeting = await completedMeeting(stack);
    const [attendee] = meeting.attendees;
    const mine = await review(stack, attendee, meeting.booking.id, { rating: 2, comment: 'Visit casino night!' });
    expect(mine.body.status).toBe('pending');
    const someone = await member(stack);
    expect((await call(stack, someone, 'GET', '/moderation/reviews')).status).toBe(403);
    expect(
      (await call(stack, someone, 'POST', `/reviews/${mine.body.id}/moderation`, { action: 'approve' })).status,
    ).toBe(403);
    expect(
      (await call(stack, attendee, 'POST', `/reviews/${mine.body.id}/moderation`, { action: 'approve' })).status,
    ).toBe(403);
    expect((await call(stack, someone, 'GET', '/facility/review-insights')).status).toBe(403);
    expect((await call(stack, attendee, 'GET', `/reviews/${mine.body.id}`)).body.status).toBe('pending');
  });

  test('when a staff member rejects without a reason, then 400 names reason', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const res = await call(
      stack,
      manager,
      'POST',
      `/reviews/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/moderation`,
      { action: 'reject' },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].field).toBe('reason');
  });
});
