import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { createDataSource, dropDatabase, ensureDatabase, migrate } from '../../src/db/data-source';
import type { ReconcileReport, RetentionResult } from '../../src/shared/ops-messages';
import { RECONCILE_SCHEDULE_ID, RETENTION_SCHEDULE_ID } from '../../src/shared/ops-messages';
import { ensureOpsSchedules } from '../../src/workers/schedules';
import { book, call, clock, eventually, member, room, type BookingStack } from '../bookings/support';
import { startApi, startWorker } from '../support/stack';

/**
 * Retention deletes across whole tables and reconciliation repairs rows: this file runs them on a
 * database of its own, so other test files' rows are never touched.
 */
async function isolatedStack(ops: Record<string, unknown>): Promise<BookingStack & { databaseUrl: string }> {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_ops_${randomUUID().slice(0, 6)}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  const migrator = await createDataSource(databaseUrl, { poolSize: 2 }).initialize();
  await migrate(migrator);
  await migrator.destroy();
  const api = await startApi({ databaseUrl });
  const config = { ...api.config, ops: { ...api.config.ops, ...ops } };
  const worker = await startWorker(config, api.deps);
  return {
    ...api,
    config,
    worker,
    databaseUrl,
    async stop() {
      await worker.stop();
      await api.close();
      await dropDatabase(databaseUrl);
    },
  };
}

/** Triggers the schedule now and waits for the workflow run it started. */
async function runScheduleNow<T>(client: Client, scheduleId: string): Promise<T> {
  const handle = client.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.recentActions.length;
  await handle.trigger();
  const actions = await eventually(
    async () => (await handle.describe()).info.recentActions,
    (a) => a.length > before,
  );
  const started = actions[actions.length - 1].action.workflow;
  return client.workflow.getHandle(started.workflowId, started.firstExecutionRunId).result();
}

const ago = (seconds: number) => `now() - make_interval(secs => ${seconds})`;

