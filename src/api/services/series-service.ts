import { isAllowed } from '../../shared/booking-lifecycle';
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import { assertCanActInRoom, assertCanChangeBooking, assertCanViewBooking } from '../../domain/booking-access';
import { assertSlotAllowed } from '../../domain/booking-policy';
import { AppError, conflict, forbidden, notFound } from '../../domain/errors';
import { expandSeries, shiftOccurrences, type PlannedOccurrence } from '../../domain/recurrence';
import { getRoom } from './room-catalog';
import type { BookingSeriesEntity } from '../../entities';
import type { BookingStatus } from '../../shared/booking';
import { OrganizerIdKey, RoomIdKey, SeriesIdKey } from '../../shared/search-attributes';
import {
  cancelSeriesUpdate,
  editPendingOccurrenceUpdate,
  openSeriesUpdate,
  SeriesFailureTypes,
  seriesWorkflowId,
  type OccurrenceOutcome,
  type OccurrenceResult,
  type SeriesChangeScope,
  type SeriesRecurrence,
  type SeriesWorkflowInput,
} from '../../shared/series-messages';
import { seriesWorkflow } from '../../workflows/series';
import type { Principal } from '../../domain/principal';
import type { CreateSeriesRequest } from '../schemas/series';
import type { BookingService } from './booking-service';
import { StaleIdempotencyClaim, type IdempotencyClaim } from './idempotency';
import { principalEmail } from '../../identity/users';
import { findSeries, listSeriesOccurrences } from '../../db/repositories/series';
import { findUserContact } from '../../db/repositories/users';
import { withTemporalDeadline } from '../../infra/temporal';
import { failureOf, toAppError, workflowAlreadyStarted, workflowGone } from '../../infra/temporal-errors';

interface ServiceDeps {
  config: Config;
  dataSource: DataSource;
  temporal: Client;
}

type Room = Awaited<ReturnType<typeof getRoom>>;

export interface SeriesPlan extends SeriesRecurrence {
  title: string;
  attendees: string[];
  maxConsecutiveReleases: number;
  occurrences: PlannedOccurrence[];
  splitFrom?: string;
  /** The id to use (an Idempotency-Key's claim); a new one otherwise. */
  seriesId?: string;
  /** Opened by inviting a room's mailbox: every occurrence says so. */
  origin?: { source: 'imip'; icalUid: string };
  /**
   * How far ahead occurrences are booked; the room's horizonDays × 86400 unless given. Only the
   * tests give it (seconds, so the horizon visibly moves within a test run).
   */
  horizonSeconds?: number;
}

const TEMPORAL_CALL_TIMEOUT_MS = 60_000;
const iso = (t: string | Date) => new Date(t).toISOString();

