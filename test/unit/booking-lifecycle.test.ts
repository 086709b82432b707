import fc from 'fast-check';
import { DEFAULT_ROOM_POLICY, type RoomPolicy } from '../../src/shared/booking';
import {
  ACTIVE_STATUSES,
  ACTIVE_STATUSES_SQL,
  ALLOWED_FROM,
  BOOKING_STATUSES,
  checkInRefusal,
  checkInWindow,
  isActive,
  isAllowed,
  nextDeadline,
  nextReviewDeadline,
  occupiedUntil,
  reviewWindow,
  slotDeadlines,
  TERMINAL_STATUSES,
  type SlotDeadlineKind,
  type SlotLifecycle,
} from '../../src/shared/booking-lifecycle';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

const policyArb: fc.Arbitrary<RoomPolicy> = fc.record({
  slotGranularitySeconds: fc.constantFrom(1, 60, 900),
  holdTtlSeconds: fc.integer({ min: 1, max: 3600 }),
  requiresApproval: fc.boolean(),
  approvalTimeoutSeconds: fc.integer({ min: 1, max: 86_400 }),
  requiresCheckIn: fc.boolean(),
  checkInOpensBeforeSeconds: fc.integer({ min: 0, max: 3600 }),
  checkInGraceSeconds: fc.integer({ min: 1, max: 3600 }),
  reminderLeadSeconds: fc.integer({ min: 0, max: 7200 }),
  minNoticeSeconds: fc.constant(0),
  maxDurationSeconds: fc.constant(86_400),
  horizonDays: fc.constant(180),
  bufferSeconds: fc.integer({ min: 0, max: 3600 }),
  reviewPromptDelaySeconds: fc.integer({ min: 0, max: 3600 }),
  reviewWindowSeconds: fc.integer({ min: 1, max: 259_200 }),
  waitlistClaimSeconds: fc.integer({ min: 1, max: 3600 }),
});

/** An active booking somewhere in its life: a slot taken some time before its start, observed at `now`. */
const slotArb = fc
  .record({
    status: fc.constantFrom(...ACTIVE_STATUSES),
    leadSeconds: fc.integer({ min: 0, max: 86_400 }),
    lengthSeconds: fc.integer({ min: 1, max: 14_400 }),
    holdSeconds: fc.integer({ min: 1, max: 7200 }),
    observedAfterSeconds: fc.integer({ min: 0, max: 100_000 }),
    reminderSent: fc.boolean(),
    checkInAnnounced: fc.boolean(),
    startAnnounced: fc.boolean(),
  })
  .map((r) => {
    const start = T0 + r.leadSeconds * 1000;
    const state: SlotLifecycle = {
      status: r.status,
      start: iso(start),
      end: iso(start + r.lengthSeconds * 1000),
      slotTakenAt: iso(T0),
      holdExpiresAt: iso(T0 + r.holdSeconds * 1000),
      approvalDeadline: iso(T0 + r.holdSeconds * 1000),
      ...(r.reminderSent ? { reminderSentAt: iso(T0) } : {}),
      checkInAnnounced: r.checkInAnnounced,
      startAnnounced: r.startAnnounced,
    };
    return { state, now: T0 + r.observedAfterSeconds * 1000 };
  });

/** What firing a deadline does to the state, as the workflow does it (the exits that end the slot return undefined). */
function fire(state: SlotLifecycle, kind: SlotDeadlineKind, at: number): SlotLifecycle | undefined {
  switch (kind) {
    case 'hold_expiry':
    case 'approval_timeout':
    case 'no_show':
    case 'end':
      return undefined;
    case 'reminder':
      return { ...state, reminderSentAt: iso(at) };
    case 'check_in_opens':
      return { ...state, checkInAnnounced: true };
    case 'meeting_start':
      return { ...state, startAnnounced: true };
  }
}