describe('retention and reconciliation as Temporal Schedules', () => {
  let stack: BookingStack & { databaseUrl: string };
  const prefix = `test-${randomUUID().slice(0, 8)}-`;
  let scheduleIds: string[] = [];
  // Reconciliation looks only at this file's rooms: other files' workflows (whose workers may be gone) are not its business.
  const roomIds: string[] = [];
  beforeAll(async () => {
    stack = await isolatedStack({
      retention: {
        intervalSeconds: 3600,
        refreshTokenSeconds: 2,
        idempotencyKeySeconds: 2,
        notificationSeconds: 2,
        mailDeliverySeconds: 2,
      },
      reconcile: { intervalSeconds: 3600, graceSeconds: 1, repair: true },
    });
  });
  afterAll(async () => {
    for (const id of scheduleIds)
      await stack.deps.temporal.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await stack.stop();
  });

  test('when the schedules are ensured twice, then each exists once, visible with its interval, and takes the new configuration', async () => {
    const client = stack.deps.temporal;
    const options = { taskQueue: stack.worker.taskQueue, idPrefix: prefix, roomIds };
    scheduleIds = await ensureOpsSchedules(client, stack.config, options);
    expect(scheduleIds).toEqual([`${prefix}${RETENTION_SCHEDULE_ID}`, `${prefix}${RECONCILE_SCHEDULE_ID}`]);
    const changed = {
      ops: { ...stack.config.ops, retention: { ...stack.config.ops.retention, intervalSeconds: 7200 } },
    };
    expect(await ensureOpsSchedules(client, changed, options)).toEqual(scheduleIds);
    const retention = await client.schedule.getHandle(scheduleIds[0]).describe();
    expect(retention.spec.intervals?.[0].every).toBe(7200 * 1000);
    expect(retention.action).toMatchObject({ workflowType: 'retentionWorkflow', taskQueue: stack.worker.taskQueue });
    const listed: string[] = [];
    for await (const s of client.schedule.list()) listed.push(s.scheduleId);
    expect(listed.filter((id) => id.startsWith(prefix)).sort()).toEqual([...scheduleIds].sort());
    await ensureOpsSchedules(client, stack.config, options);
  });

  test('when rows are older than the second-scale ages, then the retention schedule deletes them and keeps what is still needed', async () => {
    const db = stack.deps.dataSource;
    const u = await member(stack);
    const r = await room(stack);
    const at = clock();
    // A closed booking (its delivery log may go) and an active one (its log must stay).
    const closed = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
    expect((await call(stack, u, 'POST', `/bookings/${closed.body.id}/cancel`, {})).status).toBe(200);
    const active = await book(stack, u, { roomId: r.id, start: at(7200), end: at(9000) });
    expect(active.status).toBe(201);
    // Every message of the closed booking is out (the cancellation's last) before its rows are aged.
    const kinds = async (table: string) =>
      (await db.query(`SELECT kind FROM ${table} WHERE booking_id = $1`, [closed.body.id])).map(
        (x: { kind: string }) => x.kind,
      );
    expect(
      await eventually(
        () => kinds('mail_deliveries'),
        (k) => k.includes('cancelled'),
      ),
    ).toContain('cancelled');
    expect(
      await eventually(
        () => kinds('booking_notifications'),
        (k) => k.includes('cancelled'),
      ),
    ).toContain('cancelled');
    await eventually(
      async () => (await db.query('SELECT status FROM bookings WHERE id = $1', [closed.body.id]))[0].status,
      (s) => s === 'cancelled',
    );
    await db.query(`UPDATE booking_notifications SET created_at = ${ago(10)}`);
    await db.query(`UPDATE mail_deliveries SET sent_at = ${ago(10)}`);
    await db.query(`UPDATE bookings SET updated_at = ${ago(10)} WHERE id = $1`, [closed.body.id]);

    const [oldFamily] = await db.query(
      `INSERT INTO refresh_token_families (user_id, created_at) VALUES ($1, ${ago(10)}) RETURNING id`,
      [u.id],
    );
    await db.query(`INSERT INTO refresh_tokens (token_hash, family_id, expires_at) VALUES ($1, $2, ${ago(10)})`, [
      `old-${randomUUID()}`,
      oldFamily.id,
    ]);
    const [liveFamily] = await db.query(
      `INSERT INTO refresh_token_families (user_id, created_at) VALUES ($1, ${ago(10)}) RETURNING id`,
      [u.id],
    );
    await db.query(
      "INSERT INTO refresh_tokens (token_hash, family_id, expires_at) VALUES ($1, $2, now() + interval '1 hour')",
      [`live-${randomUUID()}`, liveFamily.id],
    );
    await db.query(
      `INSERT INTO booking_idempotency_keys (user_id, key, request_hash, booking_id, created_at) VALUES ($1, 'old-key', 'h', $2, ${ago(10)}), ($1, 'new-key', 'h', $2, now())`,
      [u.id, randomUUID()],
    );

    const replyIds = [`<old.${randomUUID()}@rooms.test>`, `<new.${randomUUID()}@rooms.test>`];
    await db.query(
      `INSERT INTO imip_replies (message_id, room_id, ical_uid, sequence, recipient, partstat, sent_at)
       VALUES ($1, $3, 'uid-old', 0, $4, 'ACCEPTED', ${ago(10)}), ($2, $3, 'uid-new', 0, $4, 'ACCEPTED', now())`,
      [...replyIds, r.id, u.email],
    );

    const result = await runScheduleNow<RetentionResult>(stack.deps.temporal, `${prefix}${RETENTION_SCHEDULE_ID}`);
    expect(result).toMatchObject({ refreshTokens: 1, refreshTokenFamilies: 1, idempotencyKeys: 1 });
    expect(result.notifications).toBeGreaterThan(0);
    expect(result.mailDeliveries).toBeGreaterThan(0);
    expect(result.imipReplies).toBeGreaterThan(0);
    expect(
      (await db.query('SELECT message_id FROM imip_replies WHERE message_id = ANY($1)', [replyIds])).map(
        (x: { message_id: string }) => x.message_id,
      ),
    ).toEqual([replyIds[1]]);
    const counts = async (sql: string, params: unknown[]) => (await db.query(sql, params))[0].n;
    expect(
      await counts('SELECT count(*)::int AS n FROM refresh_token_families WHERE id = ANY($1::uuid[])', [
        [oldFamily.id, liveFamily.id],
      ]),
    ).toBe(1);
    expect(await counts('SELECT count(*)::int AS n FROM booking_idempotency_keys WHERE user_id = $1', [u.id])).toBe(1);
    expect(
      await counts('SELECT count(*)::int AS n FROM booking_notifications WHERE booking_id = $1', [closed.body.id]),
    ).toBe(0);
    expect(await counts('SELECT count(*)::int AS n FROM mail_deliveries WHERE booking_id = $1', [closed.body.id])).toBe(
      0,
    );
    expect(
      await counts('SELECT count(*)::int AS n FROM booking_notifications WHERE booking_id = $1', [active.body.id]),
    ).toBeGreaterThan(0);
  });

  test('when a row is changed behind its workflow and another workflow is terminated by hand, then both are reported, repaired by the schedule, and the CLI then finds nothing', async () => {
    const db = stack.deps.dataSource;
    const u = await member(stack);
    const r = await room(stack);
    roomIds.push(r.id);
    await ensureOpsSchedules(stack.deps.temporal, stack.config, {
      taskQueue: stack.worker.taskQueue,
      idPrefix: prefix,
      roomIds,
    });
    const at = clock();
    const edited = (await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400), title: 'Planning' })).body;
    const cancelledByHand = (await book(stack, u, { roomId: r.id, start: at(7200), end: at(9000) })).body;
    const orphaned = (await book(stack, u, { roomId: r.id, start: at(10800), end: at(12600) })).body;
    await db.query("UPDATE bookings SET title = 'Renamed by hand' WHERE id = $1", [edited.id]);
    await db.query("UPDATE bookings SET status = 'cancelled', status_reason = 'by hand' WHERE id = $1", [
      cancelledByHand.id,
    ]);
    await stack.deps.temporal.workflow.getHandle(orphaned.workflowId).terminate('terminated by hand in a test');
    // Let the rows age past the one-second grace period (changes younger than it are left alone).
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // Asynchronously: the worker answering the CLI's queries runs in this process.
    const cli = (...args: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [
            '--import',
            'tsx',
            join(__dirname, '../../scripts/reconcile.ts'),
            '--room',
            r.id,
            '--grace',
            '1',
            '--json',
            ...args,
          ],
          { env: { ...process.env, DATABASE_URL: stack.databaseUrl, LOG_LEVEL: 'silent' }, encoding: 'utf8' },
          (err, stdout, stderr) =>
            resolve({ status: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
        );
      });
    const dry = await cli('--dry-run');
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(2);
    const reported = JSON.parse(dry.stdout) as ReconcileReport;
    const kinds = Object.fromEntries(reported.drift.map((d) => [d.bookingId, d]));
    expect(kinds[edited.id]).toMatchObject({
      kind: 'row_differs',
      repaired: false,
      details: { title: ['Renamed by hand', 'Planning'] },
    });
    expect(kinds[cancelledByHand.id]).toMatchObject({
      kind: 'row_differs',
      details: { status: ['cancelled', 'confirmed'] },
    });
    expect(kinds[orphaned.id]).toMatchObject({ kind: 'workflow_gone', details: { workflowStatus: 'TERMINATED' } });
    expect(reported.drift).toHaveLength(3);

    const report = await runScheduleNow<ReconcileReport>(stack.deps.temporal, `${prefix}${RECONCILE_SCHEDULE_ID}`);
    const mine = report.drift.filter((d) => [edited.id, cancelledByHand.id, orphaned.id].includes(d.bookingId!));
    expect(mine.map((d) => [d.kind, d.repaired]).sort()).toEqual([
      ['row_differs', true],
      ['row_differs', true],
      ['workflow_gone', true],
    ]);
    const rows = Object.fromEntries(
      (
        await db.query('SELECT id, title, status, status_reason FROM bookings WHERE id = ANY($1::uuid[])', [
          [edited.id, cancelledByHand.id, orphaned.id],
        ])
      ).map((x: any) => [x.id, x]),
    );
    expect(rows[edited.id]).toMatchObject({ title: 'Planning', status: 'confirmed' });
    expect(rows[cancelledByHand.id]).toMatchObject({ status: 'confirmed' });
    expect(rows[orphaned.id].status).toBe('cancelled');
    expect(rows[orphaned.id].status_reason).toMatch(/workflow .* is terminated/);
    // The slot the orphaned row held is free again.
    expect((await book(stack, u, { roomId: r.id, start: orphaned.start, end: orphaned.end })).status).toBe(201);

    const again = await cli();
    expect(again.status).toBe(0);
    expect((JSON.parse(again.stdout) as ReconcileReport).drift).toEqual([]);
  });
});