/** The API's side of recurring bookings: rule and policy checks, then the series workflow. */
export class SeriesService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly bookings: BookingService,
  ) {}

  /**
   * `claim` (src/api/services/idempotency.ts) names the series id: a retry with the same
   * Idempotency-Key reaches the same series workflow, whose open update answers every caller
   * alike, so two requests at once make one series with one set of bookings.
   */
  async create(
    principal: Principal,
    request: CreateSeriesRequest,
    claim?: IdempotencyClaim,
    origin?: SeriesPlan['origin'],
  ) {
    if (principal.kind !== 'user') throw forbidden('Display devices cannot book series.');
    const room = await getRoom(this.deps, request.roomId);
    assertCanActInRoom(principal, room.id);
    const occurrences = expandSeries(request);
    return this.open(principal, room, {
      ...(claim ? { seriesId: claim.resourceId } : {}),
      title: request.title,
      attendees: normalize(request.attendees),
      timezone: request.timezone,
      rrule: request.rrule,
      exdates: (request.exdates ?? []).map(iso),
      onConflict: request.onConflict,
      maxConsecutiveReleases: request.maxConsecutiveReleases,
      occurrences,
      ...(origin ? { origin } : {}),
    });
  }

  /**
   * Starts the series workflow with its open update (update-with-start): it answers once every
   * occurrence is booked, refused or scheduled for later. Also how a split starts its new series.
   */
  async open(principal: Principal & { kind: 'user' }, room: Room, plan: SeriesPlan) {
    const now = Date.now();
    const horizonSeconds = plan.horizonSeconds ?? room.policy.horizonDays * 86_400;
    for (const o of plan.occurrences) {
      try {
        assertSlotAllowed(room, Date.parse(o.start), Date.parse(o.end), now);
      } catch (err) {
        // Beyond the horizon is not a refusal: the series books it when it comes within reach.
        if (err instanceof AppError && (err.details as { rule?: string } | undefined)?.rule === 'horizonDays') continue;
        if (err instanceof AppError)
          throw new AppError(err.status, err.code, `Occurrence ${o.start}: ${err.message}`, {
            ...(err.details as object),
            occurrenceStart: o.occurrenceStart,
          });
        throw err;
      }
    }
    const organizer = await findUserContact(this.deps.dataSource, principal.userId);
    if (!organizer) throw notFound('Your account');
    const seriesId = plan.seriesId ?? randomUUID();
    const input: SeriesWorkflowInput = {
      seriesId,
      roomId: room.id,
      roomName: room.name,
      roomTimezone: room.timezone,
      organizerId: principal.userId,
      organizerLabel: `${organizer.displayName} <${organizer.email}>`,
      title: plan.title,
      attendees: plan.attendees,
      timezone: plan.timezone,
      rrule: plan.rrule,
      exdates: plan.exdates,
      onConflict: plan.onConflict,
      horizonSeconds,
      maxConsecutiveReleases: plan.maxConsecutiveReleases,
      ...(plan.splitFrom ? { splitFrom: plan.splitFrom } : {}),
      policy: room.policy,
      createdAt: new Date(now).toISOString(),
      ...plan.origin,
      pending: plan.occurrences.map((o) => ({ occurrenceStart: o.occurrenceStart, start: o.start, end: o.end })),
    };
    const startWorkflowOperation = new WithStartWorkflowOperation(seriesWorkflow, {
      workflowId: seriesWorkflowId(seriesId),
      taskQueue: this.deps.config.temporal.taskQueue,
      args: [input],
      // A retry with the same id joins the running series (its open update answers again); a series
      // id is never reused, so a closed one is not started twice.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: SeriesIdKey, value: seriesId },
        { key: RoomIdKey, value: room.id },
        { key: OrganizerIdKey, value: principal.userId },
      ],
      staticSummary: `Series · ${room.name} · ${plan.rrule} from ${plan.occurrences[0]?.start} (${plan.timezone}) · ${input.organizerLabel} · “${plan.title}”`,
    });
    try {
      await this.withTimeout(() =>
        this.deps.temporal.workflow.executeUpdateWithStart(openSeriesUpdate, { args: [], startWorkflowOperation }),
      );
    } catch (err) {
      // Only a retry meets a closed series workflow: the first attempt's series exists, or it was refused.
      if (workflowAlreadyStarted(err)) {
        const made = await this.read(seriesId).catch(() => undefined);
        if (made) return made;
        throw new StaleIdempotencyClaim();
      }
      const failure = failureOf(err);
      if (failure?.type === SeriesFailureTypes.seriesConflict) {
        throw conflict('SLOT_CONFLICT', failure.message, failure.details?.[0]);
      }
      throw toAppError(err);
    }
    return this.read(seriesId);
  }

  async get(principal: Principal, id: string) {
    const series = await this.read(id);
    assertCanViewBooking(principal, series, await this.emailOf(principal));
    return series;
  }

  async cancel(
    principal: Principal,
    id: string,
    body: { scope: SeriesChangeScope; occurrenceStart?: string; reason?: string },
  ) {
    const series = await this.changeable(principal, id);
    if (body.scope !== 'all') this.occurrence(series, body.occurrenceStart);
    const reason =
      body.reason ??
      (body.scope === 'all' ? 'series cancelled by the organizer' : 'occurrence cancelled by the organizer');
    await this.seriesUpdate(series, (handle) =>
      handle.executeUpdate(cancelSeriesUpdate, {
        args: [
          {
            scope: body.scope,
            ...(body.occurrenceStart ? { occurrenceStart: iso(body.occurrenceStart) } : {}),
            reason,
          },
        ],
      }),
    );
    return this.read(id);
  }

  async edit(
    principal: Principal,
    id: string,
    body: {
      scope: 'one' | 'following';
      occurrenceStart: string;
      title?: string;
      attendees?: string[];
      start?: string;
      end?: string;
    },
  ) {
    const series = await this.changeable(principal, id);
    const target = this.occurrence(series, body.occurrenceStart);
    const slot = { start: body.start ? iso(body.start) : target.start, end: body.end ? iso(body.end) : target.end };
    const attendees = body.attendees ? normalize(body.attendees) : undefined;
    if (body.scope === 'one') {
      if (target.bookingId && target.outcome === 'booked') {
        // A booked occurrence is an ordinary booking: the change goes through its workflow and keeps its RECURRENCE-ID.
        // Details first, then the move: right after a move the row may still name the old run
        // (the new slot's workflow writes its own run id a moment later), and the moved workflow carries the new details.
        if (body.title !== undefined || attendees) {
          await this.bookings.change(principal, target.bookingId, {
            ...(body.title !== undefined ? { title: body.title } : {}),
            ...(attendees ? { attendees } : {}),
          });
        }
        if (body.start !== undefined || body.end !== undefined)
          await this.bookings.change(principal, target.bookingId, slot);
      } else if (target.outcome === 'scheduled') {
        const room = await getRoom(this.deps, series.roomId);
        assertSlotAllowedBeyondHorizon(room, slot);
        const { edited } = await this.seriesUpdate(series, (handle) =>
          handle.executeUpdate(editPendingOccurrenceUpdate, {
            args: [
              {
                occurrenceStart: target.occurrenceStart,
                ...slot,
                ...(body.title !== undefined ? { title: body.title } : {}),
                ...(attendees ? { attendees } : {}),
              },
            ],
          }),
        );
        if (!edited)
          throw conflict(
            'OCCURRENCE_CLOSED',
            'This occurrence was booked or cancelled meanwhile; read the series and try again.',
          );
      } else {
        throw conflict('OCCURRENCE_CLOSED', `This occurrence is ${target.outcome} and can no longer change.`, {
          outcome: target.outcome,
        });
      }
      return { series: await this.read(id) };
    }

    // This and following: the series ends before this occurrence and a new series carries on from it.
    if (principal.kind !== 'user') throw forbidden();
    const remaining = series.occurrences.filter(
      (o) =>
        Date.parse(o.occurrenceStart) >= Date.parse(target.occurrenceStart) &&
        (o.outcome === 'scheduled' || (o.outcome === 'booked' && isChangeable(o.status))),
    );
    const moved = shiftOccurrences(remaining, target, slot, series.timezone);
    await this.seriesUpdate(series, (handle) =>
      handle.executeUpdate(cancelSeriesUpdate, {
        args: [
          {
            scope: 'following',
            occurrenceStart: target.occurrenceStart,
            reason: 'the series was split: these occurrences continue in a new series',
          },
        ],
      }),
    );
    const room = await getRoom(this.deps, series.roomId);
    const next = await this.open(
      { kind: 'user', userId: series.organizerId, role: 'member' } as Principal & { kind: 'user' },
      room,
      {
        title: body.title ?? series.title,
        attendees: attendees ?? series.attendees,
        timezone: series.timezone,
        rrule: series.rrule,
        exdates: [],
        // The freed slots go straight to the new series; one taken meanwhile is reported, not a reason to lose the rest.
        onConflict: 'skip',
        maxConsecutiveReleases: series.maxConsecutiveReleases,
        occurrences: moved,
        splitFrom: series.id,
      },
    );
    return { series: next, previous: await this.read(id) };
  }

  private occurrence(series: SeriesView, occurrenceStart: string | undefined) {
    const target = occurrenceStart
      ? series.occurrences.find((o) => Date.parse(o.occurrenceStart) === Date.parse(occurrenceStart))
      : undefined;
    if (!target) {
      throw new AppError(
        400,
        'VALIDATION_FAILED',
        'Invalid request body: occurrenceStart: not an occurrence of this series',
        {
          fields: [{ in: 'body', field: 'occurrenceStart', message: 'not an occurrence of this series' }],
        },
      );
    }
    return target;
  }

  private async changeable(principal: Principal, id: string): Promise<SeriesView> {
    const series = await this.get(principal, id);
    assertCanChangeBooking(principal, series, await this.emailOf(principal));
    if (series.status !== 'active')
      throw conflict('SERIES_CLOSED', `This series is ${series.status} and can no longer change.`, {
        status: series.status,
      });
    return series;
  }

  private async seriesUpdate<T>(
    series: SeriesView,
    send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.withTimeout(() => send(this.deps.temporal.workflow.getHandle(series.workflowId)));
    } catch (err) {
      // A completed workflow answers NOT_FOUND ("workflow execution already completed").
      if (workflowGone(err)) {
        throw conflict('SERIES_CLOSED', 'Every occurrence of this series is over; change its bookings one by one.');
      }
      throw toAppError(err);
    }
  }

  private async read(id: string): Promise<SeriesView> {
    const row = await findSeries(this.deps.dataSource, id);
    if (!row) throw notFound('Series');
    const occurrences = await listSeriesOccurrences(this.deps.dataSource, id);
    return {
      id: row.id,
      roomId: row.room_id,
      organizerId: row.organizer_id,
      title: row.title,
      attendees: row.attendees,
      timezone: row.timezone,
      rrule: row.rrule,
      exdates: (row.exdates ?? []).map(iso),
      onConflict: row.on_conflict,
      status: row.status,
      ...(row.status_reason ? { statusReason: row.status_reason } : {}),
      maxConsecutiveReleases: row.max_consecutive_releases,
      consecutiveReleases: row.consecutive_releases,
      ...(row.split_from ? { splitFrom: row.split_from } : {}),
      workflowId: row.workflow_id,
      createdAt: iso(row.created_at),
      occurrences: occurrences.map((o) => ({
        occurrenceStart: iso(o.occurrence_start),
        // A booked occurrence shows its booking's slot: an exception may have moved it.
        start: iso(o.booking_start ?? o.start_at),
        end: iso(o.booking_end ?? o.end_at),
        outcome: o.outcome,
        ...(o.status ? { status: o.status } : {}),
        ...(o.booking_id ? { bookingId: o.booking_id } : {}),
        ...(o.conflict ? { conflict: o.conflict } : {}),
        ...(o.refusal ? { refusal: o.refusal } : {}),
      })),
    };
  }

  private emailOf(principal: Principal): Promise<string | undefined> {
    return principalEmail(this.deps.dataSource, principal);
  }

  private withTimeout<T>(call: () => Promise<T>): Promise<T> {
    return withTemporalDeadline(this.deps.temporal, TEMPORAL_CALL_TIMEOUT_MS, call);
  }
}

