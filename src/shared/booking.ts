// Booking states and room policy: shared by the API, the domain and the workflows (no I/O here).

export const BOOKING_STATUSES = [
  'held',
  'pending_approval',
  'confirmed',
  'checked_in',
  'completed',
  'expired',
  'rejected',
  'cancelled',
  'released',
] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** The states that occupy the room; the exclusion constraint covers exactly these. */
export const ACTIVE_STATUSES = [
  'held',
  'pending_approval',
  'confirmed',
  'checked_in',
] as const satisfies readonly BookingStatus[];
export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];

export const isActive = (status: BookingStatus): status is ActiveStatus =>
  (ACTIVE_STATUSES as readonly string[]).includes(status);

/** Every lifecycle duration is a room policy in seconds, so tests can run a whole life in seconds. */
export interface RoomPolicy {
  slotGranularitySeconds: number;
  holdTtlSeconds: number;
  requiresApproval: boolean;
  approvalTimeoutSeconds: number;
  requiresCheckIn: boolean;
  checkInOpensBeforeSeconds: number;
  checkInGraceSeconds: number;
  reminderLeadSeconds: number;
  minNoticeSeconds: number;
  maxDurationSeconds: number;
  horizonDays: number;
  bufferSeconds: number;
  reviewPromptDelaySeconds: number;
  reviewWindowSeconds: number;
  /** How long a waitlist offer's hold waits for its confirmation before the next waiter gets it. */
  waitlistClaimSeconds: number;
}

export const DEFAULT_ROOM_POLICY: RoomPolicy = {
  slotGranularitySeconds: 900,
  holdTtlSeconds: 300,
  requiresApproval: false,
  approvalTimeoutSeconds: 86400,
  requiresCheckIn: true,
  checkInOpensBeforeSeconds: 300,
  checkInGraceSeconds: 600,
  reminderLeadSeconds: 900,
  minNoticeSeconds: 0,
  maxDurationSeconds: 14400,
  horizonDays: 180,
  bufferSeconds: 0,
  reviewPromptDelaySeconds: 0,
  reviewWindowSeconds: 259200,
  waitlistClaimSeconds: 900,
};

export type RoomStatus = 'active' | 'out_of_service';
