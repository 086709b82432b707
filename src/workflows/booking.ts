import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { BookingActivities, BookingSnapshot } from '../activities/bookings';
import type { BookingStatus } from '../shared/booking';
import {
  assertNever,
  checkInFields,
  checkInRefusal,
  checkOutRefusal,
  initialStatus,
  isActive,
  isAllowed,
  nextDeadline,
  occupiedUntil,
  type BookingAction,
  type Deadline,
  type SlotLifecycle,
} from '../shared/booking-lifecycle';
import {
  FailureTypes,
  approveUpdate,
  bookingStateQuery,
  bookingWorkflowId,
  cancelUpdate,
  checkInUpdate,
  checkOutUpdate,
  confirmUpdate,
  editUpdate,
  extendUpdate,
  followUpWorkflowId,
  rejectUpdate,
  reserveUpdate,
  rescheduleUpdate,
  type BookingEvent,
  type BookingEventKind,
  type BookingOutcome,
  type BookingView,
  type BookingWorkflowInput,
  type MoveTarget,
  type SlotConflictDetails,
  type SlotRef,
} from '../shared/booking-messages';
import { BookingStatusKey, searchAttributesForBooking } from '../shared/search-attributes';
import { occurrenceSettledSignal, seriesWorkflowId } from '../shared/series-messages';
import { Deliveries } from './booking-delivery';
import { bookingFollowUpWorkflow } from './booking-followup';
import { legacyBookingWorkflow } from './booking-legacy';

/**
 * Runs started before the lifecycle module have no marker of this patch: they go on, and replay,
 * in legacyBookingWorkflow. Every new run records it and takes the path below.
 */
export const LIFECYCLE_PATCH = 'booking-lifecycle-v3';

/**
 * From this patch on, a hold the caller made for themselves is announced but not mailed (they
 * just made it); runs that reserved before it mailed every hold and replay that way.
 */
export const SELF_HOLD_UNMAILED_PATCH = 'self-hold-unmailed';

const DOMAIN_REFUSALS = [FailureTypes.slotConflict, FailureTypes.policyViolation];

// Reservations and state writes run as local activities, within the workflow task that made the
// change: one task per create or transition (see docs/performance.md). Retried until Postgres
// answers, except for domain refusals, which the caller must see at once.
const local = proxyLocalActivities<Pick<BookingActivities, 'reserveSlot' | 'saveBooking'>>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', nonRetryableErrorTypes: DOMAIN_REFUSALS },
});

// Handing the booking to its new slot's workflow: retried for as long as it takes.
const handOff = proxyActivities<Pick<BookingActivities, 'startMovedBooking'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** The booking as its row holds it; every field changes only once the row has it. */
interface BookingRecord {
  roomId: string;
  status: BookingStatus;
  version: number;
  sequence: number;
  title: string;
  attendees: string[];
  start: string;
  end: string;
  statusReason?: string;
  holdExpiresAt?: string;
  approvalDeadline?: string;
  checkedInAt?: string;
  endedAt?: string;
  reminderSentAt?: string;
  previousWorkflowIds: string[];
  createdAt: string;
  updatedAt: string;
  slotTakenAt: string;
}

/** Where the slot's workflow is in its own life (not the booking's status). */
type Phase =
  | { name: 'reserving' }
  | { name: 'refused'; failure: ApplicationFailure }
  | { name: 'open' }
  | { name: 'moved'; to: string };

type Change = Partial<Omit<BookingRecord, 'version' | 'updatedAt' | 'previousWorkflowIds' | 'createdAt'>>;

const ms = (iso: string) => new Date(iso).getTime();
const isoAt = (epochMs: number) => new Date(epochMs).toISOString();
const now = () => new Date().getTime();

/**
 * One booking's time in one slot, keyed by room and start. It lives exactly as long as the
 * booking occupies the slot: once the booking is cancelled, released, expired, rejected,
 * completed or moved, it hands what is left (undelivered mail, the review window) to the
 * booking's follow-up or to the next slot's workflow and closes, so the slot can be booked again.
 */