export interface SeriesOccurrenceView {
  occurrenceStart: string;
  start: string;
  end: string;
  outcome: OccurrenceOutcome;
  status?: BookingStatus;
  bookingId?: string;
  conflict?: { conflictingBookingId?: string; outageId?: string; start: string; end: string };
  refusal?: OccurrenceResult['refusal'];
}

export interface SeriesView
  extends
    SeriesRecurrence,
    Pick<
      BookingSeriesEntity,
      | 'id'
      | 'roomId'
      | 'organizerId'
      | 'title'
      | 'attendees'
      | 'status'
      | 'maxConsecutiveReleases'
      | 'consecutiveReleases'
      | 'workflowId'
    > {
  statusReason?: string;
  splitFrom?: string;
  createdAt: string;
  occurrences: SeriesOccurrenceView[];
}

const isChangeable = (status: BookingStatus | undefined) => status !== undefined && isAllowed('move', status);

function assertSlotAllowedBeyondHorizon(room: Room, slot: { start: string; end: string }): void {
  try {
    assertSlotAllowed(room, Date.parse(slot.start), Date.parse(slot.end), Date.now());
  } catch (err) {
    if (err instanceof AppError && (err.details as { rule?: string } | undefined)?.rule === 'horizonDays') return;
    throw err;
  }
}

function normalize(attendees: string[] | undefined): string[] {
  return [...new Set((attendees ?? []).map((a) => a.trim().toLowerCase()))];
}
