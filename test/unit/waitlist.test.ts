import {
  claimSeconds,
  intervalsLeft,
  publicEntry,
  rankCandidates,
  roomFits,
  type WaitlistEntry,
} from '../../src/domain/waitlist';

const room = { id: 'r1', building: 'HQ', capacity: 8, amenities: ['Screen', 'whiteboard'] };
const NOW = Date.parse('2026-12-01T09:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();

function entry(id: string, patch: Partial<WaitlistEntry> = {}): WaitlistEntry {
  return {
    id,
    userId: `u-${id}`,
    roomId: 'r1',
    amenities: [],
    start: at(60),
    end: at(120),
    status: 'waiting',
    createdAt: at(-10),
    ...patch,
  };
}

describe('waitlist matching', () => {
  it('when an entry names a room, then only that room fits', () => {
    expect(roomFits(entry('a'), room)).toBe(true);
    expect(roomFits(entry('a', { roomId: 'r2' }), room)).toBe(false);
  });

  it('when an entry names a building, then a room fits with enough seats and every amenity (any case)', () => {
    const byBuilding = (patch: Partial<WaitlistEntry>) => entry('b', { roomId: undefined, building: 'HQ', ...patch });
    expect(roomFits(byBuilding({ capacity: 8, amenities: ['screen'] }), room)).toBe(true);
    expect(roomFits(byBuilding({ capacity: 9 }), room)).toBe(false);
    expect(roomFits(byBuilding({ amenities: ['projector'] }), room)).toBe(false);
    expect(roomFits(byBuilding({ building: 'Annex' }), room)).toBe(false);
  });

  it('when several wait, then the first to join comes first, ties by id', () => {
    const ranked = rankCandidates(
      [entry('c', { createdAt: at(-5) }), entry('b', { createdAt: at(-20) }), entry('a', { createdAt: at(-5) })],
      room,
      { start: at(60), end: at(120) },
      NOW,
    );
    expect(ranked.map((e) => e.id)).toEqual(['b', 'a', 'c']);
  });

  it('when an entry starts in the past, does not overlap, or is no longer waiting, then it gets no offer', () => {
    const ranked = rankCandidates(
      [
        entry('past', { start: at(-1) }),
        entry('later', { start: at(120), end: at(180) }),
        entry('offered', { status: 'offered', offer: { bookingId: 'x', roomId: 'r1', claimBy: at(5) } }),
        entry('claimed', { status: 'claimed' }),
        entry('ok', { start: at(90), end: at(150) }),
      ],
      room,
      { start: at(60), end: at(120) },
      NOW,
    );
    expect(ranked.map((e) => e.id)).toEqual(['ok']);
  });

  it('when an offer was claimed but its hold is not made yet, then only the same offer retrying sees it', () => {
    const inFlight = entry('a', { status: 'offered', offer: { bookingId: 'b1', roomId: 'r1' } });
    const slot = { start: at(60), end: at(120) };
    expect(rankCandidates([inFlight], room, slot, NOW)).toEqual([]);
    expect(rankCandidates([inFlight], room, slot, NOW, (e) => e.offer?.bookingId === 'b1')).toEqual([inFlight]);
  });

  it('when the start is nearer than the claim window, then the hold ends at the start', () => {
    expect(claimSeconds(900, at(60), NOW)).toBe(900);
    expect(claimSeconds(900, at(2), NOW)).toBe(120);
    expect(claimSeconds(900, new Date(NOW + 200).toISOString(), NOW)).toBe(1);
  });

  it('when an offer is claimed but its hold not made yet, then its waiter still sees the entry waiting', () => {
    const inFlight = entry('a', { status: 'offered', offer: { bookingId: 'b1', roomId: 'r1' } });
    expect(publicEntry(inFlight)).toEqual(entry('a'));
    const made = entry('a', { status: 'offered', offer: { bookingId: 'b1', roomId: 'r1', claimBy: at(5) } });
    expect(publicEntry(made)).toBe(made);
  });
});

describe('intervalsLeft: what a moved booking gives up', () => {
  const at = (h: number) => `2026-12-01T${String(h).padStart(2, '0')}:00:00.000Z`;
  const place = (roomId: string, from: number, to: number) => ({ roomId, start: at(from), end: at(to) });

  test('when it moves to another room, then all of the old interval is left', () => {
    expect(intervalsLeft(place('a', 9, 10), place('b', 9, 10))).toEqual([place('a', 9, 10)]);
  });

  test('when it moves to a later time that overlaps, then only the start of the old interval is left', () => {
    expect(intervalsLeft(place('a', 9, 11), place('a', 10, 12))).toEqual([place('a', 9, 10)]);
  });

  test('when it moves to a time apart from the old one, then all of the old interval is left', () => {
    expect(intervalsLeft(place('a', 9, 10), place('a', 14, 15))).toEqual([place('a', 9, 10)]);
  });

  test('when its end comes earlier, then the tail is left; when it is extended, nothing', () => {
    expect(intervalsLeft(place('a', 9, 12), place('a', 9, 10))).toEqual([place('a', 10, 12)]);
    expect(intervalsLeft(place('a', 9, 10), place('a', 9, 12))).toEqual([]);
    expect(intervalsLeft(place('a', 9, 10), place('a', 9, 10))).toEqual([]);
  });

  test('when it shrinks from both sides, then both ends are left', () => {
    expect(intervalsLeft(place('a', 8, 12), place('a', 9, 11))).toEqual([place('a', 8, 9), place('a', 11, 12)]);
  });
});
