import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, type TestBrowser } from '../support/browser';
import { createUser, type TestUser } from '../support/fixtures';
import { book, call, clock, member, room, startBookingStack, type BookingStack } from '../bookings/support';
import { issueDisplayToken } from './support';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'display');

describe('room display page in a real browser (Chromium)', () => {
  let stack: BookingStack;
  let staff: TestUser;
  let browser: TestBrowser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startBookingStack();
    staff = await createUser(stack, { role: 'facility_manager' });
    browser = await launchChromium('The room display browser test', {
      viewport: { width: 1280, height: 800 },
      timezoneId: 'America/New_York',
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function openDisplay(roomId: string): Promise<Page> {
    const token = await issueDisplayToken(stack, staff.token, roomId);
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/display/${roomId}#token=${token}`);
    return page;
  }
  const status = (page: Page) => page.getByTestId('status');

  test('when the check-in window opens, then the display says so; when someone checks in there, then it shows in use', async () => {
    const r = await room(
      stack,
      { checkInOpensBeforeSeconds: 5, checkInGraceSeconds: 60 },
      { timezone: 'Europe/Berlin', name: `Spree ${Date.now() % 1000}` },
    );
    const page = await openDisplay(r.id);
    await expectAttribute(status(page), 'data-status', 'free');

    const organizer = await createUser(stack, { displayName: 'Alice Example' });
    const at = clock();
    const booked = await book(stack, organizer, { roomId: r.id, start: at(8), end: at(120), title: 'Design review' });
    expect(booked.status).toBe(201);
    // Pushed, not polled: the booking shows up on the display as the rest of today.
    await page.getByTestId('today').getByText('Design review').waitFor();

    await expectAttribute(status(page), 'data-status', 'awaiting_check_in');
    await page.locator('#check-in').waitFor({ state: 'visible' });
    await expectText(page.locator('#current-organizer'), 'Alice Example');
    // Times in the room's zone (Berlin), whatever the browser's own zone (New York).
    const berlin = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(booked.body.start));
    await expectText(page.locator('#current-time'), berlin);
    await page.screenshot({ path: join(ARTIFACTS, 'awaiting-check-in.png') });

    await page.locator('#check-in').click();
    await expectAttribute(status(page), 'data-status', 'in_use');
    await page.locator('#check-in').waitFor({ state: 'hidden' });
    expect((await call(stack, organizer, 'GET', `/bookings/${booked.body.id}`)).body.status).toBe('checked_in');
    await page.screenshot({ path: join(ARTIFACTS, 'in-use.png') });
    await page.close();
  });

  test('when someone books the free room for 15 minutes at the door, then staff see the booking in GET /bookings', async () => {
    const r = await room(stack, {}, { timezone: 'Asia/Tokyo' });
    const page = await openDisplay(r.id);
    await expectAttribute(status(page), 'data-status', 'free');
    // Another booking in 40 minutes: 15 and 30 minutes fit, 60 do not.
    const at = clock();
    await book(stack, await member(stack), { roomId: r.id, start: at(2400), end: at(3000) });
    await page.getByTestId('today').locator('li').first().waitFor();
    await page.locator('#book-now button[data-minutes="60"]:disabled').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'free.png') });

    await page.locator('#book-now button[data-minutes="15"]').click();
    await expectAttribute(status(page), 'data-status', 'in_use');
    await expectText(page.locator('#current-title'), 'Walk-up meeting');

    const listed = await call(stack, staff, 'GET', `/bookings?scope=all&roomId=${r.id}`);
    expect(listed.status).toBe(200);
    const walkUp = listed.body.items.find((b: any) => b.title === 'Walk-up meeting');
    expect(walkUp).toMatchObject({ roomId: r.id, status: 'checked_in' });
    expect((Date.parse(walkUp.end) - Date.parse(walkUp.start)) / 60000).toBe(15);
    await page.close();
  });

  test('when someone presses "Report a problem" at the door, then a ticket of that room is created, reported by its display', async () => {
    const r = await room(stack);
    const page = await openDisplay(r.id);
    await expectAttribute(status(page), 'data-status', 'free');
    await page.locator('#report-problem').click();
    await page.locator('#report-title').fill('The door handle is loose');
    await page.locator('#report-category').selectOption('facilities');
    await page.locator('#report-severity').selectOption('low');
    await page.screenshot({ path: join(ARTIFACTS, 'report-problem.png') });
    await page.locator('#report button[type="submit"]').click();
    await expectText(page.locator('#message'), 'the facility team has your report');
    await page.locator('#report').waitFor({ state: 'hidden' });

    const listed = await call(stack, staff, 'GET', `/tickets?roomId=${r.id}`);
    expect(listed.status).toBe(200);
    expect(listed.body.tickets).toEqual([
      expect.objectContaining({
        roomId: r.id,
        title: 'The door handle is loose',
        category: 'facilities',
        severity: 'low',
        status: 'open',
        reportedByDisplay: true,
      }),
    ]);
    await page.close();
  });

  test('when the connection to the api is lost, then the display shows the offline banner and recovers by itself', async () => {
    const r = await room(stack);
    const page = await openDisplay(r.id);
    await expectAttribute(status(page), 'data-status', 'free');
    stack.realtime.io.local.disconnectSockets(true);
    await page.locator('#offline').waitFor({ state: 'visible' });
    // A server-side disconnect is final for the client; the page connects again by itself.
    await page.locator('#offline').waitFor({ state: 'hidden' });
    const at = clock();
    await book(stack, await member(stack), { roomId: r.id, start: at(3600), end: at(4000), title: 'After the outage' });
    await page.getByTestId('today').getByText('After the outage').waitFor();
    await page.close();
  });
});

async function expectAttribute(locator: ReturnType<Page['locator']>, name: string, value: string): Promise<void> {
  await locator
    .page()
    .waitForFunction(
      ({ selector, name, value }) => document.querySelector(selector)?.getAttribute(name) === value,
      { selector: '#status', name, value },
      { timeout: 30_000 },
    );
  expect(await locator.getAttribute(name)).toBe(value);
}

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor({ timeout: 30_000 });
  expect(await locator.textContent()).toContain(text);
}
