import { equipmentWithReportedFaults, type EquipmentStatus } from '../../src/domain/room-equipment';

describe('equipment with reported faults', () => {
  const equipment = [
    { name: 'Projector', status: 'ok' as EquipmentStatus },
    { name: 'Speakerphone', status: 'broken' as EquipmentStatus },
    { name: 'Whiteboard', status: 'ok' as EquipmentStatus },
  ];

  test('when active tickets name items, then those read degraded or broken, matched by name in any case', () => {
    const reported = new Map<string, EquipmentStatus>([
      ['projector', 'degraded'],
      ['whiteboard', 'broken'],
    ]);
    expect(equipmentWithReportedFaults(equipment, reported)).toEqual([
      { name: 'Projector', status: 'degraded' },
      { name: 'Speakerphone', status: 'broken' },
      { name: 'Whiteboard', status: 'broken' },
    ]);
  });

  test('when a ticket reports less than what staff recorded, then the recorded status stands', () => {
    expect(equipmentWithReportedFaults(equipment, new Map([['speakerphone', 'degraded']]))[1].status).toBe('broken');
  });

  test('when no ticket is active, then the equipment reads as recorded', () => {
    expect(equipmentWithReportedFaults(equipment, new Map())).toEqual(equipment);
  });
});
