import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { launchChromium, type TestBrowser } from '../support/browser';
import { createUser, type TestUser } from '../support/fixtures';
import {
  book,
  call,
  clock,
  eventually,
  member,
  room,
  startBookingStack,
  waitForStatus,
  type BookingStack,
} from '../bookings/support';

const SCREENSHOT = join(__dirname, '..', '..', 'test-artifacts', 'insights', 'insights.png');

describe('insights page in a real browser (Chromium)', () => {
  let stack: BookingStack;
  let staff: TestUser;
  let browser: TestBrowser;

  beforeAll(async () => {
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    stack = await startBookingStack();
    staff = await createUser(stack, { role: 'facility_manager' });
    browser = await launchChromium('The insights page browser test', { viewport: { width: 1400, height: 1100 } });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('when a facility manager opens /insights with their token, then it draws utilization, ghost rate, released against recovered hours and the heatmap', async () => {
    const building = `Page ${randomUUID().slice(0, 6)}`;
    const policy = { checkInOpensBeforeSeconds: 30, checkInGraceSeconds: 1 };
    const ghostRoom = await room(stack, policy, { building, name: 'Ghost room' });
    const usedRoom = await room(stack, policy, { building, name: 'Busy room' });
    const [absent, present] = [await member(stack), await member(stack)];
    const at = clock();
    const ghost = await book(stack, absent, { roomId: ghostRoom.id, start: at(2), end: at(600) });
    const used = await book(stack, present, { roomId: usedRoom.id, start: at(2), end: at(1200) });
    expect((await call(stack, present, 'POST', `/bookings/${used.body.id}/check-in`, {})).status).toBe(200);
    await waitForStatus(stack, ghost.body.id, 'released');
    const rebooked = await book(stack, present, { roomId: ghostRoom.id, start: clock()(1), end: at(600) });
    expect((await call(stack, present, 'POST', `/bookings/${rebooked.body.id}/check-in`, {})).status).toBe(200);
    // Every check-in deadline has passed: the ghost rate is 1 no-show of 3 bookings due.
    await eventually(
      async () => Date.now(),
      (t) => t > Date.parse(rebooked.body.checkInDeadline),
      5000,
      'the last check-in deadline has passed',
    );

    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/insights#token=${staff.token}`);
    await page.locator('body[data-state="ready"]').waitFor({ timeout: 20_000 });
    // The token left the address bar once read.
    expect(page.url()).not.toContain('token=');
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    await page.fill('#building', building);
    await page.click('#filters button[type="submit"]');
    await page.locator('body[data-state="ready"][data-rooms="2"]').waitFor({ timeout: 20_000 });

    const charts = await page.evaluate(() => {
      const read = (id: string) => {
        const chart = (window as any).Chart.getChart(id);
        return { labels: chart.data.labels, data: chart.data.datasets.map((d: any) => d.data) };
      };
      return { utilization: read('utilization'), ghost: read('ghost-rate'), released: read('released-recovered') };
    });
    expect(charts.utilization.labels).toEqual([`${building} · Busy room`, `${building} · Ghost room`]);
    expect(charts.utilization.data[0].every((v: number) => v > 0)).toBe(true);
    expect(charts.ghost.labels).toHaveLength(4);
    expect(charts.ghost.data[0][3]).toBeCloseTo(100 / 3, 10);
    const [released, , recovered] = charts.released.data;
    expect(released[0]).toBe(0);
    expect(released[1]).toBeGreaterThan(0);
    expect(recovered[1]).toBeGreaterThan(0);
    expect(await page.locator('#heatmap td').count()).toBe(7 * 24);
    expect(await page.locator('#heatmap td[data-booked]:not([data-booked="0"])').count()).toBeGreaterThan(0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });

  test('when a member signs in on the page, then it refuses them and shows the sign-in form again', async () => {
    const someone = await createUser(stack);
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/insights#token=${someone.token}`);
    await page.locator('body[data-state="signed-out"]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('message').textContent()).toContain('facility managers and admins');
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    await page.close();
  });
});
