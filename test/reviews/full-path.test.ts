import { followUpWorkflowId } from '../../src/shared/booking-messages';
import {
  call,
  completedMeeting,
  eventually,
  member,
  notifications,
  rating,
  review,
  workflowStatus,
  startReviewStack,
  type BookingStack,
} from './support';
import { stackForSuite } from '../support/stack';

describe('reviews: from the meeting to the closed window', () => {
  let stack: BookingStack;
  stackForSuite(startReviewStack, (started) => (stack = started));

  test('when a meeting completes and an attendee reviews, then the prompt was sent, the aggregate moves, another user votes and its follow-up closes with the window', async () => {
    const meeting = await completedMeeting(stack, { policy: { reviewWindowSeconds: 8 } });
    const [attendee] = meeting.attendees;
    expect(
      await eventually(
        () => notifications(stack, meeting.booking.id),
        (k) => k.includes('review_prompt'),
      ),
    ).toContain('review_prompt');

    const before = await rating(stack, attendee, meeting.room.id);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      roomId: meeting.room.id,
      average: null,
      count: 0,
      histogram: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 },
    });

    const submitted = await review(stack, attendee, meeting.booking.id, {
      rating: 4,
      comment: 'Bright and quiet, the screen worked first time.',
    });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({
      bookingId: meeting.booking.id,
      roomId: meeting.room.id,
      rating: 4,
      status: 'published',
      author: { id: attendee.id },
    });
    expect(submitted.headers.get('location')).toBe(`/api/v1/reviews/${submitted.body.id}`);

    const after = await rating(stack, attendee, meeting.room.id);
    expect(after.body).toEqual({
      roomId: meeting.room.id,
      average: 4,
      count: 1,
      histogram: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 },
    });
    const listed = await call(stack, meeting.organizer, 'GET', `/rooms/${meeting.room.id}`);
    expect(listed.body.rating).toEqual({ average: 4, count: 1 });

    const voter = await member(stack);
    const voted = await call(stack, voter, 'POST', `/reviews/${submitted.body.id}/votes`, { helpful: true });
    expect(voted.status).toBe(200);
    expect(voted.body.votes).toMatchObject({ helpful: 1, unhelpful: 0, mine: true });
    expect(voted.body.votes.helpfulness).toBeGreaterThan(0);
    const changed = await call(stack, voter, 'POST', `/reviews/${submitted.body.id}/votes`, { helpful: false });
    expect(changed.body.votes).toMatchObject({ helpful: 0, unhelpful: 1, mine: false });

    expect(
      await eventually(
        () => workflowStatus(stack, followUpWorkflowId(meeting.booking.id)),
        (s) => s === 'COMPLETED',
      ),
    ).toBe('COMPLETED');
    const late = await review(stack, meeting.organizer, meeting.booking.id, { rating: 5 });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('REVIEW_WINDOW_CLOSED');
  });

  test('when the author edits a review within the window, then the rating and the aggregate follow and a second submission is still refused', async () => {
    const meeting = await completedMeeting(stack);
    const [attendee] = meeting.attendees;
    const first = await review(stack, attendee, meeting.booking.id, { rating: 2, comment: 'Too warm.' });
    expect(first.status).toBe(201);

    const edited = await call(stack, attendee, 'PATCH', `/reviews/${first.body.id}`, {
      rating: 3,
      comment: 'Too warm, but the air conditioning was fixed the next day.',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: first.body.id, rating: 3, status: 'published' });
    expect((await rating(stack, attendee, meeting.room.id)).body).toMatchObject({
      average: 3,
      count: 1,
      histogram: { 2: 0, 3: 1 },
    });

    const again = await review(stack, attendee, meeting.booking.id, { rating: 5 });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'REVIEW_EXISTS', details: { reviewId: first.body.id } });

    const someoneElse = await call(stack, meeting.organizer, 'PATCH', `/reviews/${first.body.id}`, { rating: 1 });
    expect(someoneElse.status).toBe(403);
    expect((await call(stack, attendee, 'GET', `/reviews/${first.body.id}`)).body.rating).toBe(3);
  });

  test('when reviews have votes, then the helpful sort ranks by the share of helpful votes, the recent sort by date, and pages do not overlap', async () => {
    const meeting = await completedMeeting(stack, { attendees: 3 });
    const [a, b, c] = meeting.attendees;
    const older = await review(stack, a, meeting.booking.id, { rating: 3, comment: 'Fine.' });
    const middle = await review(stack, b, meeting.booking.id, { rating: 4, comment: 'Good.' });
    const newest = await review(stack, c, meeting.booking.id, { rating: 5, comment: 'Great.' });
    const voters = await Promise.all(Array.from({ length: 4 }, () => member(stack)));
    // The oldest has more votes but a worse share (1 of 4); the middle one 3 of 3.
    for (const [i, voter] of voters.entries()) {
      await call(stack, voter, 'POST', `/reviews/${older.body.id}/votes`, { helpful: i === 0 });
      if (i < 3) await call(stack, voter, 'POST', `/reviews/${middle.body.id}/votes`, { helpful: true });
    }

    const helpful = await call(stack, a, 'GET', `/rooms/${meeting.room.id}/reviews?sort=helpful`);
    expect(helpful.body.items.map((r: { id: string }) => r.id)).toEqual([
      middle.body.id,
      older.body.id,
      newest.body.id,
    ]);
    const recent = await call(stack, a, 'GET', `/rooms/${meeting.room.id}/reviews?sort=recent`);
    expect(recent.body.items.map((r: { id: string }) => r.id)).toEqual([newest.body.id, middle.body.id, older.body.id]);

    const page1 = await call(stack, a, 'GET', `/rooms/${meeting.room.id}/reviews?sort=recent&limit=2`);
    const page2 = await call(stack, a, 'GET', `/rooms/${meeting.room.id}/reviews?sort=recent&limit=2&offset=2`);
    expect(page1.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect([...page1.body.items, ...page2.body.items].map((r: { id: string }) => r.id)).toEqual([
      newest.body.id,
      middle.body.id,
      older.body.id,
    ]);
    expect(page1.body.items[0].screeningFlags).toBeUndefined();
  });
});