describe('booking lifecycle rules', () => {
  test('when a status is active, then it is in the SQL form and has no place among the terminal statuses', () => {
    for (const status of BOOKING_STATUSES) {
      expect(ACTIVE_STATUSES_SQL.includes(`'${status}'`)).toBe(isActive(status));
      expect(TERMINAL_STATUSES.includes(status as never)).toBe(!isActive(status));
    }
  });

  test('when an action is allowed, then only from active statuses', () => {
    for (const [action, from] of Object.entries(ALLOWED_FROM)) {
      expect(from.length).toBeGreaterThan(0);
      for (const status of TERMINAL_STATUSES)
        expect(isAllowed(action as keyof typeof ALLOWED_FROM, status)).toBe(false);
    }
  });

  test('when a booking is confirmed in a room with check-in, then the window opens before the start and closes at the grace deadline', () => {
    const policy = { ...DEFAULT_ROOM_POLICY, checkInOpensBeforeSeconds: 300, checkInGraceSeconds: 600 };
    const window = checkInWindow(policy, iso(T0), iso(T0 + 3_600_000));
    expect(window).toEqual({ opensAt: iso(T0 - 300_000), closesAt: iso(T0 + 600_000), deadline: iso(T0 + 600_000) });
    expect(checkInRefusal(policy, 'confirmed', iso(T0), iso(T0 + 3_600_000), T0 - 300_001)).toMatch(/opens at/);
    expect(checkInRefusal(policy, 'confirmed', iso(T0), iso(T0 + 3_600_000), T0)).toBeUndefined();
    expect(checkInRefusal(policy, 'confirmed', iso(T0), iso(T0 + 3_600_000), T0 + 600_000)).toMatch(/closed/);
    expect(checkInRefusal(policy, 'held', iso(T0), iso(T0 + 3_600_000), T0)).toMatch(/held/);
  });

  test('when the room has no check-in, then check-in stays possible until the end and there is no deadline', () => {
    const policy = { ...DEFAULT_ROOM_POLICY, requiresCheckIn: false };
    expect(checkInWindow(policy, iso(T0), iso(T0 + 3_600_000))).toEqual({
      opensAt: iso(T0 - 300_000),
      closesAt: iso(T0 + 3_600_000),
    });
  });

  test('property: occupiedUntil is never before the end', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 10 ** 9 }), (policy, offset) => {
        const end = iso(T0 + offset * 1000);
        expect(Date.parse(occupiedUntil(policy, end))).toBeGreaterThanOrEqual(Date.parse(end));
      }),
    );
  });

  test('property: every active status has an exit (a deadline that ends the slot, or one leading to it)', () => {
    fc.assert(
      fc.property(policyArb, slotArb, (policy, { state, now }) => {
        let current: SlotLifecycle | undefined = state;
        let clock = now;
        for (let steps = 0; current && steps < 10; steps += 1) {
          const next = nextDeadline(current, policy, clock);
          expect(next).toBeDefined();
          clock = next!.at;
          current = fire(current, next!.kind, clock);
        }
        expect(current).toBeUndefined();
      }),
    );
  });

  test('property: the next deadline is never in the past', () => {
    fc.assert(
      fc.property(policyArb, slotArb, (policy, { state, now }) => {
        const next = nextDeadline(state, policy, now);
        if (next) expect(next.at).toBeGreaterThanOrEqual(now);
      }),
    );
  });

  test('property: firing deadlines one after another skips none: each due deadline is fired before the slot ends', () => {
    fc.assert(
      fc.property(policyArb, slotArb, (policy, { state, now }) => {
        const pending = new Set(slotDeadlines(state, policy).map((d) => d.kind));
        const fired: SlotDeadlineKind[] = [];
        let current: SlotLifecycle | undefined = state;
        let clock = now;
        let previousAt = -Infinity;
        while (current) {
          const next = nextDeadline(current, policy, clock)!;
          // Deadlines come in time order (a due one now, the rest at their own time).
          expect(next.at).toBeGreaterThanOrEqual(previousAt);
          previousAt = next.at;
          clock = next.at;
          fired.push(next.kind);
          current = fire(current, next.kind, clock);
        }
        const exit = fired[fired.length - 1];
        // Everything that was due before the exit's own time was fired first.
        const exitAt = slotDeadlines(state, policy).find((d) => d.kind === exit)!.at;
        for (const d of slotDeadlines(state, policy)) {
          if (d.at < exitAt && pending.has(d.kind)) expect(fired).toContain(d.kind);
        }
      }),
    );
  });

  test('property: the review follow-up prompts, reminds at most once, and always closes at the end of the window', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.boolean(),
        fc.integer({ min: 0, max: 100_000 }),
        (policy, everyoneReviewed, afterSeconds) => {
          const endedAt = iso(T0);
          const window = reviewWindow(policy, endedAt);
          let state = { endedAt, reminderSent: false, everyoneReviewed } as Parameters<typeof nextReviewDeadline>[0];
          let clock = T0 + afterSeconds * 1000;
          const fired: string[] = [];
          for (let steps = 0; steps < 5; steps += 1) {
            const next = nextReviewDeadline(state, policy, clock);
            expect(next.at).toBeGreaterThanOrEqual(clock);
            clock = next.at;
            fired.push(next.kind);
            if (next.kind === 'review_close') break;
            state =
              next.kind === 'review_prompt' ? { ...state, promptSentAt: iso(clock) } : { ...state, reminderSent: true };
          }
          expect(fired[0]).toBe('review_prompt');
          expect(fired[fired.length - 1]).toBe('review_close');
          expect(fired.filter((k) => k === 'review_reminder').length).toBeLessThanOrEqual(everyoneReviewed ? 0 : 1);
          expect(clock).toBeGreaterThanOrEqual(Date.parse(window.closesAt));
        },
      ),
    );
  });
});