export async function bookingWorkflow(input: BookingWorkflowInput): Promise<BookingOutcome> {
  if (!patched(LIFECYCLE_PATCH)) return legacyBookingWorkflow(input);
  return runSlot(input);
}

async function runSlot(input: BookingWorkflowInput): Promise<BookingOutcome> {
  const { policy } = input;
  const info = workflowInfo();
  const carried = input.carried;
  // A series occurrence: its series already inserted the row (carried wins: a moved occurrence).
  const preReserved = carried ? undefined : input.preReserved;
  const deliveries = new Deliveries();
  for (const message of carried?.undelivered ?? []) deliveries.resume(message);

  let b: BookingRecord = {
    roomId: input.roomId,
    status: carried?.status ?? preReserved?.status ?? 'held',
    version: carried?.version ?? preReserved?.version ?? 0,
    sequence: carried?.sequence ?? 0,
    title: input.title,
    attendees: [...input.attendees],
    start: input.start,
    end: input.end,
    holdExpiresAt: carried?.holdExpiresAt,
    approvalDeadline: carried?.approvalDeadline ?? preReserved?.approvalDeadline,
    checkedInAt: carried?.checkedInAt,
    previousWorkflowIds: carried ? [...carried.previousWorkflowIds] : [],
    createdAt: input.createdAt,
    updatedAt: input.createdAt,
    slotTakenAt: carried?.slotTakenAt ?? input.createdAt,
  };
  let phase = (carried || preReserved ? { name: 'open' } : { name: 'reserving' }) as Phase;
  // Handlers change the phase while the main path awaits: always read it afresh.
  const currentPhase = (): Phase => phase;
  // Announced moments: not part of the row (a replayed workflow announces none twice).
  const announced = { checkIn: false, start: false };
  /** Set by every change; the main loop recomputes its next deadline when it sees it. */
  let dirty = false;

  const lifecycle = (): SlotLifecycle => ({
    ...b,
    checkInAnnounced: announced.checkIn,
    startAnnounced: announced.start,
  });

  function view(record: BookingRecord = b): BookingView {
    return {
      id: input.bookingId,
      roomId: record.roomId,
      organizerId: input.organizerId,
      ...(input.seriesId ? { seriesId: input.seriesId } : {}),
      title: record.title,
      attendees: [...record.attendees],
      start: record.start,
      end: record.end,
      status: record.status,
      ...(record.statusReason ? { statusReason: record.statusReason } : {}),
      ...(record.status === 'held' && record.holdExpiresAt ? { holdExpiresAt: record.holdExpiresAt } : {}),
      ...checkInFields(policy, record.start, record.end),
      ...(record.checkedInAt ? { checkedInAt: record.checkedInAt } : {}),
      workflowId: info.workflowId,
      version: record.version,
      sequence: record.sequence,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      source: input.source ?? 'api',
      ...(input.icalUid ? { icalUid: input.icalUid } : {}),
    };
  }

  // Where the booking is before a write: the activity frees what a move leaves (only the activity's input changes).
  const placeOf = (record: BookingRecord) => ({ roomId: record.roomId, start: record.start, end: record.end });

  function snapshot(record: BookingRecord): BookingSnapshot {
    return {
      ...view(record),
      occupiedUntil: occupiedUntil(policy, record.end),
      runId: info.runId,
      ...(record.endedAt ? { endedAt: record.endedAt } : {}),
      ...(record.reminderSentAt ? { reminderSentAt: record.reminderSentAt } : {}),
      previousWorkflowIds: record.previousWorkflowIds,
    };
  }

  // Serializes state changes: an update handler and a firing timer never interleave their writes.
  let lock: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = lock.then(work);
    lock = run.catch(() => undefined);
    return run;
  }

  function refuse(message: string): never {
    throw ApplicationFailure.create({
      type: FailureTypes.invalidState,
      message,
      details: [{ status: b.status }],
      nonRetryable: true,
    });
  }

  /** Activity failures reach the caller as the domain failure inside them. */
  function unwrap(err: unknown): unknown {
    return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
  }

  function describe(): void {
    const parts = [
      `**${phase.name === 'open' ? b.status : phase.name}**${b.statusReason ? ` (${b.statusReason})` : ''}`,
      `slot ${b.start} → ${b.end}`,
    ];
    const next = phase.name === 'open' ? nextDeadline(lifecycle(), policy, now()) : undefined;
    if (phase.name === 'moved') parts.push(`moved to ${phase.to}`);
    else if (next) parts.push(`next: ${next.label} at ${isoAt(next.at)}`);
    setCurrentDetails(parts.join(' · '));
  }

  /**
   * The one write path: the new record goes to Postgres first (a full snapshot guarded by its
   * version); only when the row has it does the workflow, and so the caller, see it.
   */
  async function commit(change: Change, options: { bumpSequence?: boolean } = {}): Promise<void> {
    const next: BookingRecord = {
      ...b,
      ...change,
      version: b.version + 1,
      sequence: b.sequence + (options.bumpSequence ? 1 : 0),
      updatedAt: isoAt(now()),
    };
    if (next.status !== 'held') next.holdExpiresAt = undefined;
    try {
      await local.saveBooking({ snapshot: snapshot(next), previousStatus: b.status, previousSlot: placeOf(b) });
    } catch (err) {
      throw unwrap(err);
    }
    const statusChanged = next.status !== b.status;
    b = next;
    if (statusChanged) upsertSearchAttributes([{ key: BookingStatusKey, value: b.status }]);
    dirty = true;
    describe();
  }

  function notify(kind: BookingEventKind, extra: Omit<BookingEvent, 'kind' | 'booking'> = {}): void {
    deliveries.send({ kind, booking: view(), ...extra });
  }

  /** Series occurrences only: the series counts consecutive no-shows (three strikes). A closed series needs no report. */
  function tellSeries(outcome: 'released' | 'attended'): void {
    if (!input.seriesId) return;
    getExternalWorkflowHandle(seriesWorkflowId(input.seriesId))
      .signal(occurrenceSettledSignal, { bookingId: input.bookingId, outcome })
      .catch((err) => log.info('series not told', { outcome, err }));
  }

  async function fire(deadline: Deadline): Promise<void> {
    // Re-checked under the lock: an update may have changed the state since the timer was set.
    const due = phase.name === 'open' ? nextDeadline(lifecycle(), policy, now()) : undefined;
    if (!due || due.kind !== deadline.kind || due.at > now()) return;
    switch (deadline.kind) {
      case 'hold_expiry':
        await commit({ status: 'expired', statusReason: 'hold not confirmed in time' });
        notify('expired');
        return;
      case 'approval_timeout':
        await commit({ status: 'expired', statusReason: 'not approved in time' });
        notify('expired');
        return;
      case 'reminder':
        await commit({ reminderSentAt: isoAt(now()) });
        notify('reminder');
        return;
      case 'check_in_opens':
        announced.checkIn = true;
        dirty = true;
        notify('check_in_opened');
        return;
      case 'meeting_start':
        announced.start = true;
        dirty = true;
        notify('meeting_started');
        return;
      case 'no_show':
        await commit({ status: 'released', statusReason: 'no check-in before the deadline' }, { bumpSequence: true });
        notify('released');
        tellSeries('released');
        return;
      case 'end':
        await commit({ status: 'completed', endedAt: b.end });
        notify('completed');
        return;
      default:
        assertNever(deadline.kind);
    }
  }

  // ---- Handlers: registered before the first await. ----

  setHandler(bookingStateQuery, () => view());

  setHandler(
    reserveUpdate,
    ({ bookingId, mode, offered }) =>
      exclusive(async () => {
        if (phase.name === 'refused') throw phase.failure;
        if (phase.name !== 'reserving') return view();
        const at = now();
        const status = initialStatus(mode, policy);
        const first: BookingRecord = {
          ...b,
          status,
          version: 1,
          updatedAt: isoAt(at),
          ...(status === 'held' ? { holdExpiresAt: isoAt(at + policy.holdTtlSeconds * 1000) } : {}),
          ...(status === 'pending_approval'
            ? { approvalDeadline: isoAt(at + policy.approvalTimeoutSeconds * 1000) }
            : {}),
        };
        try {
          await local.reserveSlot({ ...snapshot(first), id: bookingId });
        } catch (err) {
          phase = { name: 'refused', failure: unwrap(err) as ApplicationFailure };
          dirty = true;
          throw phase.failure;
        }
        b = first;
        phase = { name: 'open' };
        upsertSearchAttributes([{ key: BookingStatusKey, value: status }]);
        dirty = true;
        describe();
        if (status !== 'held') notify(status);
        else if (offered || !patched(SELF_HOLD_UNMAILED_PATCH)) notify('hold_created');
        else deliveries.send({ kind: 'hold_created', booking: view() }, { mail: false });
        return view();
      }),
    {
      validator: ({ bookingId }) => {
        if (bookingId === input.bookingId) return;
        // Another booking already owns this room and start; once it stops occupying the slot this
        // workflow closes within moments, and the caller may try again.
        if (phase.name !== 'reserving' && (phase.name !== 'open' || !isActive(b.status))) {
          throw ApplicationFailure.create({
            type: FailureTypes.slotClosing,
            message: 'The previous booking of this slot is closing; try again.',
            nonRetryable: true,
          });
        }
        const details: SlotConflictDetails = {
          conflictingBookingId: input.bookingId,
          start: b.start,
          end: occupiedUntil(policy, b.end),
        };
        throw ApplicationFailure.create({
          type: FailureTypes.slotConflict,
          message: `The room is already booked from ${details.start} to ${details.end}.`,
          details: [details],
          nonRetryable: true,
        });
      },
    },
  );

  /** Refuses an action the transition table does not allow from the current status. */
  function allow(action: BookingAction): void {
    if (phase.name === 'reserving') refuse('Not possible while the booking is being reserved.');
    if (phase.name !== 'open' || !isAllowed(action, b.status))
      refuse(`Not possible while the booking is ${phase.name === 'moved' ? 'moving' : b.status}.`);
  }

  /**
   * One shape for every change: the validator (the transition table, then the action's own
   * rule) refuses before the update enters the history; the handler checks again under the lock
   * (a timer may have fired in between), changes the booking and answers with it.
   */
  function onUpdate<Args extends unknown[]>(
    def: UpdateDefinition<BookingView, Args>,
    action: BookingAction,
    rule: ((...args: NoInfer<Args>) => void) | undefined,
    change: (...args: NoInfer<Args>) => Promise<BookingView | void>,
  ): void {
    const validate = (...args: Args): void => {
      allow(action);
      rule?.(...args);
    };
    setHandler(
      def,
      (...args: Args) =>
        exclusive(async () => {
          validate(...args);
          return (await change(...args)) ?? view();
        }),
      { validator: validate },
    );
  }

  onUpdate(confirmUpdate, 'confirm', undefined, async () => {
    if (policy.requiresApproval) {
      await commit({
        status: 'pending_approval',
        approvalDeadline: isoAt(now() + policy.approvalTimeoutSeconds * 1000),
      });
      notify('pending_approval');
    } else {
      await commit({ status: 'confirmed' });
      notify('confirmed');
    }
  });

  onUpdate(approveUpdate, 'approve', undefined, async () => {
    await commit({ status: 'confirmed' });
    notify('approved');
  });

  onUpdate(rejectUpdate, 'reject', undefined, async ({ reason }) => {
    await commit({ status: 'rejected', statusReason: reason });
    notify('rejected');
  });

  onUpdate(cancelUpdate, 'cancel', undefined, async ({ reason }) => {
    await commit({ status: 'cancelled', statusReason: reason ?? 'cancelled by the organizer' }, { bumpSequence: true });
    notify('cancelled');
  });

  onUpdate(
    checkInUpdate,
    'checkIn',
    () => {
      const refusal = checkInRefusal(policy, b.status, b.start, b.end, now());
      if (refusal) refuse(refusal);
    },
    async () => {
      await commit({ status: 'checked_in', checkedInAt: isoAt(now()) });
      notify('checked_in');
      tellSeries('attended');
    },
  );

  onUpdate(
    checkOutUpdate,
    'checkOut',
    () => {
      const refusal = checkOutRefusal(policy, b.status, b.start, now());
      if (refusal) refuse(refusal);
    },
    async () => {
      // Completed is not an active state: the rest of the slot is free from this moment.
      await commit({ status: 'completed', statusReason: 'checked out early', endedAt: isoAt(now()) });
      notify('completed');
    },
  );

  const longest = (start: string, end: string) => {
    if ((ms(end) - ms(start)) / 1000 > policy.maxDurationSeconds) {
      throw ApplicationFailure.create({
        type: FailureTypes.policyViolation,
        message: `A booking may last at most ${policy.maxDurationSeconds} seconds.`,
        details: [{ rule: 'maxDurationSeconds', limit: policy.maxDurationSeconds }],
        nonRetryable: true,
      });
    }
  };

  onUpdate(
    extendUpdate,
    'extend',
    ({ end }) => {
      if (!(ms(end) > ms(b.end))) refuse(`The new end must be after the current end ${b.end}.`);
      longest(b.start, end);
    },
    async ({ end }) => {
      await commit({ end }, { bumpSequence: true });
      notify('rescheduled');
    },
  );

  onUpdate(
    rescheduleUpdate,
    'move',
    ({ start, end, room }) => {
      if (!(ms(end) > ms(start))) refuse('The end must be after the start.');
      if ((room?.roomId ?? b.roomId) === b.roomId && ms(start) === ms(b.start) && ms(end) === ms(b.end))
        refuse('The booking already has this slot.');
    },
    async ({ start, end, title, attendees, room }) => {
      const details: Change = {
        ...(title !== undefined ? { title } : {}),
        ...(attendees !== undefined ? { attendees: [...attendees] } : {}),
      };
      if ((room?.roomId ?? b.roomId) === b.roomId && ms(start) === ms(b.start)) {
        // Same room and start: the slot's key stays, this workflow keeps the booking.
        await commit({ ...details, end }, { bumpSequence: true });
        notify('rescheduled');
        return;
      }
      return move({ start, end, details, room });
    },
  );

  /**
   * Another start or another room is another slot, with its own workflow. The new slot is taken
   * in the same write that gives up the old one (the exclusion constraint checks it): either the
   * booking moves or nothing changes. Then the new slot's workflow carries the booking on, tells
   * everyone (updated invite, booking.updated, both rooms' status) and this one closes.
   */
  async function move(to: { start: string; end: string; details: Change; room?: MoveTarget }): Promise<BookingView> {
    const target = to.room ?? { roomId: b.roomId, roomName: input.roomName, roomTimezone: input.roomTimezone, policy };
    const movedTo = bookingWorkflowId(target.roomId, to.start);
    const at = now();
    const moved: BookingRecord = {
      ...b,
      ...to.details,
      roomId: target.roomId,
      start: to.start,
      end: to.end,
      version: b.version + 1,
      sequence: b.sequence + 1,
      updatedAt: isoAt(at),
      // A reminder belongs to a slot: the new one gets its own.
      reminderSentAt: undefined,
      slotTakenAt: isoAt(at),
      previousWorkflowIds: [...b.previousWorkflowIds, info.workflowId],
    };
    const row: BookingSnapshot = {
      ...snapshot(moved),
      ...checkInFields(target.policy, to.start, to.end),
      occupiedUntil: occupiedUntil(target.policy, to.end),
      workflowId: movedTo,
      // The new slot's workflow writes its own run id when it takes over.
      runId: undefined,
    };
    if (!target.policy.requiresCheckIn) {
      delete row.checkInOpensAt;
      delete row.checkInDeadline;
    }
    try {
      await local.saveBooking({ snapshot: row, previousStatus: b.status, previousSlot: placeOf(b) });
    } catch (err) {
      throw unwrap(err);
    }
    const from: SlotRef = { roomId: b.roomId, start: b.start, end: b.end, workflowId: info.workflowId };
    b = moved;
    phase = { name: 'moved', to: movedTo };
    upsertSearchAttributes([{ key: BookingStatusKey, value: 'moved' }]);
    dirty = true;
    describe();
    await handOff.startMovedBooking({
      ...input,
      roomId: target.roomId,
      roomName: target.roomName,
      roomTimezone: target.roomTimezone,
      policy: target.policy,
      title: b.title,
      attendees: b.attendees,
      start: b.start,
      end: b.end,
      createdAt: b.createdAt,
      preReserved: undefined,
      carried: {
        status: b.status,
        version: b.version,
        sequence: b.sequence,
        previousWorkflowIds: b.previousWorkflowIds,
        holdExpiresAt: b.holdExpiresAt,
        approvalDeadline: b.approvalDeadline,
        checkedInAt: b.checkedInAt,
        movedFrom: from,
        slotTakenAt: b.slotTakenAt,
        undelivered: await deliveries.handOver(),
      },
    });
    return { ...view(), workflowId: movedTo, ...checkInFields(target.policy, b.start, b.end) };
  }

  onUpdate(editUpdate, 'edit', undefined, async ({ title, attendees }) => {
    await commit(
      { ...(title !== undefined ? { title } : {}), ...(attendees !== undefined ? { attendees: [...attendees] } : {}) },
      { bumpSequence: true },
    );
    notify('rescheduled');
  });

  // ---- The life. ----

  if (carried) {
    // Moved here: take over the row (workflow and run id) before anything else, then tell everyone.
    await exclusive(() => commit({}));
    notify('rescheduled', carried.movedFrom ? { previous: carried.movedFrom } : {});
  } else if (preReserved) {
    // Take over the row (run id) in whatever state it is now: an update may already have changed it.
    await exclusive(() => commit({}));
    if (isActive(b.status))
      deliveries.send(
        { kind: b.status === 'pending_approval' ? 'pending_approval' : 'confirmed', booking: view() },
        { mail: false },
      );
  } else {
    // Update-with-start delivers the reserve update with the start; a bare start gets a minute.
    const arrived = await condition(() => phase.name !== 'reserving', '1 minute');
    if (!arrived || currentPhase().name === 'refused') {
      upsertSearchAttributes([{ key: BookingStatusKey, value: 'refused' }]);
      await condition(allHandlersFinished);
      return { bookingId: input.bookingId, result: 'refused' };
    }
  }
  describe();

  while (currentPhase().name === 'open' && isActive(b.status)) {
    const next = nextDeadline(lifecycle(), policy, now());
    // Never for an active status (the lifecycle module's tests prove every one has an exit).
    if (!next) break;
    dirty = false;
    const changed = await condition(() => dirty, Math.max(1, next.at - now()), { summary: next.label });
    if (!changed) await exclusive(() => fire(next));
  }

  await condition(allHandlersFinished);
  const ended = currentPhase();
  if (ended.name === 'moved') {
    return { bookingId: input.bookingId, result: 'moved', movedTo: ended.to };
  }

  // The booking no longer occupies the slot: what is left goes on in its follow-up, and this
  // workflow closes now, so the same room and start can be booked again at once.
  const followUp = followUpWorkflowId(input.bookingId);
  await startChild(bookingFollowUpWorkflow, {
    workflowId: followUp,
    args: [
      {
        booking: view(),
        policy,
        ...(b.status === 'completed' && b.endedAt ? { endedAt: b.endedAt } : {}),
        undelivered: await deliveries.handOver(),
      },
    ],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: searchAttributesForBooking({ ...input, roomId: b.roomId, start: b.start }, b.status),
    staticSummary: `Follow-up of booking ${input.bookingId} (${b.status}): undelivered mail${b.status === 'completed' ? ', review prompt and window' : ''}`,
  });
  return { bookingId: input.bookingId, result: b.status, followUp };
}
