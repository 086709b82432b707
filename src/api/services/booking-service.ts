import { createHash, randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type UpdateDefinition } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import { findBooking, listBookings, previousWorkflowIds, type BookingRow } from '../../db/repositories/bookings';
import { findBookingIdempotencyKey, insertBookingIdempotencyKey } from '../../db/repositories/idempotency-keys';
import { findUserContact } from '../../db/repositories/users';
import {
  assertCanActInRoom,
  assertCanChangeBooking,
  assertCanCheckInBooking,
  assertCanViewBooking,
} from '../../domain/booking-access';
import { assertEndAllowed, assertSlotAllowed } from '../../domain/booking-policy';
import { ceilToGrid } from '../../domain/availability';
import { ensureWalkUpAccount } from '../../identity/walk-up-accounts';
import { searchAttributesForBooking } from '../../shared/search-attributes';
import { AppError, conflict, forbidden, notFound } from '../../domain/errors';
import { getRoom } from './room-catalog';
import { staticSummaryFor } from '../../domain/booking-summary';
import type { BookingStatus } from '../../shared/booking';
import {
  approveUpdate,
  bookingWorkflowId,
  cancelUpdate,
  checkInUpdate,
  checkOutUpdate,
  confirmUpdate,
  editUpdate,
  extendUpdate,
  FailureTypes,
  followUpWorkflowId,
  rejectUpdate,
  rescheduleUpdate,
  reserveUpdate,
  type BookingView,
  type BookingWorkflowInput,
  type ReserveMode,
} from '../../shared/booking-messages';
import { bookingWorkflow } from '../../workflows/booking';
import { isStaff, type Principal } from '../../domain/principal';
import { principalEmail } from '../../identity/users';
import { withTemporalDeadline } from '../../infra/temporal';
import { closedWorkflow, failureType, temporalBusy, toAppError, updateAborted } from '../../infra/temporal-errors';
import type { IdempotencyClaim } from './idempotency';

export interface CreateBookingRequest {
  roomId: string;
  start: string;
  end: string;
  title: string;
  attendees?: string[];
  mode?: ReserveMode;
}

export type BookingAction = 'confirm' | 'cancel' | 'check-in' | 'check-out' | 'approve' | 'reject';

interface ServiceDeps {
  config: Config;
  dataSource: DataSource;
  temporal: Client;
}

// How long an API call waits for Temporal before answering 503. The booking workflow answers an
// update once its database write is done, normally within milliseconds.
const TEMPORAL_CALL_TIMEOUT_MS = 20_000;
const SLOT_CLOSING_RETRIES = 10;
const UPDATE_ABORTED_RETRIES = 3;
// How long a retry waits for the first attempt with its Idempotency-Key to write its row.
const FIRST_ATTEMPT_WAIT_MS = 10_000;

