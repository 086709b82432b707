import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BookingActivities, BookingSnapshot } from '../activities/bookings';
import type { MailActivities } from '../activities/mail';
import { isActive, type BookingStatus } from '../shared/booking';
import {
  FailureTypes,
  MAILED_EVENT_KINDS,
  approveUpdate,
  bookingStateQuery,
  bookingWorkflowId,
  cancelUpdate,
  checkInUpdate,
  checkOutUpdate,
  confirmUpdate,
  editUpdate,
  extendUpdate,
  rejectUpdate,
  reserveUpdate,
  rescheduleUpdate,
  reviewSubmittedSignal,
  type BookingEvent,
  type BookingEventKind,
  type BookingOutcome,
  type BookingView,
  type BookingWorkflowInput,
  type SlotConflictDetails,
} from '../shared/booking-messages';
import { BookingStatusKey } from '../shared/search-attributes';
import { occurrenceSettledSignal, seriesWorkflowId } from '../shared/series-messages';

// Fast database writes: retried until Postgres answers (a booking's life must not be lost to an
// outage), except for the domain refusals, which the caller must see at once.
const db = proxyActivities<BookingActivities>({
  startToCloseTimeout: '15 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    maximumInterval: '5 seconds',
    nonRetryableErrorTypes: [FailureTypes.slotConflict, FailureTypes.policyViolation],
  },
});

// The database writes and the realtime announcement, as local activities: they run in the worker
// within the workflow task that made the change, so a create or a transition costs one workflow
// task instead of a task, an activity task and a second task per call (trips through the Temporal
// server; npm run bench measured the difference, see docs/performance.md). Same timeout and
// retries as `db`. The update's answer leaves with that task, so the caller hears of the change
// once the row is written and the announcement is out.
const local = proxyLocalActivities<Pick<BookingActivities, 'reserveSlot' | 'saveBooking'>>({
  startToCloseTimeout: '15 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    maximumInterval: '5 seconds',
    nonRetryableErrorTypes: [FailureTypes.slotConflict, FailureTypes.policyViolation],
  },
});

// The announcement's fast path is short: when Redis or Postgres cannot take it at once, the
// durable `db.announce` takes over in the background, so an outage never holds up the answer.
const quickAnnouncer = proxyLocalActivities<Pick<BookingActivities, 'announce'>>({
  startToCloseTimeout: '3 seconds',
  retry: { initialInterval: '100 milliseconds', maximumAttempts: 2 },
});

/**
 * Histories recorded before each step replay the activities they scheduled. One patch covers both
 * steps in new workflows: each patch a workflow meets costs an upsert of TemporalChangeVersion.
 */
const RESERVE_LOCALLY = 'reserve-slot-local-activity';
const WRITE_AND_ANNOUNCE_LOCALLY = 'local-activities-v2';
const writesLocally = () => patched(WRITE_AND_ANNOUNCE_LOCALLY);
const reservesLocally = () => writesLocally() || patched(RESERVE_LOCALLY);

// Mail and hand-offs: slower, retried for as long as it takes; never block the booking's timers.
const outbox = proxyActivities<BookingActivities & MailActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

const TERMINAL_WITHOUT_REVIEW: BookingStatus[] = ['expired', 'rejected', 'cancelled', 'released'];

type Phase = BookingStatus | 'new';

interface Deadline {
  at: number;
  kind:
    | 'hold_expiry'
    | 'approval_timeout'
    | 'reminder'
    | 'check_in_opens'
    | 'meeting_start'
    | 'no_show'
    | 'end'
    | 'review_prompt'
    | 'review_reminder'
    | 'review_close';
  label: string;
}

const ms = (iso: string) => new Date(iso).getTime();
const isoAt = (epochMs: number) => new Date(epochMs).toISOString();
const now = () => new Date().getTime();

/**
 * The booking workflow as it ran before the lifecycle module (one run through the review window,
 * moves without announcements). Runs started by it replay here, unchanged: src/workflows/booking.ts
 * sends every run without its `lifecycle-v3` marker to this function. Remove it once no such run
 * remains open (the longest a booking lives: its horizon plus its review window).
 */
