import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  uuid4,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { ReservedOccurrence, SeriesActivities } from '../activities/series';
import { bookingWorkflowId, FailureTypes, type BookingWorkflowInput } from '../shared/booking-messages';
import { searchAttributesForBooking } from '../shared/search-attributes';
import {
  cancelSeriesUpdate,
  editPendingOccurrenceUpdate,
  occurrenceSettledSignal,
  openSeriesUpdate,
  SeriesFailureTypes,
  type SeriesChangeScope,
  type SeriesDefinition,
  type SeriesOccurrence,
  type SeriesOpened,
  type SeriesWorkflowInput,
} from '../shared/series-messages';
import { bookingWorkflow } from './booking';

const db = proxyActivities<SeriesActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '200 milliseconds',
    maximumInterval: '5 seconds',
    nonRetryableErrorTypes: [SeriesFailureTypes.seriesConflict, FailureTypes.policyViolation],
  },
});

// Cancelling reaches every affected booking workflow in turn: allow for many, heartbeating.
const fanOut = proxyActivities<SeriesActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const ms = (iso: string) => new Date(iso).getTime();
const now = () => new Date().getTime();
// A child whose workflow id is still held: tried again after 1, 2 and 4 seconds, then its row is released.
const RETRY_CHILD_START = 'series-child-start-retry';
const CHILD_START_RETRIES = 3;
// After the last occurrence's check-in deadline the series still listens this long for its no-show report.
const SETTLE_SLACK_MS = 60_000;

/**
 * A recurring booking's parent. It books occurrences (each a child booking workflow keyed by room
 * and slot) up to the room's horizon, then sleeps until the next one comes within the horizon,
 * books it and continues as new, so its history stays small however long the series runs. It
 * counts consecutive no-show releases its children report and ends the series at the limit.
 */