/** The API's side of bookings: policy checks, then the booking's workflow, then the answer. */
export class BookingService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(
    principal: Principal,
    request: CreateBookingRequest,
    idempotencyKey?: string,
    origin?: { source: 'imip'; icalUid: string },
  ): Promise<{ booking: BookingView; replayed: boolean }> {
    if (principal.kind !== 'user') throw forbidden('Display devices book through the walk-up endpoint.');
    const room = await getRoom(this.deps, request.roomId);
    assertCanActInRoom(principal, room.id);
    const start = Date.parse(request.start);
    const end = Date.parse(request.end);
    assertSlotAllowed(room, start, end, Date.now());

    const attendees = normalizeAttendees(request.attendees);
    const mode = request.mode ?? 'book';
    let bookingId: string = randomUUID();
    let replayed = false;
    if (idempotencyKey) {
      const claimed = await this.claimIdempotencyKey(
        principal.userId,
        idempotencyKey,
        { ...request, attendees, mode },
        bookingId,
      );
      bookingId = claimed.bookingId;
      replayed = claimed.replay;
      if (claimed.replay) {
        const existing = await this.firstAttempt(bookingId, claimed.claimedAt);
        // A row changed since its reservation: its workflow took the booking (every later change
        // is the workflow's), so the row is the answer.
        if (existing && existing.version > 1) return { booking: publicView(existing), replayed: true };
        // The row as reserved, or none. The first attempt's reservation wrote its row inside a
        // workflow task that the Temporal server may have lost with the update (a server restart
        // drops updates not yet recorded): then no workflow holds the booking, and answering with
        // the row would acknowledge a booking without timers or mail. The same reservation again
        // reaches the workflow: one that has the booking answers with it, one that lost it (or a
        // new run, if it closed) reserves again and finds the row already there.
      }
    }

    const organizer = await findUserContact(this.deps.dataSource, principal.userId);
    if (!organizer) throw notFound('Your account');
    const input: BookingWorkflowInput = {
      bookingId,
      roomId: room.id,
      roomName: room.name,
      roomTimezone: room.timezone,
      organizerId: principal.userId,
      organizerLabel: `${organizer.displayName} <${organizer.email}>`,
      title: request.title,
      attendees,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      policy: room.policy,
      createdAt: new Date().toISOString(),
      ...origin,
    };
    const booking = await this.reserve(input, mode);
    return { booking, replayed };
  }

  /**
   * A walk-up booking from the room's display: from the next point on the room's slot grid for
   * `minutes`, organized by the room's walk-up account, booked and checked in at once when the
   * check-in window is already open (someone is standing at the door). A booking in the way is a
   * 409 SLOT_CONFLICT like any other.
   */
  async walkUp(
    principal: Principal,
    roomId: string,
    request: { minutes: number; title?: string },
    claim?: IdempotencyClaim,
  ): Promise<BookingView> {
    if (principal.kind !== 'display')
      throw forbidden("Walk-up bookings are made from the room's display; people book with POST /bookings.");
    assertCanActInRoom(principal, roomId);
    const room = await getRoom(this.deps, roomId);
    // The slot follows from when the key was first claimed, so a retry racing the first asks for the same one.
    const now = claim?.claimedAt.getTime() ?? Date.now();
    const start = ceilToGrid(now, room.timezone, room.policy.slotGranularitySeconds);
    const end = start + request.minutes * 60_000;
    assertSlotAllowed(room, start, end, now);
    const account = await ensureWalkUpAccount(this.deps.dataSource, room);
    const input: BookingWorkflowInput = {
      bookingId: claim?.resourceId ?? randomUUID(),
      roomId: room.id,
      roomName: room.name,
      roomTimezone: room.timezone,
      organizerId: account.id,
      organizerLabel: `${account.displayName} (display ${principal.displayTokenId})`,
      title: request.title ?? 'Walk-up meeting',
      attendees: [],
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      policy: room.policy,
      createdAt: new Date(now).toISOString(),
    };
    const booking = await this.reserve(input, 'book');
    const opens = booking.checkInOpensAt ? Date.parse(booking.checkInOpensAt) : undefined;
    if (booking.status !== 'confirmed' || opens === undefined || Date.now() < opens) return booking;
    try {
      return await this.update(booking, checkInUpdate, { by: `display:${principal.displayTokenId}` });
    } catch (err) {
      // Booked but not checked in (the window moved on meanwhile, or a retry of this request checked
      // in first): answer with the booking as it is now; the display offers check-in if it is due.
      if (err instanceof AppError && err.code === 'INVALID_STATE') {
        const current = await findBooking(this.deps.dataSource, booking.id);
        return current ? publicView(current) : booking;
      }
      throw err;
    }
  }

  /** Update-with-start: the first update reserves the slot; the workflow then runs the booking's life. */
  private async reserve(input: BookingWorkflowInput, mode: ReserveMode): Promise<BookingView> {
    const workflowId = bookingWorkflowId(input.roomId, input.start);
    for (let attempt = 0; ; attempt += 1) {
      const startWorkflowOperation = new WithStartWorkflowOperation(bookingWorkflow, {
        workflowId,
        taskQueue: this.deps.config.temporal.taskQueue,
        args: [input],
        // Same key while a booking runs there: our update reaches that workflow, whose validator
        // refuses another booking id (or answers this one again, for a retried request).
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: searchAttributesForBooking(input, 'requested'),
        staticSummary: staticSummaryFor(input),
      });
      try {
        return await this.withTimeout(() =>
          this.deps.temporal.workflow.executeUpdateWithStart(reserveUpdate, {
            args: [{ bookingId: input.bookingId, mode, ...(this.deps.config.mailOwnHolds ? { offered: true } : {}) }],
            startWorkflowOperation,
          }),
        );
      } catch (err) {
        // The slot's previous booking just ended and its workflow is finishing (or closed under
        // our update), or Temporal asks us to come back (too many updates in flight for this
        // workflow, its task being retried): try again shortly, with jitter so that a burst does
        // not come back at once.
        if (
          (failureType(err) === FailureTypes.slotClosing || updateAborted(err) || temporalBusy(err)) &&
          attempt < SLOT_CLOSING_RETRIES
        ) {
          await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1) + Math.random() * 100));
          continue;
        }
        throw toAppError(err);
      }
    }
  }

  private async claimIdempotencyKey(
    userId: string,
    key: string,
    request: object,
    bookingId: string,
  ): Promise<{ bookingId: string; replay: boolean; claimedAt?: Date }> {
    const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    if (await insertBookingIdempotencyKey(this.deps.dataSource, { userId, key, requestHash, bookingId }))
      return { bookingId, replay: false };
    const existing = await findBookingIdempotencyKey(this.deps.dataSource, userId, key);
    // The INSERT lost to this row a moment ago; only a purge between the two statements removes it.
    if (!existing) throw new Error(`idempotency key ${key} vanished between its claim and its read`);
    if (existing.requestHash !== requestHash) {
      throw new AppError(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used with a different request body; use a new key for a new booking.',
      );
    }
    return { bookingId: existing.bookingId, replay: true, claimedAt: existing.createdAt };
  }

  /**
   * A retry that arrives while the first attempt with its key is still reserving (a client
   * retrying a burst) waits for that attempt's row instead of sending the same reservation to the
   * same workflow again: twenty at once would pass Temporal's limit of in-flight updates per
   * workflow. A claim older than the wait is not waited for.
   */
  private async firstAttempt(bookingId: string, claimedAt?: Date): Promise<BookingRow | undefined> {
    const until = (claimedAt ? claimedAt.getTime() : Date.now()) + FIRST_ATTEMPT_WAIT_MS;
    for (;;) {
      const row = await findBooking(this.deps.dataSource, bookingId);
      if (row || Date.now() >= until) return row;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async get(principal: Principal, id: string): Promise<BookingView> {
    const row = await this.visible(principal, id);
    return publicView(row);
  }

  async list(
    principal: Principal,
    filter: {
      scope: 'mine' | 'all';
      roomId?: string;
      seriesId?: string;
      from?: string;
      to?: string;
      status?: BookingStatus[];
      limit: number;
      offset: number;
    },
  ) {
    let participant: { userId: string; email: string } | undefined;
    let roomId = filter.roomId;
    if (principal.kind === 'display') {
      if (roomId && roomId !== principal.roomId) throw forbidden('This display token is bound to another room.');
      roomId = principal.roomId;
    } else if (filter.scope === 'all') {
      if (!isStaff(principal))
        throw forbidden("Only facility managers and admins can list everyone's bookings (scope=all).");
    } else {
      participant = { userId: principal.userId, email: (await this.emailOf(principal)) ?? '' };
    }
    const { items, total } = await listBookings(this.deps.dataSource, { ...filter, roomId, participant });
    return { items: items.map(publicView), total, limit: filter.limit, offset: filter.offset };
  }

  async act(principal: Principal, id: string, action: BookingAction, body: { reason?: string }): Promise<BookingView> {
    const row = await this.visible(principal, id);
    const email = await this.emailOf(principal);
    const by = principal.kind === 'user' ? principal.userId : `display:${principal.displayTokenId}`;
    switch (action) {
      case 'check-in':
        assertCanCheckInBooking(principal, row, email);
        return this.update(row, checkInUpdate, { by });
      case 'approve':
      case 'reject':
        if (!isStaff(principal)) throw forbidden('Approvals need a facility manager or an admin.');
        return action === 'approve'
          ? this.update(row, approveUpdate, { by })
          : this.update(row, rejectUpdate, { by, reason: body.reason ?? 'rejected' });
      case 'confirm':
        assertCanChangeBooking(principal, row, email);
        return this.update(row, confirmUpdate);
      case 'cancel':
        assertCanChangeBooking(principal, row, email);
        return this.update(row, cancelUpdate, { by, reason: body.reason });
      case 'check-out':
        assertCanChangeBooking(principal, row, email);
        return this.update(row, checkOutUpdate, { by });
    }
  }

  async extend(principal: Principal, id: string, end: string): Promise<BookingView> {
    const row = await this.visible(principal, id);
    assertCanChangeBooking(principal, row, await this.emailOf(principal));
    const room = await getRoom(this.deps, row.roomId);
    assertEndAllowed(room, Date.parse(row.start), Date.parse(end));
    return this.update(row, extendUpdate, { end: new Date(end).toISOString() });
  }

  async change(
    principal: Principal,
    id: string,
    patch: { roomId?: string; title?: string; attendees?: string[]; start?: string; end?: string },
  ): Promise<BookingView> {
    const row = await this.visible(principal, id);
    assertCanChangeBooking(principal, row, await this.emailOf(principal));
    const details = {
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.attendees !== undefined ? { attendees: normalizeAttendees(patch.attendees) } : {}),
    };
    const start = Date.parse(patch.start ?? row.start);
    const end = Date.parse(patch.end ?? row.end);
    const roomId = patch.roomId ?? row.roomId;
    if (start !== Date.parse(row.start) || end !== Date.parse(row.end) || roomId !== row.roomId) {
      const room = await getRoom(this.deps, roomId);
      assertCanActInRoom(principal, room.id);
      assertSlotAllowed(room, start, end, Date.now());
      // One update: the new slot (in the new room) and the new details are written together, or nothing changes.
      const target =
        roomId === row.roomId
          ? {}
          : { room: { roomId: room.id, roomName: room.name, roomTimezone: room.timezone, policy: room.policy } };
      return this.update(row, rescheduleUpdate, {
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
        ...details,
        ...target,
      });
    }
    return Object.keys(details).length ? this.update(row, editUpdate, details) : publicView(row);
  }

  /** The booking's life so far, read from its workflow histories (all of them, if it was rescheduled). */
  async timeline(principal: Principal, id: string): Promise<{ bookingId: string; events: TimelineEvent[] }> {
    const row = await this.visible(principal, id);
    const runs = [...(await previousWorkflowIds(this.deps.dataSource, id)), row.workflowId, followUpWorkflowId(id)];
    const events: TimelineEvent[] = [];
    for (const workflowId of runs) {
      try {
        const handle = this.deps.temporal.workflow.getHandle(
          workflowId,
          workflowId === row.workflowId ? row.runId : undefined,
        );
        const history = await this.withTimeout(() => handle.fetchHistory());
        events.push(...describeHistory(workflowId, history.events ?? []));
      } catch (err) {
        // A run whose history is gone (retention), or a follow-up that never started (a moved or live booking).
        if (closedWorkflow(err)) continue;
        throw toAppError(err);
      }
    }
    return { bookingId: id, events };
  }

  private async update<Args extends unknown[]>(
    row: BookingRow,
    def: UpdateDefinition<BookingView, Args>,
    ...args: Args
  ): Promise<BookingView> {
    const handle: WorkflowHandle = this.deps.temporal.workflow.getHandle(row.workflowId, row.runId);
    // The definition types the arguments at the call sites; the handle's overloads cannot see through the generic.
    const execute = handle.executeUpdate.bind(handle) as (
      d: UpdateDefinition<BookingView, Args>,
      o: { args: Args },
    ) => Promise<BookingView>;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return publicView(await this.withTimeout(() => execute(def, { args })));
      } catch (err) {
        // The slot's workflow was closing as the update arrived (its booking had just stopped
        // occupying the slot): asked again, the closed workflow answers for itself.
        if (updateAborted(err) && attempt < UPDATE_ABORTED_RETRIES) {
          await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
          continue;
        }
        const closed = conflict('BOOKING_CLOSED', `This booking is ${row.status} and can no longer change.`, {
          status: row.status,
        });
        if (closedWorkflow(err)) throw closed;
        const mapped = toAppError(err);
        // An update that raced the run's close can fail in more than one way (aborted, cancelled
        // long poll); when the run is closed by now, that is the answer.
        if (mapped instanceof AppError && mapped.status === 503 && (await this.runClosed(handle))) throw closed;
        throw mapped;
      }
    }
  }

  /**
   * Whether the run is closed, or closes within a few seconds: a run that aborted an update because
   * it was closing may still show RUNNING for a moment on a busy machine (it is starting the
   * booking's follow-up), and "closed" is the truthful answer then, not "try again".
   */
  private async runClosed(handle: WorkflowHandle): Promise<boolean> {
    for (let attempt = 0; attempt < 6; attempt += 1) {
      try {
        if ((await this.withTimeout(() => handle.describe())).status.name !== 'RUNNING') return true;
      } catch {
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 150 * (attempt + 1)));
    }
    return false;
  }

  private async visible(principal: Principal, id: string): Promise<BookingRow> {
    const row = await findBooking(this.deps.dataSource, id);
    if (!row) throw notFound('Booking');
    assertCanViewBooking(principal, row, await this.emailOf(principal));
    return row;
  }

  private emailOf(principal: Principal): Promise<string | undefined> {
    return principalEmail(this.deps.dataSource, principal);
  }

  private withTimeout<T>(call: () => Promise<T>): Promise<T> {
    return withTemporalDeadline(this.deps.temporal, TEMPORAL_CALL_TIMEOUT_MS, call);
  }
}