export async function legacyBookingWorkflow(input: BookingWorkflowInput): Promise<BookingOutcome> {
  const { policy } = input;
  const info = workflowInfo();
  const carried = input.carried;
  // A series occurrence: its series already inserted the row (carried wins: a moved occurrence).
  const preReserved = carried ? undefined : input.preReserved;
  const s = {
    phase: (carried?.status ?? preReserved?.status ?? 'new') as Phase,
    version: carried?.version ?? preReserved?.version ?? 0,
    sequence: carried?.sequence ?? 0,
    title: input.title,
    attendees: [...input.attendees],
    start: input.start,
    end: input.end,
    holdExpiresAt: carried?.holdExpiresAt,
    approvalDeadline: carried?.approvalDeadline ?? preReserved?.approvalDeadline,
    checkedInAt: carried?.checkedInAt,
    endedAt: undefined as string | undefined,
    statusReason: undefined as string | undefined,
    reminderSentAt: carried?.reminderSentAt,
    previousWorkflowIds: carried ? [...carried.previousWorkflowIds] : ([] as string[]),
    createdAt: input.createdAt,
    updatedAt: input.createdAt,
    runId: info.runId,
    checkInAnnounced: false,
    startAnnounced: false,
    reviewPromptSentAt: undefined as string | undefined,
    reviewReminderSent: false,
    reviewers: new Set<string>(),
    movedTo: undefined as string | undefined,
    reserve: { settled: Boolean(carried ?? preReserved), failure: undefined as ApplicationFailure | undefined },
    /** Set by every change; the main loop recomputes its next deadline when it sees it. */
    dirty: false,
  };
  const pendingMessages: Promise<unknown>[] = [];

  const status = (): BookingStatus => (s.phase === 'new' ? 'held' : s.phase);
  const occupiedUntil = (end = s.end) => isoAt(ms(end) + policy.bufferSeconds * 1000);
  const checkInOpensAt = (start = s.start) =>
    policy.requiresCheckIn ? isoAt(ms(start) - policy.checkInOpensBeforeSeconds * 1000) : undefined;
  const checkInDeadline = (start = s.start) =>
    policy.requiresCheckIn ? isoAt(ms(start) + policy.checkInGraceSeconds * 1000) : undefined;

  function view(): BookingView {
    const st = status();
    return {
      id: input.bookingId,
      roomId: input.roomId,
      organizerId: input.organizerId,
      ...(input.seriesId ? { seriesId: input.seriesId } : {}),
      title: s.title,
      attendees: [...s.attendees],
      start: s.start,
      end: s.end,
      status: st,
      ...(s.statusReason ? { statusReason: s.statusReason } : {}),
      ...(st === 'held' && s.holdExpiresAt ? { holdExpiresAt: s.holdExpiresAt } : {}),
      ...(policy.requiresCheckIn ? { checkInOpensAt: checkInOpensAt(), checkInDeadline: checkInDeadline() } : {}),
      ...(s.checkedInAt ? { checkedInAt: s.checkedInAt } : {}),
      workflowId: info.workflowId,
      version: s.version,
      sequence: s.sequence,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      source: input.source ?? 'api',
      ...(input.icalUid ? { icalUid: input.icalUid } : {}),
    };
  }

  function snapshot(overrides: Partial<BookingSnapshot> = {}): BookingSnapshot {
    const v = view();
    const merged = { ...v, ...overrides };
    return {
      ...merged,
      occupiedUntil: occupiedUntil(merged.end),
      runId: s.runId,
      ...(s.endedAt ? { endedAt: s.endedAt } : {}),
      ...(s.reminderSentAt ? { reminderSentAt: s.reminderSentAt } : {}),
      previousWorkflowIds: s.previousWorkflowIds,
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
      details: [{ status: status() }],
      nonRetryable: true,
    });
  }

  /** Activity failures reach the caller as the domain failure inside them. */
  function unwrap(err: unknown): unknown {
    return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
  }

  function describe(): void {
    const next = nextDeadline();
    const parts = [`**${status()}**${s.statusReason ? ` (${s.statusReason})` : ''}`, `slot ${s.start} → ${s.end}`];
    if (s.movedTo) parts.push(`moved to ${s.movedTo}`);
    else if (next) parts.push(`next: ${next.label} at ${isoAt(next.at)}`);
    setCurrentDetails(parts.join(' · '));
  }

  /** Writes the new state first; only then does the workflow (and so the caller) see it. */
  async function transition(
    to: BookingStatus,
    changes: { reason?: string; bumpSequence?: boolean; patch?: Partial<BookingSnapshot> } = {},
  ): Promise<void> {
    const previous = status();
    const at = isoAt(now());
    const next = snapshot({
      ...changes.patch,
      status: to,
      version: s.version + 1,
      sequence: s.sequence + (changes.bumpSequence ? 1 : 0),
      updatedAt: at,
      ...(changes.reason !== undefined ? { statusReason: changes.reason } : {}),
    });
    if (to !== 'held') delete next.holdExpiresAt;
    try {
      await (writesLocally() ? local : db).saveBooking({ snapshot: next, previousStatus: previous });
    } catch (err) {
      throw unwrap(err);
    }
    s.phase = to;
    s.version = next.version;
    s.sequence = next.sequence;
    s.updatedAt = at;
    s.start = next.start;
    s.end = next.end;
    if (changes.reason !== undefined) s.statusReason = changes.reason;
    if (to !== previous) upsertSearchAttributes([{ key: BookingStatusKey, value: to }]);
    s.dirty = true;
    describe();
  }

  /**
   * Tells the world in the background: the realtime announcement (fast) and, for the kinds that
   * mail, the mail (retried for as long as SMTP is down). The booking's timers never wait for either.
   */
  function notify(kind: BookingEventKind, skipRecipients?: string[]): void {
    const event: BookingEvent = { kind, booking: view(), ...(skipRecipients ? { skipRecipients } : {}) };
    pendingMessages.push(announce(event));
    if (MAILED_EVENT_KINDS.includes(kind)) {
      pendingMessages.push(outbox.sendBookingMail(event).catch((err) => log.error('mail failed', { kind, err })));
    }
  }

  /** Locally first (no trip through the server); on failure, durably in the background. */
  async function announce(event: BookingEvent): Promise<void> {
    if (writesLocally()) {
      try {
        await quickAnnouncer.announce(event);
        return;
      } catch (err) {
        log.warn('announcement handed to the background', { kind: event.kind, err });
      }
    }
    await db.announce(event).catch((err) => log.error('announcement failed', { kind: event.kind, err }));
  }

  function nextDeadline(): Deadline | undefined {
    const start = ms(s.start);
    const end = ms(s.end);
    const candidates: Deadline[] = [];
    switch (status()) {
      case 'held':
        if (s.phase === 'new') return undefined;
        candidates.push({ at: Math.min(ms(s.holdExpiresAt!), start), kind: 'hold_expiry', label: 'hold expires' });
        break;
      case 'pending_approval':
        candidates.push({
          at: Math.min(ms(s.approvalDeadline!), start),
          kind: 'approval_timeout',
          label: 'approval times out',
        });
        break;
      case 'confirmed':
      case 'checked_in': {
        const reminderAt = start - policy.reminderLeadSeconds * 1000;
        // Only for bookings made before the reminder time: whoever books five minutes ahead needs no reminder.
        if (
          !s.reminderSentAt &&
          policy.reminderLeadSeconds > 0 &&
          reminderAt >= ms(s.createdAt) &&
          status() === 'confirmed'
        ) {
          candidates.push({ at: reminderAt, kind: 'reminder', label: 'reminder' });
        }
        if (status() === 'confirmed' && policy.requiresCheckIn) {
          if (!s.checkInAnnounced)
            candidates.push({ at: ms(checkInOpensAt()!), kind: 'check_in_opens', label: 'check-in opens' });
          candidates.push({
            at: ms(checkInDeadline()!),
            kind: 'no_show',
            label: 'check-in deadline (no check-in → released)',
          });
        }
        if (!s.startAnnounced) candidates.push({ at: start, kind: 'meeting_start', label: 'meeting starts' });
        if (status() === 'checked_in' || !policy.requiresCheckIn)
          candidates.push({ at: end, kind: 'end', label: 'meeting ends' });
        break;
      }
      case 'completed': {
        const promptAt = ms(s.endedAt ?? s.end) + policy.reviewPromptDelaySeconds * 1000;
        const closeAt = promptAt + policy.reviewWindowSeconds * 1000;
        if (!s.reviewPromptSentAt) candidates.push({ at: promptAt, kind: 'review_prompt', label: 'review prompt' });
        else if (!s.reviewReminderSent && !everyoneReviewed()) {
          candidates.push({
            at: promptAt + (policy.reviewWindowSeconds * 1000) / 2,
            kind: 'review_reminder',
            label: 'review reminder',
          });
        }
        candidates.push({ at: closeAt, kind: 'review_close', label: 'review window closes' });
        break;
      }
      default:
        return undefined;
    }
    return candidates.sort((a, b) => a.at - b.at)[0];
  }

  /** Series occurrences only: the series counts consecutive no-shows (three strikes). A closed series needs no report. */
  function tellSeries(outcome: 'released' | 'attended'): void {
    if (!input.seriesId) return;
    pendingMessages.push(
      getExternalWorkflowHandle(seriesWorkflowId(input.seriesId))
        .signal(occurrenceSettledSignal, { bookingId: input.bookingId, outcome })
        .catch((err) => log.info('series not told', { outcome, err })),
    );
  }

  const participants = () => [input.organizerId, ...s.attendees.map((a) => a.toLowerCase())];
  const everyoneReviewed = () => participants().every((p) => s.reviewers.has(p));

  async function fire(deadline: Deadline): Promise<'continue' | 'close'> {
    // Re-checked under the lock: an update may have changed the state since the timer was set.
    const due = nextDeadline();
    if (!due || due.kind !== deadline.kind || due.at > now()) return 'continue';
    switch (deadline.kind) {
      case 'hold_expiry':
        await transition('expired', { reason: 'hold not confirmed in time' });
        notify('expired');
        break;
      case 'approval_timeout':
        await transition('expired', { reason: 'not approved in time' });
        notify('expired');
        break;
      case 'reminder':
        s.reminderSentAt = isoAt(now());
        await transition(status(), { patch: { reminderSentAt: s.reminderSentAt } });
        notify('reminder');
        break;
      case 'check_in_opens':
        s.checkInAnnounced = true;
        s.dirty = true;
        notify('check_in_opened');
        break;
      case 'meeting_start':
        s.startAnnounced = true;
        s.dirty = true;
        notify('meeting_started');
        break;
      case 'no_show':
        await transition('released', { reason: 'no check-in before the deadline', bumpSequence: true });
        notify('released');
        tellSeries('released');
        break;
      case 'end':
        s.endedAt = s.end;
        await transition('completed');
        notify('completed');
        break;
      case 'review_prompt':
        s.reviewPromptSentAt = isoAt(now());
        s.dirty = true;
        notify('review_prompt');
        break;
      case 'review_reminder':
        s.reviewReminderSent = true;
        s.dirty = true;
        notify('review_reminder', [...s.reviewers]);
        break;
      case 'review_close':
        return 'close';
    }
    return 'continue';
  }

  // ---- Handlers: registered before the first await. ----

  setHandler(bookingStateQuery, () => view());

  setHandler(
    reserveUpdate,
    ({ bookingId, mode }) =>
      exclusive(async () => {
        if (s.reserve.settled) {
          if (s.reserve.failure) throw s.reserve.failure;
          return view();
        }
        const at = now();
        const initial: BookingStatus =
          mode === 'hold' ? 'held' : policy.requiresApproval ? 'pending_approval' : 'confirmed';
        if (initial === 'held') s.holdExpiresAt = isoAt(at + policy.holdTtlSeconds * 1000);
        if (initial === 'pending_approval') s.approvalDeadline = isoAt(at + policy.approvalTimeoutSeconds * 1000);
        const first = snapshot({
          id: bookingId,
          status: initial,
          version: 1,
          createdAt: input.createdAt,
          updatedAt: isoAt(at),
        });
        try {
          await (reservesLocally() ? local : db).reserveSlot(first);
        } catch (err) {
          s.reserve = { settled: true, failure: unwrap(err) as ApplicationFailure };
          s.dirty = true;
          throw s.reserve.failure;
        }
        s.reserve = { settled: true, failure: undefined };
        s.phase = initial;
        s.version = 1;
        s.updatedAt = isoAt(at);
        upsertSearchAttributes([{ key: BookingStatusKey, value: initial }]);
        s.dirty = true;
        describe();
        notify(initial === 'held' ? 'hold_created' : initial === 'pending_approval' ? 'pending_approval' : 'confirmed');
        return view();
      }),
    {
      validator: ({ bookingId }) => {
        if (bookingId === input.bookingId) return;
        // Another booking already owns this room and start.
        if (s.phase !== 'new' && !isActive(status())) {
          throw ApplicationFailure.create({
            type: FailureTypes.slotClosing,
            message: 'The previous booking of this slot is closing; try again.',
            nonRetryable: true,
          });
        }
        const details: SlotConflictDetails = {
          conflictingBookingId: input.bookingId,
          start: s.start,
          end: occupiedUntil(),
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

  const requireStatus = (...allowed: BookingStatus[]) => {
    if (s.phase === 'new' || !allowed.includes(status())) {
      refuse(
        `Not possible while the booking is ${s.phase === 'new' ? 'being reserved' : status()} (needs ${allowed.join(' or ')}).`,
      );
    }
  };

  setHandler(
    confirmUpdate,
    () =>
      exclusive(async () => {
        requireStatus('held');
        if (policy.requiresApproval) {
          s.approvalDeadline = isoAt(now() + policy.approvalTimeoutSeconds * 1000);
          await transition('pending_approval');
          notify('pending_approval');
        } else {
          await transition('confirmed');
          notify('confirmed');
        }
        return view();
      }),
    { validator: (..._request) => requireStatus('held') },
  );

  setHandler(
    approveUpdate,
    (_request) =>
      exclusive(async () => {
        requireStatus('pending_approval');
        await transition('confirmed');
        notify('approved');
        return view();
      }),
    { validator: (_request) => requireStatus('pending_approval') },
  );

  setHandler(
    rejectUpdate,
    ({ reason }) =>
      exclusive(async () => {
        requireStatus('pending_approval');
        await transition('rejected', { reason });
        notify('rejected');
        return view();
      }),
    { validator: (_request) => requireStatus('pending_approval') },
  );

  setHandler(
    cancelUpdate,
    ({ reason }) =>
      exclusive(async () => {
        requireStatus('held', 'pending_approval', 'confirmed');
        await transition('cancelled', { reason: reason ?? 'cancelled by the organizer', bumpSequence: true });
        notify('cancelled');
        return view();
      }),
    { validator: (_request) => requireStatus('held', 'pending_approval', 'confirmed') },
  );

  const checkInAllowed = () => {
    requireStatus('confirmed');
    const t = now();
    const opens = ms(s.start) - policy.checkInOpensBeforeSeconds * 1000;
    const closes = policy.requiresCheckIn ? ms(checkInDeadline()!) : ms(s.end);
    if (t < opens) refuse(`Check-in opens at ${isoAt(opens)}.`);
    if (t >= closes) refuse('The check-in window has closed.');
  };
  setHandler(
    checkInUpdate,
    (_request) =>
      exclusive(async () => {
        checkInAllowed();
        s.checkedInAt = isoAt(now());
        await transition('checked_in', { patch: { checkedInAt: s.checkedInAt } });
        notify('checked_in');
        tellSeries('attended');
        return view();
      }),
    { validator: (_request) => checkInAllowed() },
  );

  const checkOutAllowed = () => {
    if (status() === 'confirmed' && !policy.requiresCheckIn && now() >= ms(s.start)) return;
    requireStatus('checked_in');
  };
  setHandler(
    checkOutUpdate,
    (_request) =>
      exclusive(async () => {
        checkOutAllowed();
        // Completed is not an active state: the rest of the slot is free from this moment.
        s.endedAt = isoAt(now());
        await transition('completed', { reason: 'checked out early', patch: { endedAt: s.endedAt } });
        notify('completed');
        return view();
      }),
    { validator: (_request) => checkOutAllowed() },
  );

  const extendAllowed = ({ end }: { end: string }) => {
    requireStatus('held', 'pending_approval', 'confirmed', 'checked_in');
    if (!(ms(end) > ms(s.end))) refuse(`The new end must be after the current end ${s.end}.`);
    if ((ms(end) - ms(s.start)) / 1000 > policy.maxDurationSeconds) {
      throw ApplicationFailure.create({
        type: FailureTypes.policyViolation,
        message: `A booking may last at most ${policy.maxDurationSeconds} seconds.`,
        nonRetryable: true,
      });
    }
  };
  setHandler(
    extendUpdate,
    ({ end }) =>
      exclusive(async () => {
        extendAllowed({ end });
        await transition(status(), { bumpSequence: true, patch: { end } });
        notify('rescheduled');
        return view();
      }),
    { validator: extendAllowed },
  );

  const rescheduleAllowed = ({ start, end }: { start: string; end: string }) => {
    requireStatus('held', 'pending_approval', 'confirmed');
    if (!(ms(end) > ms(start))) refuse('The end must be after the start.');
    if (ms(start) === ms(s.start) && ms(end) === ms(s.end)) refuse('The booking already has this slot.');
  };
  setHandler(
    rescheduleUpdate,
    ({ start, end, title, attendees }) =>
      exclusive(async () => {
        rescheduleAllowed({ start, end });
        const details = {
          ...(title !== undefined ? { title } : {}),
          ...(attendees !== undefined ? { attendees: [...attendees] } : {}),
        };
        if (ms(start) === ms(s.start)) {
          await transition(status(), { bumpSequence: true, patch: { end, ...details } });
          Object.assign(s, details);
          notify('rescheduled');
          return view();
        }
        // The new slot is taken in the same write that gives up the old one: either the booking
        // moves or nothing changes. Then the workflow keyed by the new slot carries it on.
        const movedTo = bookingWorkflowId(input.roomId, start);
        const moved = snapshot({
          ...details,
          start,
          end,
          workflowId: movedTo,
          version: s.version + 1,
          sequence: s.sequence + 1,
          updatedAt: isoAt(now()),
          checkInOpensAt: checkInOpensAt(start),
          checkInDeadline: checkInDeadline(start),
        });
        moved.previousWorkflowIds = [...s.previousWorkflowIds, info.workflowId];
        try {
          await (writesLocally() ? local : db).saveBooking({ snapshot: moved, previousStatus: status() });
        } catch (err) {
          throw unwrap(err);
        }
        Object.assign(s, details);
        await outbox.startMovedBooking({
          ...input,
          title: s.title,
          attendees: s.attendees,
          start,
          end,
          createdAt: s.createdAt,
          carried: {
            status: status(),
            version: moved.version,
            sequence: moved.sequence,
            previousWorkflowIds: moved.previousWorkflowIds,
            holdExpiresAt: s.holdExpiresAt,
            approvalDeadline: s.approvalDeadline,
            checkedInAt: s.checkedInAt,
            reminderSentAt: s.reminderSentAt,
          },
        });
        s.version = moved.version;
        s.sequence = moved.sequence;
        s.start = start;
        s.end = end;
        s.movedTo = movedTo;
        s.dirty = true;
        describe();
        return { ...view(), workflowId: movedTo };
      }),
    { validator: rescheduleAllowed },
  );

  const editAllowed = () => requireStatus('held', 'pending_approval', 'confirmed', 'checked_in');
  setHandler(
    editUpdate,
    ({ title, attendees }) =>
      exclusive(async () => {
        editAllowed();
        if (title !== undefined) s.title = title;
        if (attendees !== undefined) s.attendees = [...attendees];
        await transition(status(), { bumpSequence: true });
        notify('rescheduled');
        return view();
      }),
    { validator: (_request) => editAllowed() },
  );

  setHandler(reviewSubmittedSignal, ({ userId, email }) => {
    s.reviewers.add(userId);
    s.reviewers.add(email.toLowerCase());
    s.dirty = true;
  });

  // ---- The life. ----

  if (carried) {
    // Moved here by a reschedule: take over the row (run id, version) before anything else.
    await exclusive(() => transition(carried.status, { patch: { workflowId: info.workflowId } }));
  } else if (preReserved) {
    // Take over the row (run id) in whatever state it is now: an update may already have changed it.
    await exclusive(() => transition(status()));
    if (isActive(status()))
      pendingMessages.push(
        announce({ kind: status() === 'pending_approval' ? 'pending_approval' : 'confirmed', booking: view() }),
      );
  } else {
    // Update-with-start delivers the reserve update with the start; a bare start gets a minute.
    const arrived = await condition(() => s.reserve.settled, '1 minute');
    if (!arrived || s.reserve.failure) {
      await condition(allHandlersFinished);
      return { bookingId: input.bookingId, result: 'refused' };
    }
  }
  describe();

  for (;;) {
    if (s.movedTo || TERMINAL_WITHOUT_REVIEW.includes(status())) break;
    const next = nextDeadline();
    if (!next) break;
    s.dirty = false;
    const changed = await condition(() => s.dirty, Math.max(1, next.at - now()), { summary: next.label });
    if (changed) continue;
    const result = await exclusive(() => fire(next));
    if (result === 'close') break;
  }

  await condition(allHandlersFinished);
  await Promise.all(pendingMessages);
  return s.movedTo
    ? { bookingId: input.bookingId, result: 'moved', movedTo: s.movedTo }
    : { bookingId: input.bookingId, result: status() };
}
