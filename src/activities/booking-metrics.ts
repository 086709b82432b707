import type { MetricMeter } from '@temporalio/common';
import type { BookingStatus } from '../shared/booking';

/**
 * The booking metrics, exported by the worker's SDK runtime on its Prometheus endpoint
 * (WORKER_METRICS_PORT) next to the SDK's own. Instruments are made once per worker.
 */
export function createBookingMetrics(meter: MetricMeter) {
  const transitions = meter.createCounter(
    'roombook_bookings_total',
    'bookings',
    'Bookings by status: each created one by its first status, then each transition by its resulting status',
  );
  const conflicts = meter.createCounter(
    'roombook_slot_conflicts_total',
    'conflicts',
    'Creates and changes refused by the no-overlap constraint',
  );
  const releases = meter.createCounter(
    'roombook_no_show_releases_total',
    'bookings',
    'Bookings released because nobody checked in',
  );
  const lateness = meter.createHistogram(
    'roombook_release_lateness_seconds',
    'float',
    's',
    'How long after the check-in deadline a no-show was released',
  );
  const holdToConfirm = meter.createHistogram(
    'roombook_hold_to_confirm_seconds',
    'float',
    's',
    'Time from hold to confirmation',
  );

  return {
    /** A new booking (single or series occurrence), counted once, by the status it starts in. */
    created(status: BookingStatus): void {
      transitions.add(1, { outcome: status });
    },
    conflict(): void {
      conflicts.add(1);
    },
    transition(
      s: { status: BookingStatus; createdAt: string; checkInDeadline?: string },
      previous: BookingStatus,
      now = Date.now(),
    ): void {
      transitions.add(1, { outcome: s.status });
      if (s.status === 'released') {
        releases.add(1);
        if (s.checkInDeadline) lateness.record(Math.max(0, (now - Date.parse(s.checkInDeadline)) / 1000));
      }
      if (previous === 'held' && (s.status === 'confirmed' || s.status === 'pending_approval')) {
        holdToConfirm.record(Math.max(0, (now - Date.parse(s.createdAt)) / 1000));
      }
    },
  };
}

export type BookingMetrics = ReturnType<typeof createBookingMetrics>;
