import { createRedis } from '../../src/infra/redis';
import {
  call,
  completedMeeting,
  createUser,
  eventually,
  mailsContaining,
  member,
  rating,
  review,
  startReviewStack,
  type BookingStack,
} from './support';
import { stackForSuite } from '../support/stack';

describe('reviews: screening and moderation', () => {
  let stack: BookingStack;
  stackForSuite(startReviewStack, (started) => (stack = started));

  test('when a comment has a link, a banned term, repeated characters or is all capitals, then the review is pending with the reason and out of the aggregate', async () => {
    const meeting = await completedMeeting(stack, { attendees: 4 });
    const cases: [string, string][] = [
      ['Cheap tickets at https://spam.example/now', 'link'],
      ['A real FlibberTigibbet of a room', 'banned_term'],
      ['Sooooooo good', 'repeated_characters'],
      ['THE WORST ROOM IN THE BUILDING', 'all_capitals'],
    ];
    for (const [i, [comment, flag]] of cases.entries()) {
      const res = await review(stack, meeting.attendees[i], meeting.booking.id, { rating: 1, comment });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'pending', screeningFlags: [flag] });
    }
    const clean = await review(stack, meeting.organizer, meeting.booking.id, {
      rating: 5,
      comment: 'Quiet, bright, glass walls; the coffee machine works.',
    });
    expect(clean.body).toMatchObject({ status: 'published', screeningFlags: [] });
    expect((await rating(stack, meeting.organizer, meeting.room.id)).body).toMatchObject({
      average: 5,
      count: 1,
      histogram: { 1: 0, 5: 1 },
    });
  });

  test('when a review is pending, then its author sees it and nobody else but staff does', async () => {
    const meeting = await completedMeeting(stack);
    const [author] = meeting.attendees;
    const pending = await review(stack, author, meeting.booking.id, { rating: 2, comment: 'Win free money here' });
    expect(pending.body.status).toBe('pending');

    const own = await call(stack, author, 'GET', `/rooms/${meeting.room.id}/reviews`);
    expect(own.body.items.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      [pending.body.id, 'pending'],
    ]);
    expect((await call(stack, author, 'GET', `/reviews/${pending.body.id}`)).status).toBe(200);

    const other = await member(stack);
    expect((await call(stack, other, 'GET', `/rooms/${meeting.room.id}/reviews`)).body).toMatchObject({
      items: [],
      total: 0,
    });
    expect((await call(stack, other, 'GET', `/reviews/${pending.body.id}`)).status).toBe(404);
    expect((await call(stack, meeting.organizer, 'GET', `/reviews/${pending.body.id}`)).status).toBe(404);
    expect((await call(stack, other, 'POST', `/reviews/${pending.body.id}/votes`, { helpful: true })).status).toBe(404);

    const manager = await createUser(stack, { role: 'facility_manager' });
    const queue = await call(stack, manager, 'GET', `/moderation/reviews?roomId=${meeting.room.id}`);
    expect(queue.status).toBe(200);
    expect(queue.body.items).toEqual([
      expect.objectContaining({
        id: pending.body.id,
        status: 'pending',
        screeningFlags: ['banned_term'],
        roomName: meeting.room.name,
      }),
    ]);
  });

  test('when a review is held back, then moderators get a review.pending event through Redis and one email', async () => {
    const manager = await createUser(stack, { role: 'facility_manager' });
    const admin = await createUser(stack, { role: 'admin' });
    const meeting = await completedMeeting(stack);
    const subscriber = createRedis(stack.config.redisUrl, { enableOfflineQueue: true });
    const published: Buffer[] = [];
    try {
      await subscriber.psubscribe('socket.io#/#*');
      subscriber.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, message: Buffer) => published.push(message));

      const res = await review(stack, meeting.attendees[0], meeting.booking.id, {
        rating: 1,
        comment: 'see www.example-spam.com',
      });
      expect(res.body.status).toBe('pending');

      const events = await eventually(
        async () => published.filter((m) => m.includes('review.pending') && m.includes(res.body.id)),
        (m) => m.length > 0,
      );
      expect(events).toHaveLength(1);
      // Addressed to each moderator's own Socket.IO room, not to the author's.
      expect(events[0].includes(`user:${manager.id}`) && events[0].includes(`user:${admin.id}`)).toBe(true);
      expect(events[0].includes(`user:${meeting.attendees[0].id}`)).toBe(false);
      const mails = await eventually(
        async () => mailsContaining(`<review.${res.body.id}.v`),
        (m) => m.length > 0,
      );
      expect(mails).toHaveLength(1);
      const envelope = mails[0].split('\r\n')[0].toLowerCase();
      expect(envelope).toContain(manager.email);
      expect(envelope).toContain(admin.email);
      expect(envelope).not.toContain(meeting.attendees[0].email);
    } finally {
      subscriber.disconnect();
    }
  });

  test('when a moderator approves a pending review, then it is published and moves the aggregate; when another is rejected, it stays out', async () => {
    const meeting = await completedMeeting(stack, { attendees: 2 });
    const [a, b] = meeting.attendees;
    const manager = await createUser(stack, { role: 'facility_manager' });
    const first = await review(stack, a, meeting.booking.id, {
      rating: 2,
      comment: 'Nice view of the CASINO opposite',
    });
    const second = await review(stack, b, meeting.booking.id, { rating: 1, comment: 'Cold!!!!!!!!' });
    expect([first.body.status, second.body.status]).toEqual(['pending', 'pending']);
    expect((await rating(stack, a, meeting.room.id)).body.count).toBe(0);

    const approved = await call(stack, manager, 'POST', `/reviews/${first.body.id}/moderation`, { action: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'published', moderation: { moderatorId: manager.id } });
    expect((await rating(stack, a, meeting.room.id)).body).toMatchObject({
      average: 2,
      count: 1,
      histogram: { 1: 0, 2: 1 },
    });

    const rejected = await call(stack, manager, 'POST', `/reviews/${second.body.id}/moderation`, {
      action: 'reject',
      reason: 'Shouting; please rephrase.',
    });
    expect(rejected.body).toMatchObject({ status: 'rejected', moderation: { reason: 'Shouting; please rephrase.' } });
    expect((await rating(stack, a, meeting.room.id)).body).toMatchObject({
      average: 2,
      count: 1,
      histogram: { 1: 0, 2: 1 },
    });
    const listed = await call(stack, await member(stack), 'GET', `/rooms/${meeting.room.id}/reviews`);
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([first.body.id]);
    const authorView = await call(stack, b, 'GET', `/reviews/${second.body.id}`);
    expect(authorView.body).toMatchObject({ status: 'rejected', moderation: { reason: 'Shouting; please rephrase.' } });

    const withdrawn = await call(stack, manager, 'POST', `/reviews/${first.body.id}/moderation`, {
      action: 'reject',
      reason: 'Off topic after all.',
    });
    expect(withdrawn.body.status).toBe('rejected');
    expect((await rating(stack, a, meeting.room.id)).body).toMatchObject({ average: null, count: 0 });
  });

  test('when the author edits a rejected review, then it goes back to the moderation queue', async () => {
    const meeting = await completedMeeting(stack);
    const [author] = meeting.attendees;
    const manager = await createUser(stack, { role: 'admin' });
    const first = await review(stack, author, meeting.booking.id, { rating: 1, comment: 'AWFUL AWFUL AWFUL ROOM' });
    await call(stack, manager, 'POST', `/reviews/${first.body.id}/moderation`, {
      action: 'reject',
      reason: 'Please do not shout.',
    });
    const edited = await call(stack, author, 'PATCH', `/reviews/${first.body.id}`, {
      comment: 'The heating did not work.',
    });
    expect(edited.body).toMatchObject({ status: 'pending', screeningFlags: [] });
    const queue = await call(stack, manager, 'GET', `/moderation/reviews?roomId=${meeting.room.id}`);
    expect(queue.body.items.map((r: { id: string }) => r.id)).toEqual([first.body.id]);
  });
});
