import { execFileSync } from 'node:child_process';
import { SlotStartKey } from '../../src/shared/search-attributes';
import { book, clock, eventually, member, room, startBookingStack, type BookingStack } from './support';
import { stackForSuite } from '../support/stack';

// Operators find bookings with the Temporal CLI and UI: the same commands as docs/operations.md.
function temporal(stack: BookingStack, args: string[]): any {
  const out = execFileSync(
    process.env.TEMPORAL_CLI_PATH!,
    [...args, '--address', stack.config.temporal.address, '--output', 'json'],
    { encoding: 'utf8' },
  );
  return out.trim() ? JSON.parse(out) : [];
}

describe('operators find and read bookings in Temporal', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  test('when an operator lists by RoomId and BookingStatus, then the confirmed booking is found with a summary naming room, slot and organizer', async () => {
    const at = clock();
    const r = await room(stack, {}, { name: 'Orion' });
    const organizer = await member(stack, { displayName: 'Grace Hopper' });
    const booked = await book(stack, organizer, {
      roomId: r.id,
      start: at(3600),
      end: at(5400),
      title: 'Compiler sync',
    });

    const query = `RoomId="${r.id}" AND BookingStatus="confirmed"`;
    const found = await eventually(
      () => Promise.resolve(temporal(stack, ['workflow', 'list', '--query', query])),
      (list) => list.length === 1,
    );
    expect(found.map((w: any) => w.execution.workflowId)).toEqual([booked.body.workflowId]);

    const described = temporal(stack, ['workflow', 'describe', '--workflow-id', booked.body.workflowId]);
    const summary = described.executionConfig.userMetadata.summary as string;
    expect(summary).toContain('Orion');
    expect(summary).toContain('Grace Hopper');
    expect(summary).toContain('Compiler sync');
    expect(Object.keys(described.workflowExecutionInfo.searchAttributes.indexedFields)).toEqual(
      expect.arrayContaining(['RoomId', 'BookingId', 'OrganizerId', 'BookingStatus', 'SlotStart']),
    );

    // The UI's "current details": the state and the next deadline, kept current by the workflow.
    const handle = stack.deps.temporal.workflow.getHandle(booked.body.workflowId);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toMatch(/\*\*confirmed\*\*.*next: check-in opens at /);
    const { typedSearchAttributes } = await handle.describe();
    expect(typedSearchAttributes.get(SlotStartKey)).toEqual(new Date(at(3600)));
  });
});