function normalizeAttendees(attendees: string[] | undefined): string[] {
  return [...new Set((attendees ?? []).map((a) => a.trim().toLowerCase()))];
}

/** What clients see: the view without internal bookkeeping (run ids). */
export function publicView(view: BookingView | BookingRow): BookingView {
  const { runId: _runId, ...rest } = view as BookingRow;
  return rest;
}

export interface TimelineEvent {
  at: string;
  workflowId: string;
  what: string;
  detail?: string;
}

const UPDATE_LABELS: Record<string, string> = {
  reserve: 'reservation requested',
  confirm: 'hold confirmed',
  approve: 'approved',
  reject: 'rejected',
  cancel: 'cancelled',
  checkIn: 'checked in',
  checkOut: 'checked out',
  extend: 'extended',
  reschedule: 'rescheduled',
  edit: 'details edited',
};

function decode(payloads: unknown): string | undefined {
  const first = (payloads as { payloads?: unknown[] } | undefined)?.payloads?.[0] ?? payloads;
  if (!first || typeof first !== 'object' || !('data' in first)) return undefined;
  try {
    const value = defaultPayloadConverter.fromPayload(first as never);
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** The activity type a local-activity marker records (undefined for other markers, such as patches). */
function localActivityType(marker: {
  markerName?: string | null;
  details?: Record<string, { payloads?: unknown[] | null } | null> | null;
}): string | undefined {
  if (marker.markerName !== 'core_local_activity') return undefined;
  const data = decode(marker.details?.data);
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(data) as { activity_type?: string; activityType?: string };
    return parsed.activity_type ?? parsed.activityType;
  } catch {
    return undefined;
  }
}

/** Workflow history events in plain terms: the booking's updates, timers and writes. */
type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

function describeHistory(workflowId: string, events: HistoryEvent[]): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  const timers = new Map<string, string>();
  const activities = new Map<string, string>();
  const updates = new Map<string, string>();
  for (const e of events) {
    const at = e.eventTime
      ? new Date(Number(e.eventTime.seconds) * 1000 + Math.floor((e.eventTime.nanos ?? 0) / 1e6)).toISOString()
      : '';
    const push = (what: string, detail?: string) => out.push({ at, workflowId, what, ...(detail ? { detail } : {}) });
    if (e.workflowExecutionStartedEventAttributes) push('workflow started', decode(e.userMetadata?.summary));
    else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const a = e.workflowExecutionUpdateAcceptedEventAttributes;
      const name = a.acceptedRequest?.input?.name ?? 'update';
      updates.set(a.protocolInstanceId ?? a.acceptedRequestMessageId ?? '', name);
      push(`${UPDATE_LABELS[name] ?? name}: accepted`);
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const a = e.workflowExecutionUpdateCompletedEventAttributes;
      const name = updates.get(a.meta?.updateId ?? '') ?? [...updates.values()].pop() ?? 'update';
      const failed = a.outcome?.failure;
      push(`${UPDATE_LABELS[name] ?? name}: ${failed ? 'refused' : 'done'}`, failed?.message ?? undefined);
    } else if (e.timerStartedEventAttributes) {
      timers.set(String(e.eventId), decode(e.userMetadata?.summary) ?? 'timer');
    } else if (e.timerFiredEventAttributes) {
      push(`${timers.get(String(e.timerFiredEventAttributes.startedEventId)) ?? 'timer'}: due`);
    } else if (e.markerRecordedEventAttributes) {
      // Local activities (the state writes, the fast announcement) leave a marker, not activity events.
      const name = localActivityType(e.markerRecordedEventAttributes);
      if (name === 'saveBooking' || name === 'reserveSlot') push('state written');
      else if (name === 'announce') push('announced');
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      push(
        'handed over to its follow-up',
        e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? undefined,
      );
    } else if (e.activityTaskScheduledEventAttributes) {
      activities.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? 'activity');
    } else if (e.activityTaskCompletedEventAttributes) {
      const name = activities.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId));
      if (name === 'saveBooking' || name === 'reserveSlot') push('state written');
      else if (name === 'startMovedBooking') push("handed to the new slot's workflow");
      else if (name) push(name === 'sendBookingMail' ? 'mail sent' : name === 'announce' ? 'announced' : name);
    } else if (e.activityTaskFailedEventAttributes) {
      const name = activities.get(String(e.activityTaskFailedEventAttributes.scheduledEventId)) ?? 'activity';
      push(`${name} failed`, e.activityTaskFailedEventAttributes.failure?.message ?? undefined);
    } else if (e.workflowExecutionCompletedEventAttributes) {
      push('workflow closed', decode(e.workflowExecutionCompletedEventAttributes.result));
    }
  }
  return out;
}
