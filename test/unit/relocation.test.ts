import fc from 'fast-check';
import {
  noFittingRoomReason,
  peopleOf,
  rankRelocationTargets,
  type RelocationCandidate,
} from '../../src/domain/relocation';

const room = (id: string, patch: Partial<RelocationCandidate> = {}): RelocationCandidate => ({
  id,
  name: `Room ${id}`,
  building: 'HQ',
  capacity: 6,
  amenities: [],
  ...patch,
});

const need = { building: 'HQ', amenities: ['screen', 'whiteboard'], people: 4 };
const ids = (rooms: RelocationCandidate[]) => rooms.map((r) => r.id);

describe('relocation: where a displaced booking goes', () => {
  test('when a room is too small for everyone, then it is never a candidate, however well it fits otherwise', () => {
    const ranked = rankRelocationTargets(need, [
      room('small', { capacity: 3, amenities: ['screen', 'whiteboard'] }),
      room('exact', { capacity: 4 }),
    ]);
    expect(ids(ranked)).toEqual(['exact']);
  });

  test('when rooms in the same building and elsewhere fit, then the same building comes first, even with fewer amenities', () => {
    const ranked = rankRelocationTargets(need, [
      room('annex', { building: 'Annex', amenities: ['screen', 'whiteboard'], capacity: 4 }),
      room('hq', { capacity: 10 }),
    ]);
    expect(ids(ranked)).toEqual(['hq', 'annex']);
  });

  test("when rooms of one building differ, then more of the original room's amenities win, then the smallest sufficient capacity", () => {
    const ranked = rankRelocationTargets(need, [
      room('big-none', { capacity: 20 }),
      room('big-both', { capacity: 20, amenities: ['whiteboard', 'screen', 'phone'] }),
      room('small-one', { capacity: 5, amenities: ['screen'] }),
      room('small-both', { capacity: 8, amenities: ['screen', 'whiteboard'] }),
      room('tiny-none', { capacity: 4 }),
    ]);
    expect(ids(ranked)).toEqual(['small-both', 'big-both', 'small-one', 'tiny-none', 'big-none']);
  });

  test('when rooms are equal in every rule, then name and id order them, whatever order they came in', () => {
    const twins = [room('b', { name: 'Same' }), room('a', { name: 'Same' }), room('c', { name: 'Alpha' })];
    expect(ids(rankRelocationTargets(need, twins))).toEqual(['c', 'a', 'b']);
    expect(ids(rankRelocationTargets(need, [...twins].reverse()))).toEqual(['c', 'a', 'b']);
  });

  test('when nothing fits, then the ranking is empty', () => {
    expect(rankRelocationTargets({ ...need, people: 30 }, [room('a'), room('b', { building: 'Annex' })])).toEqual([]);
  });

  test('for any rooms, the ranking holds exactly the rooms that fit, in an order that does not depend on the input order', () => {
    const arb = fc.uniqueArray(
      fc.record({
        id: fc.uuid(),
        name: fc.constantFrom('A', 'B', 'C'),
        building: fc.constantFrom('HQ', 'Annex'),
        capacity: fc.integer({ min: 1, max: 12 }),
        amenities: fc.subarray(['screen', 'whiteboard', 'phone']),
      }),
      { selector: (r) => r.id, maxLength: 12 },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 10 }), (rooms, people) => {
        const ranked = rankRelocationTargets({ ...need, people }, rooms);
        expect(new Set(ids(ranked))).toEqual(new Set(rooms.filter((r) => r.capacity >= people).map((r) => r.id)));
        expect(ids(rankRelocationTargets({ ...need, people }, [...rooms].reverse()))).toEqual(ids(ranked));
        const firstElsewhere = ranked.findIndex((r) => r.building !== 'HQ');
        if (firstElsewhere >= 0) expect(ranked.slice(firstElsewhere).every((r) => r.building !== 'HQ')).toBe(true);
      }),
    );
  });

  test('when counting people, then the organizer counts once, attendees by distinct address', () => {
    expect(peopleOf('Org@example.test', [])).toBe(1);
    expect(
      peopleOf('org@example.test', ['a@example.test', 'A@example.test', 'ORG@example.test', 'b@example.test']),
    ).toBe(3);
    expect(peopleOf(undefined, ['a@example.test'])).toBe(2);
  });

  test('when nothing fits, then the reason names the room, the outage, the building and the people', () => {
    expect(noFittingRoomReason({ name: 'Fjord', building: 'HQ' }, 'water leak', 12)).toBe(
      'Room Fjord is out of service (water leak); no free room in building HQ or any other building fits 12 people at that time.',
    );
  });
});
