/** How a room's equipment reads once open tickets are counted: a fault reported and not yet resolved shows. */

export type EquipmentStatus = 'ok' | 'degraded' | 'broken';

const RANK: Record<EquipmentStatus, number> = { ok: 0, degraded: 1, broken: 2 };

/**
 * Each item at the worse of its recorded status and what active tickets report about it (matched
 * by name, case-insensitively). The recorded status is left as staff set it: resolving the ticket
 * is what makes the item read as recorded again.
 */
export function equipmentWithReportedFaults<E extends { name: string; status: EquipmentStatus }>(
  equipment: readonly E[],
  reported: ReadonlyMap<string, EquipmentStatus>,
): E[] {
  return equipment.map((item) => {
    const fault = reported.get(item.name.toLowerCase());
    return fault && RANK[fault] > RANK[item.status] ? { ...item, status: fault } : item;
  });
}
