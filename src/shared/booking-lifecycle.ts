// The booking lifecycle's rules, in one place: which action is allowed from which status, which
// statuses occupy the room, the check-in window, how long the room stays occupied, the review
// window and the next deadline a booking's workflow must wake up for. Pure and sandbox-safe: the
// workflows, the activities, the series code, the reviews code and the API all import it.
import {
  ACTIVE_STATUSES,
  BOOKING_STATUSES,
  isActive,
  type ActiveStatus,
  type BookingStatus,
  type RoomPolicy,
} from './booking';

export { ACTIVE_STATUSES, BOOKING_STATUSES, isActive, type ActiveStatus, type BookingStatus };

/** The active statuses as a SQL list, `('held', ...)`: the exclusion constraint's WHERE, for queries. */
export const ACTIVE_STATUSES_SQL = `(${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Statuses in which a booking no longer occupies its slot: its slot's workflow hands over and closes. */
export const TERMINAL_STATUSES = BOOKING_STATUSES.filter((s) => !isActive(s)) as Exclude<BookingStatus, ActiveStatus>[];

/** What someone can ask of a booking. */
export type BookingAction =
  'confirm' | 'approve' | 'reject' | 'cancel' | 'checkIn' | 'checkOut' | 'extend' | 'move' | 'edit';

/** The transition table: the statuses each action is allowed from. */
export const ALLOWED_FROM: Readonly<Record<BookingAction, readonly ActiveStatus[]>> = {
  confirm: ['held'],
  approve: ['pending_approval'],
  reject: ['pending_approval'],
  cancel: ['held', 'pending_approval', 'confirmed'],
  checkIn: ['confirmed'],
  // A confirmed booking of a room without check-in may check out once it has started (checkOutAllowed).
  checkOut: ['checked_in', 'confirmed'],
  extend: ['held', 'pending_approval', 'confirmed', 'checked_in'],
  move: ['held', 'pending_approval', 'confirmed'],
  edit: ['held', 'pending_approval', 'confirmed', 'checked_in'],
};

/** Where each action leads when it is allowed (`same`: the status does not change). */
export const LEADS_TO: Readonly<Record<BookingAction, BookingStatus | 'same' | 'confirmed_or_pending'>> = {
  confirm: 'confirmed_or_pending',
  approve: 'confirmed',
  reject: 'rejected',
  cancel: 'cancelled',
  checkIn: 'checked_in',
  checkOut: 'completed',
  extend: 'same',
  move: 'same',
  edit: 'same',
};

export const isAllowed = (action: BookingAction, status: BookingStatus): boolean =>
  (ALLOWED_FROM[action] as readonly string[]).includes(status);

/** The statuses a person may cancel from: also what a series cancels. */
export const CANCELLABLE_STATUSES = ALLOWED_FROM.cancel;

export type ReserveMode = 'book' | 'hold';

/** The first status of a new booking. */
export function initialStatus(mode: ReserveMode, policy: Pick<RoomPolicy, 'requiresApproval'>): ActiveStatus {
  if (mode === 'hold') return 'held';
  return policy.requiresApproval ? 'pending_approval' : 'confirmed';
}

const iso = (t: number) => new Date(t).toISOString();
const ms = (t: string) => new Date(t).getTime();

/** Until when a booking keeps the room: its end plus the room's buffer. Never before the end. */
export function occupiedUntil(policy: Pick<RoomPolicy, 'bufferSeconds'>, end: string): string {
  return iso(ms(end) + Math.max(0, policy.bufferSeconds) * 1000);
}

export interface CheckInWindow {
  opensAt: string;
  /** Check-in is possible until here; in a room that requires it, no check-in by then releases the room. */
  closesAt: string;
  /** Only in rooms that require check-in: the no-show deadline. */
  deadline?: string;
}

export function checkInWindow(
  policy: Pick<RoomPolicy, 'requiresCheckIn' | 'checkInOpensBeforeSeconds' | 'checkInGraceSeconds'>,
  start: string,
  end: string,
): CheckInWindow {
  const opensAt = iso(ms(start) - policy.checkInOpensBeforeSeconds * 1000);
  if (!policy.requiresCheckIn) return { opensAt, closesAt: end };
  const deadline = iso(ms(start) + policy.checkInGraceSeconds * 1000);
  return { opensAt, closesAt: deadline, deadline };
}

/** The check-in fields a booking carries in its JSON and row (absent in rooms without check-in). */
export function checkInFields(
  policy: RoomPolicy,
  start: string,
  end: string,
): { checkInOpensAt?: string; checkInDeadline?: string } {
  if (!policy.requiresCheckIn) return {};
  const window = checkInWindow(policy, start, end);
  return { checkInOpensAt: window.opensAt, checkInDeadline: window.deadline };
}

/** Why check-in is refused at `now`, or undefined when it is allowed. */
export function checkInRefusal(
  policy: RoomPolicy,
  status: BookingStatus,
  start: string,
  end: string,
  now: number,
): string | undefined {
  if (!isAllowed('checkIn', status)) return `Not possible while the booking is ${status} (needs confirmed).`;
  const window = checkInWindow(policy, start, end);
  if (now < ms(window.opensAt)) return `Check-in opens at ${window.opensAt}.`;
  if (now >= ms(window.closesAt)) return 'The check-in window has closed.';
  return undefined;
}

/** Why check-out is refused at `now`, or undefined when it is allowed. */
export function checkOutRefusal(
  policy: RoomPolicy,
  status: BookingStatus,
  start: string,
  now: number,
): string | undefined {
  if (status === 'checked_in') return undefined;
  if (status === 'confirmed' && !policy.requiresCheckIn && now >= ms(start)) return undefined;
  return `Not possible while the booking is ${status} (needs checked_in).`;
}

export interface ReviewWindow {
  promptAt: string;
  reminderAt: string;
  closesAt: string;
}

/** From the prompt (some time after the meeting ended) reviews are asked for, until the window closes. */
export function reviewWindow(
  policy: Pick<RoomPolicy, 'reviewPromptDelaySeconds' | 'reviewWindowSeconds'>,
  endedAt: string,
): ReviewWindow {
  const promptAt = ms(endedAt) + policy.reviewPromptDelaySeconds * 1000;
  return {
    promptAt: iso(promptAt),
    reminderAt: iso(promptAt + (policy.reviewWindowSeconds * 1000) / 2),
    closesAt: iso(promptAt + policy.reviewWindowSeconds * 1000),
  };
}

/** What a booking's slot workflow knows that decides its next deadline. */
export interface SlotLifecycle {
  status: BookingStatus;
  start: string;
  end: string;
  /** When this slot was taken (the booking's creation, or its last move): no reminder for a slot taken after its reminder time. */
  slotTakenAt: string;
  holdExpiresAt?: string;
  approvalDeadline?: string;
  reminderSentAt?: string;
  checkInAnnounced: boolean;
  startAnnounced: boolean;
}

export const SLOT_DEADLINE_KINDS = [
  'hold_expiry',
  'approval_timeout',
  'reminder',
  'check_in_opens',
  'meeting_start',
  'no_show',
  'end',
] as const;
export type SlotDeadlineKind = (typeof SLOT_DEADLINE_KINDS)[number];

export interface Deadline<K extends string = SlotDeadlineKind> {
  kind: K;
  /** Epoch ms; never before `now` (a deadline already due is due now). */
  at: number;
  label: string;
}

const LABELS: Record<SlotDeadlineKind | ReviewDeadlineKind, string> = {
  hold_expiry: 'hold expires',
  approval_timeout: 'approval times out',
  reminder: 'reminder',
  check_in_opens: 'check-in opens',
  meeting_start: 'meeting starts',
  no_show: 'check-in deadline (no check-in → released)',
  end: 'meeting ends',
  review_prompt: 'review prompt',
  review_reminder: 'review reminder',
  review_close: 'review window closes',
};

/** Every deadline still ahead of an active booking, in no particular order. */
export function slotDeadlines(state: SlotLifecycle, policy: RoomPolicy): Deadline[] {
  const start = ms(state.start);
  const end = ms(state.end);
  const at = (kind: SlotDeadlineKind, when: number): Deadline => ({ kind, at: when, label: LABELS[kind] });
  switch (state.status) {
    case 'held':
      return [at('hold_expiry', Math.min(ms(state.holdExpiresAt ?? state.start), start))];
    case 'pending_approval':
      return [at('approval_timeout', Math.min(ms(state.approvalDeadline ?? state.start), start))];
    case 'confirmed':
    case 'checked_in': {
      const out: Deadline[] = [];
      const reminderAt = start - policy.reminderLeadSeconds * 1000;
      // Only for slots taken before the reminder time: whoever books five minutes ahead needs no reminder.
      if (
        state.status === 'confirmed' &&
        !state.reminderSentAt &&
        policy.reminderLeadSeconds > 0 &&
        reminderAt >= ms(state.slotTakenAt)
      ) {
        out.push(at('reminder', reminderAt));
      }
      if (state.status === 'confirmed' && policy.requiresCheckIn) {
        const window = checkInWindow(policy, state.start, state.end);
        if (!state.checkInAnnounced) out.push(at('check_in_opens', ms(window.opensAt)));
        out.push(at('no_show', ms(window.deadline!)));
      }
      if (!state.startAnnounced) out.push(at('meeting_start', start));
      if (state.status === 'checked_in' || !policy.requiresCheckIn) out.push(at('end', end));
      return out;
    }
    case 'completed':
    case 'expired':
    case 'rejected':
    case 'cancelled':
    case 'released':
      return [];
    default:
      return assertNever(state.status);
  }
}

/** The earliest deadline ahead (ties: the order of SLOT_DEADLINE_KINDS), never before `now`. */
export function nextDeadline(state: SlotLifecycle, policy: RoomPolicy, now: number): Deadline | undefined {
  return earliest(slotDeadlines(state, policy), SLOT_DEADLINE_KINDS, now);
}

export const REVIEW_DEADLINE_KINDS = ['review_prompt', 'review_reminder', 'review_close'] as const;
export type ReviewDeadlineKind = (typeof REVIEW_DEADLINE_KINDS)[number];

export interface ReviewLifecycle {
  endedAt: string;
  promptSentAt?: string;
  reminderSent: boolean;
  everyoneReviewed: boolean;
}

/** A completed booking's follow-up: the prompt, at most one reminder, then the window closes. */
export function nextReviewDeadline(
  state: ReviewLifecycle,
  policy: RoomPolicy,
  now: number,
): Deadline<ReviewDeadlineKind> {
  const window = reviewWindow(policy, state.endedAt);
  const at = (kind: ReviewDeadlineKind, when: string): Deadline<ReviewDeadlineKind> => ({
    kind,
    at: ms(when),
    label: LABELS[kind],
  });
  const candidates = [at('review_close', window.closesAt)];
  if (!state.promptSentAt) candidates.push(at('review_prompt', window.promptAt));
  else if (!state.reminderSent && !state.everyoneReviewed) candidates.push(at('review_reminder', window.reminderAt));
  return earliest(candidates, REVIEW_DEADLINE_KINDS, now)!;
}

function earliest<K extends string>(
  candidates: Deadline<K>[],
  order: readonly K[],
  now: number,
): Deadline<K> | undefined {
  const first = [...candidates].sort((a, b) => a.at - b.at || order.indexOf(a.kind) - order.indexOf(b.kind))[0];
  return first && { ...first, at: Math.max(first.at, now) };
}

export function assertNever(value: never): never {
  throw new TypeError(`Unexpected value: ${String(value)}`);
}