export async function seriesWorkflow(input: SeriesWorkflowInput): Promise<{ seriesId: string; result: string }> {
  const { pending: _pending, carried, ...definition } = input;
  const series: SeriesDefinition = definition;
  const s = {
    opened: Boolean(carried),
    openResult: undefined as SeriesOpened | undefined,
    openFailure: undefined as ApplicationFailure | undefined,
    pending: [...input.pending],
    consecutiveReleases: carried?.consecutiveReleases ?? 0,
    lastOccurrenceEnd:
      carried?.lastOccurrenceEnd ??
      input.pending.reduce((latest, o) => (ms(o.end) > ms(latest) ? o.end : latest), input.createdAt),
    status: 'active' as 'active' | 'ended' | 'cancelled',
    settled: new Set<string>(),
    dirty: false,
  };
  const horizonMs = input.horizonSeconds * 1000;

  let lock: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = lock.then(work);
    lock = run.catch(() => undefined);
    return run;
  }

  function describe(): void {
    const next = s.pending[0];
    setCurrentDetails(
      `**${s.status}** · ${s.pending.length} occurrence(s) not yet booked` +
        (next && s.status === 'active'
          ? ` · next booked at ${new Date(ms(next.start) - horizonMs).toISOString()} (for ${next.start})`
          : '') +
        ` · consecutive no-shows ${s.consecutiveReleases}/${series.maxConsecutiveReleases}`,
    );
  }

  /**
   * Starts an occurrence's workflow. Its key may still be held for a moment by the slot's previous
   * workflow, which closes as soon as its booking stops occupying the slot: a few tries cover
   * that. An occurrence whose workflow cannot start gives its row up, so no active booking is
   * ever left without a workflow to release it.
   */
  async function startOccurrence(child: BookingWorkflowInput, r: ReservedOccurrence): Promise<boolean> {
    const retries = patched(RETRY_CHILD_START) ? CHILD_START_RETRIES : 0;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await startChild(bookingWorkflow, {
          workflowId: bookingWorkflowId(series.roomId, child.start),
          args: [child],
          // An occurrence lives its own life: it outlives this run's continue-as-new and the series itself.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          typedSearchAttributes: searchAttributesForBooking(child, r.status!),
          ...(r.summary ? { staticSummary: r.summary } : {}),
        });
        return true;
      } catch (err) {
        log.error('could not start the occurrence workflow', { bookingId: child.bookingId, attempt, err });
        if (retries === 0) return true; // runs from before the patch kept the row as it was
        if (attempt >= retries) {
          await db.releaseUnstartedOccurrence({
            bookingId: child.bookingId,
            reason: `its workflow could not start: ${(err as Error).message}`,
          });
          return false;
        }
        await sleep(1000 * 2 ** attempt);
      }
    }
  }

  /** Books every pending occurrence now within the horizon (and, the first time, checks the rest). */
  async function materialize(first: boolean): Promise<ReservedOccurrence[]> {
    const cutoff = now() + horizonMs;
    const due = s.pending
      .filter((o) => ms(o.start) <= cutoff)
      .map((o) => ({ ...o, bookingId: o.bookingId ?? uuid4() }));
    const later = s.pending.filter((o) => ms(o.start) > cutoff);
    const results = await db.reserveSeriesOccurrences({
      series,
      create: first,
      book: due,
      check: first ? later : [],
      onConflict: first ? series.onConflict : 'skip',
    });
    const settled = new Set(results.filter((r) => r.outcome !== 'scheduled').map((r) => r.occurrenceStart));
    s.pending = s.pending.filter((o) => !settled.has(o.occurrenceStart));
    for (const r of results) {
      if (r.outcome !== 'booked' || !r.bookingId || !r.status) continue;
      const occurrence = due.find((o) => o.occurrenceStart === r.occurrenceStart)!;
      const child: BookingWorkflowInput = {
        bookingId: r.bookingId,
        roomId: series.roomId,
        roomName: series.roomName,
        roomTimezone: series.roomTimezone,
        organizerId: series.organizerId,
        organizerLabel: series.organizerLabel,
        title: occurrence.title ?? series.title,
        attendees: occurrence.attendees ?? series.attendees,
        start: r.start,
        end: r.end,
        policy: series.policy,
        seriesId: series.seriesId,
        createdAt: series.createdAt,
        ...(series.source ? { source: series.source } : {}),
        ...(series.icalUid ? { icalUid: series.icalUid } : {}),
        preReserved: {
          status: r.status,
          version: r.version ?? 1,
          ...(r.approvalDeadline ? { approvalDeadline: r.approvalDeadline } : {}),
        },
      };
      const started = await startOccurrence(child, r);
      if (!started) r.status = 'cancelled';
    }
    s.dirty = true;
    describe();
    return results;
  }

  const inScope = (o: SeriesOccurrence, scope: SeriesChangeScope, occurrenceStart?: string) =>
    scope === 'all' ||
    (scope === 'one' ? ms(o.occurrenceStart) === ms(occurrenceStart!) : ms(o.occurrenceStart) >= ms(occurrenceStart!));

  async function cancel(
    scope: SeriesChangeScope,
    occurrenceStart: string | undefined,
    reason: string,
  ): Promise<string[]> {
    const dropped = s.pending.filter((o) => inScope(o, scope, occurrenceStart));
    s.pending = s.pending.filter((o) => !inScope(o, scope, occurrenceStart));
    const { cancelled } = await fanOut.cancelSeriesOccurrences({
      seriesId: series.seriesId,
      scope,
      occurrenceStart,
      reason,
      dropped: dropped.map((o) => o.occurrenceStart),
    });
    s.dirty = true;
    describe();
    return cancelled;
  }

  setHandler(openSeriesUpdate, () =>
    exclusive(async () => {
      if (s.opened) {
        if (s.openFailure) throw s.openFailure;
        return s.openResult ?? { seriesId: series.seriesId, occurrences: [] };
      }
      try {
        const results = await materialize(true);
        s.openResult = {
          seriesId: series.seriesId,
          occurrences: results.map(({ summary: _summary, version: _version, ...r }) => r),
        };
        return s.openResult;
      } catch (err) {
        s.openFailure = (
          err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err
        ) as ApplicationFailure;
        throw s.openFailure;
      } finally {
        s.opened = true;
        s.dirty = true;
      }
    }),
  );

  setHandler(
    cancelSeriesUpdate,
    ({ scope, occurrenceStart, reason }) =>
      exclusive(async () => {
        const cancelled = await cancel(scope, occurrenceStart, reason);
        if (scope === 'all') {
          s.status = 'cancelled';
          await db.recordSeries({ seriesId: series.seriesId, status: 'cancelled', statusReason: reason });
        }
        return { cancelled };
      }),
    {
      validator: ({ scope, occurrenceStart }) => {
        if (scope !== 'all' && !occurrenceStart)
          throw ApplicationFailure.create({
            type: FailureTypes.invalidState,
            message: 'occurrenceStart is required for one and following.',
            nonRetryable: true,
          });
      },
    },
  );

  setHandler(editPendingOccurrenceUpdate, ({ occurrenceStart, start, end, title, attendees }) =>
    exclusive(async () => {
      const target = s.pending.find((o) => ms(o.occurrenceStart) === ms(occurrenceStart));
      if (!target) return { edited: false };
      if (start) target.start = start;
      if (end) target.end = end;
      if (title !== undefined) target.title = title;
      if (attendees !== undefined) target.attendees = [...attendees];
      s.pending.sort((a, b) => ms(a.start) - ms(b.start));
      if (ms(target.end) > ms(s.lastOccurrenceEnd)) s.lastOccurrenceEnd = target.end;
      await db.recordSeries({
        seriesId: series.seriesId,
        occurrence: { occurrenceStart: target.occurrenceStart, start: target.start, end: target.end },
      });
      s.dirty = true;
      describe();
      return { edited: true };
    }),
  );

  setHandler(occurrenceSettledSignal, ({ bookingId, outcome }) => {
    if (s.settled.has(bookingId)) return;
    s.settled.add(bookingId);
    s.consecutiveReleases = outcome === 'released' ? s.consecutiveReleases + 1 : 0;
    s.dirty = true;
  });

  // ---- The life. ----

  if (!s.opened) {
    // Update-with-start delivers the open update with the start; a bare start gets a minute.
    await condition(() => s.opened, '1 minute');
  }
  await lock;
  if (!s.opened || s.openFailure) {
    await condition(allHandlersFinished);
    return { seriesId: series.seriesId, result: 'refused' };
  }
  describe();

  let recordedReleases = carried?.consecutiveReleases ?? 0;
  for (;;) {
    if (s.status !== 'active') break;
    if (s.consecutiveReleases !== recordedReleases) {
      recordedReleases = s.consecutiveReleases;
      await exclusive(() => db.recordSeries({ seriesId: series.seriesId, consecutiveReleases: recordedReleases }));
    }
    if (s.consecutiveReleases >= series.maxConsecutiveReleases) {
      const reason = `Series ended: ${s.consecutiveReleases} occurrences in a row were released because nobody checked in.`;
      await exclusive(async () => {
        await cancel('all', undefined, reason);
        s.status = 'ended';
        await db.recordSeries({ seriesId: series.seriesId, status: 'ended', statusReason: reason });
      });
      break;
    }
    const next = s.pending[0];
    const wakeAt = next
      ? ms(next.start) - horizonMs
      : ms(s.lastOccurrenceEnd) + series.policy.checkInGraceSeconds * 1000 + SETTLE_SLACK_MS;
    if (wakeAt > now()) {
      s.dirty = false;
      await condition(() => s.dirty, Math.max(1, wakeAt - now()), {
        summary: next ? `book the occurrence of ${next.start}` : 'last occurrence settles',
      });
      continue;
    }
    if (!next) {
      await exclusive(async () => {
        s.status = 'ended';
        await db.recordSeries({ seriesId: series.seriesId, status: 'ended', statusReason: 'every occurrence is over' });
      });
      break;
    }
    await exclusive(() => materialize(false));
    // A new run per horizon step: the history never grows with the length of the series.
    await condition(allHandlersFinished);
    await lock;
    if (s.status === 'active' && s.consecutiveReleases < series.maxConsecutiveReleases) {
      return continueAsNew<typeof seriesWorkflow>({
        ...series,
        pending: s.pending,
        carried: { consecutiveReleases: s.consecutiveReleases, lastOccurrenceEnd: s.lastOccurrenceEnd },
      });
    }
  }
  await condition(allHandlersFinished);
  describe();
  return { seriesId: series.seriesId, result: s.status };
}
