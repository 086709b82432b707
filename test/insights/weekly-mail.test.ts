import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { WeeklyInsightsResult } from '../../src/shared/insights-messages';
import { WEEKLY_INSIGHTS_WORKFLOW_TYPE } from '../../src/shared/insights-messages';
import { ensureWeeklyInsightsSchedule } from '../../src/workers/insights-schedule';
import {
  book,
  clock,
  eventually,
  member,
  room,
  startBookingStack,
  waitForStatus,
  type BookingStack,
} from '../bookings/support';
import { createUser } from '../support/fixtures';

/** The weekly insights mails that reached the run's SMTP server for one address. */
async function insightsMailsTo(address: string) {
  const dir = process.env.TEST_MAIL_DIR;
  if (!dir) throw new Error('TEST_MAIL_DIR is not set: run the tests with `npm test`.');
  const mails = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.eml'))) {
    const raw = readFileSync(join(dir, file), 'utf8');
    if (!raw.includes('X-Roombook-Kind: insights_weekly') || !raw.toLowerCase().includes(address)) continue;
    mails.push(await simpleParser(raw));
  }
  return mails;
}

describe('the weekly insights mail, a Temporal Schedule', () => {
  let stack: BookingStack;
  const prefix = `test-${randomUUID().slice(0, 8)}-`;
  let scheduleId: string | undefined;

  beforeAll(async () => {
    stack = await startBookingStack();
  });
  afterAll(async () => {
    if (scheduleId) await stack.deps.temporal.schedule.getHandle(scheduleId).delete();
    await stack.stop();
  });

  test('when the schedule runs, then each facility manager gets the headline figures and the worst ghost rates, once per week', async () => {
    const email = `fm-${randomUUID().slice(0, 8)}@example.test`;
    await createUser(stack, { role: 'facility_manager', email });
    const name = `Ghostly ${randomUUID().slice(0, 6)}`;
    const r = await room(stack, { checkInOpensBeforeSeconds: 30, checkInGraceSeconds: 1 }, { name });
    const someone = await member(stack);
    const at = clock();
    const ghost = await book(stack, someone, { roomId: r.id, start: at(4), end: at(30) });
    expect(ghost.status).toBe(201);
    await waitForStatus(stack, ghost.body.id, 'released');

    const client = stack.deps.temporal;
    const config = { insights: { ...stack.config.insights, mail: { cron: '0 7 * * 1', worstRooms: 50 } } };
    scheduleId = await ensureWeeklyInsightsSchedule(client, config, {
      taskQueue: stack.config.temporal.taskQueue,
      idPrefix: prefix,
    });
    const handle = client.schedule.getHandle(scheduleId);
    expect((await handle.describe()).spec.calendars).toHaveLength(1);
    await handle.trigger();
    const actions = await eventually(
      async () => (await handle.describe()).info.recentActions,
      (a) => a.length > 0,
    );
    const started = actions[0].action.workflow;
    const first = (await client.workflow
      .getHandle(started.workflowId, started.firstExecutionRunId)
      .result()) as WeeklyInsightsResult;
    expect(first.sent).toBeGreaterThanOrEqual(1);

    const [mail] = await eventually(
      () => insightsMailsTo(email),
      (m) => m.length > 0,
    );
    expect(mail.subject).toMatch(/^Room insights, week \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}: ghost rate/);
    expect(mail.text).toContain('No-shows: ');
    expect(mail.text).toContain('Worst ghost rates:');
    expect(mail.text).toContain(`HQ · ${name}: 100.0 % (1 no-shows of 1)`);
    expect(mail.html).toContain(name);

    // The same week again (a retry, a catch-up, an operator): nobody gets it twice.
    const again = await client.workflow.execute(WEEKLY_INSIGHTS_WORKFLOW_TYPE, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: `${prefix}again`,
      args: [{ worstRooms: 50, weekEnding: first.weekEnding }],
    });
    expect(again).toEqual({ weekEnding: first.weekEnding, sent: 0, alreadySent: first.sent + first.alreadySent });
    expect(await insightsMailsTo(email)).toHaveLength(1);
  });
});
