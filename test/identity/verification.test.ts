import { book, clock, member, room, startBookingStack, waitForStatus, type BookingStack } from '../bookings/support';
import { reviewRoom } from '../reviews/support';
import { createUser } from '../support/fixtures';
import { call, PASSWORD, randomEmail, register } from '../support/auth';
import { apiForSuite, stackForSuite, type TestStack } from '../support/stack';
import { accountMailTo, awaitAccountMail, linkToken } from './support';

/** Rights that come from an email address belong to whoever proved they read its mail. */
describe('verified addresses', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  test("when someone registers an invitee's address without verifying it, then they cannot read or check in to the booking (404) until the address is verified", async () => {
    const at = clock();
    const organizer = await member(stack);
    const r = await room(stack);
    const invitee = randomEmail();
    const booked = await book(stack, organizer, { roomId: r.id, start: at(20), end: at(80), attendees: [invitee] });
    expect(booked.status).toBe(201);
    const bookingId = booked.body.id;

    // Anyone can sign up with any address: this account has not proven it reads the invitee's mail.
    const squatter = await register(stack, { email: invitee });
    expect(squatter.user).toMatchObject({ email: invitee, emailVerified: false });
    const token = squatter.accessToken;
    expect((await call(stack, 'GET', `/bookings/${bookingId}`, { token })).status).toBe(404);
    expect((await call(stack, 'POST', `/bookings/${bookingId}/check-in`, { token, body: {} })).status).toBe(404);
    const mine = await call(stack, 'GET', '/bookings', { token });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((b: { id: string }) => b.id)).not.toContain(bookingId);
    const feed = await fetch(`${stack.baseUrl}/api/v1/users/me/calendar.ics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await feed.text()).not.toContain(bookingId);
    expect((await call(stack, 'GET', `/bookings/${bookingId}`, { token: organizer.token })).body.status).toBe(
      'confirmed',
    );

    // The owner of the address follows the link that was mailed to it.
    const mail = await awaitAccountMail(invitee, 'verify-email');
    const { token: link } = linkToken(mail, 'Confirm your address');
    const verified = await call(stack, 'POST', '/auth/verify-email', { body: { token: link } });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email: invitee, emailVerified: true });

    expect((await call(stack, 'GET', `/bookings/${bookingId}`, { token })).status).toBe(200);
    const checkedIn = await call(stack, 'POST', `/bookings/${bookingId}/check-in`, { token, body: {} });
    expect(checkedIn.status).toBe(200);
    expect(checkedIn.body.status).toBe('checked_in');
    expect((await call(stack, 'GET', '/users/me', { token })).body.emailVerified).toBe(true);
  });

  test("when an attendee's account has not verified its address, then it cannot review the meeting (404) until it has", async () => {
    const at = clock();
    const r = await reviewRoom(stack);
    const organizer = await member(stack);
    const attendee = await createUser(stack, { emailVerified: false });
    const booked = await book(stack, organizer, {
      roomId: r.id,
      start: at(1),
      end: at(2),
      attendees: [attendee.email],
    });
    expect(booked.status).toBe(201);
    expect(await waitForStatus(stack, booked.body.id, 'completed')).toBe('completed');
    const path = `/bookings/${booked.body.id}/reviews`;
    const refused = await call(stack, 'POST', path, {
      token: attendee.token,
      body: { rating: 4, comment: 'Nice room' },
    });
    expect(refused.status).toBe(404);
    await stack.deps.dataSource.query('UPDATE users SET email_verified = true WHERE id = $1', [attendee.id]);
    const accepted = await call(stack, 'POST', path, {
      token: attendee.token,
      body: { rating: 4, comment: 'Nice room' },
    });
    expect(accepted.status).toBe(201);
  });

  test('when an unverified account books a room for itself, then it may (its own bookings need no proven address)', async () => {
    const at = clock();
    const r = await room(stack);
    const session = await register(stack);
    expect(session.user).toMatchObject({ emailVerified: false });
    const created = await call(stack, 'POST', '/bookings', {
      token: session.accessToken,
      body: { roomId: r.id, start: at(600), end: at(660), title: 'Mine' },
    });
    expect(created.status).toBe(201);
    expect((await call(stack, 'GET', `/bookings/${created.body.id}`, { token: session.accessToken })).status).toBe(200);
  });

  test('when a verification link is used twice, tampered with or made for another purpose, then it is refused with INVALID_LINK', async () => {
    const session = await register(stack);
    const { token } = linkToken(await awaitAccountMail(session.user.email, 'verify-email'), 'Confirm your address');
    expect((await call(stack, 'POST', '/auth/verify-email', { body: { token } })).status).toBe(200);
    const again = await call(stack, 'POST', '/auth/verify-email', { body: { token } });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('INVALID_LINK');
    const [head, payload, signature] = token.split('.');
    const tampered = await call(stack, 'POST', '/auth/verify-email', {
      body: { token: `${head}.${payload}.${signature.slice(0, -2)}xx` },
    });
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.code).toBe('INVALID_LINK');
    // An access token is signed with the same key but for another audience.
    const accessAsLink = await call(stack, 'POST', '/auth/verify-email', { body: { token: session.accessToken } });
    expect(accessAsLink.body.error.code).toBe('INVALID_LINK');
  });

  test('when the mailed link is opened in a browser, then the page only offers a button, and its form post verifies', async () => {
    const session = await register(stack);
    const mailed = new URL(
      linkToken(await awaitAccountMail(session.user.email, 'verify-email'), 'Confirm your address').url,
    );
    expect(mailed.pathname).toBe('/api/v1/auth/verify-email');
    // The link names PUBLIC_URL; this test's api listens on its own port.
    const url = `${stack.baseUrl}${mailed.pathname}${mailed.search}`;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect((await call(stack, 'GET', '/users/me', { token: session.accessToken })).body.emailVerified).toBe(false);
    const token = /name="token" value="([^"]+)"/.exec(html)![1];
    const posted = await fetch(new URL('verify-email', url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('is confirmed');
    expect((await call(stack, 'GET', '/users/me', { token: session.accessToken })).body.emailVerified).toBe(true);
  });

  test('when a verified person changes their address, then the new one is unverified until its own link is followed, and attendee rights wait for it', async () => {
    const at = clock();
    const session = await register(stack);
    const first = linkToken(await awaitAccountMail(session.user.email, 'verify-email'), 'Confirm your address');
    expect((await call(stack, 'POST', '/auth/verify-email', { body: { token: first.token } })).status).toBe(200);

    const organizer = await member(stack);
    const r = await room(stack);
    const newAddress = randomEmail();
    const booked = await book(stack, organizer, {
      roomId: r.id,
      start: at(900),
      end: at(960),
      attendees: [newAddress],
    });
    const token = session.accessToken;

    const wrong = await call(stack, 'POST', '/users/me/email', {
      token,
      body: { email: newAddress, currentPassword: 'not the password at all' },
    });
    expect(wrong.status).toBe(403);
    const changed = await call(stack, 'POST', '/users/me/email', {
      token,
      body: { email: newAddress, currentPassword: PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ email: newAddress, emailVerified: false });
    expect((await call(stack, 'GET', `/bookings/${booked.body.id}`, { token })).status).toBe(404);
    // The old address's link proves the old address only.
    expect((await call(stack, 'POST', '/auth/verify-email', { body: { token: first.token } })).status).toBe(400);

    const second = linkToken(await awaitAccountMail(newAddress, 'verify-email'), 'Confirm your address');
    expect(
      (await call(stack, 'POST', '/auth/verify-email', { body: { token: second.token } })).body.user,
    ).toMatchObject({ email: newAddress, emailVerified: true });
    expect((await call(stack, 'GET', `/bookings/${booked.body.id}`, { token })).status).toBe(200);
  });

  test('when an unverified person asks for another link, then a second one arrives (202); a verified one gets none', async () => {
    const session = await register(stack);
    await awaitAccountMail(session.user.email, 'verify-email');
    const resent = await call(stack, 'POST', '/auth/resend-verification', { token: session.accessToken });
    expect(resent.status).toBe(202);
    const second = await awaitAccountMail(session.user.email, 'verify-email', 2);
    expect(
      (
        await call(stack, 'POST', '/auth/verify-email', {
          body: { token: linkToken(second, 'Confirm your address').token },
        })
      ).status,
    ).toBe(200);
    expect((await call(stack, 'POST', '/auth/resend-verification', { token: session.accessToken })).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await accountMailTo(session.user.email, 'verify-email')).toHaveLength(2);
  });
});

describe('REGISTRATION_DOMAINS', () => {
  let stack: TestStack;
  apiForSuite((started) => (stack = started), { registrationDomains: ['corp.example'] });

  test("when the address is at another domain, then self-registration is refused with 422 naming the allowed domains; at the organisation's domain it works", async () => {
    const outside = await call(stack, 'POST', '/auth/register', {
      body: { email: randomEmail(), password: PASSWORD, displayName: 'Outsider' },
    });
    expect(outside.status).toBe(422);
    expect(outside.body.error).toMatchObject({
      code: 'EMAIL_DOMAIN_NOT_ALLOWED',
      details: { allowedDomains: ['corp.example'] },
    });
    const inside = await call(stack, 'POST', '/auth/register', {
      body: { email: `someone-${Date.now()}@Corp.Example`, password: PASSWORD, displayName: 'Insider' },
    });
    expect(inside.status).toBe(201);
    expect(inside.body.user.emailVerified).toBe(false);
  });
});
