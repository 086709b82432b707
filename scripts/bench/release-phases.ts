/**
 * Where a no-show's release spends the time between its check-in deadline and the row's write,
 * read from each booking workflow's history:
 *
 *   fired   the deadline's timer fired on the Temporal server (server's timer queue)
 *   queued  the workflow task that timer scheduled was picked up by a worker (task queue wait)
 *   task    that workflow task ran to completion (replay of an evicted workflow, the row's write
 *           as a local activity, the events it sends)
 *
 * and on which queue the task went: a sticky one (the workflow was in the worker's cache) or the
 * normal one (the server had no sticky worker for it).
 *
 * Run against a finished bench run's SQLite store (the bench leaves it in .data/bench):
 *   npx tsx scripts/bench/release-phases.ts --temporal=127.0.0.1:7233 [--database=postgres://…/roombook_bench]
 * where a Temporal dev server was started on that file (`temporal server start-dev --db-filename …`).
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Pool } from 'pg';
import { mapLimit } from './context';
import { summarize, type LatencySummary } from './stats';

const { EventType, TaskQueueKind } = temporal.api.enums.v1;
type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

export interface ReleasePhases {
  workflows: number;
  /** Histories where the deadline's timer and the task after it were found. */
  read: number;
  fired: LatencySummary;
  queued: LatencySummary;
  task: LatencySummary;
  /** Workflow tasks after the deadline that went to a sticky queue (the workflow was cached) / to the normal one. */
  sticky: number;
  normal: number;
}

const millis = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);

/** The three phases of one release, or undefined if the history has no timer firing at the deadline. */
export function phasesOf(events: HistoryEvent[], deadline: number): { fired: number; queued: number; task: number; sticky: boolean } | undefined {
  // The condition's timer is set to the deadline to the millisecond; allow for its rounding.
  const firedAt = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED && millis(e) >= deadline - 5);
  if (firedAt < 0) return undefined;
  const after = events.slice(firedAt);
  const scheduled = after.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  const started = after.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  const completed = after.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  if (!started || !completed) return undefined;
  const fired = millis(events[firedAt]);
  return {
    fired: fired - deadline,
    queued: millis(started) - fired,
    task: millis(completed) - millis(started),
    sticky: scheduled?.workflowTaskScheduledEventAttributes?.taskQueue?.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY,
  };
}

/** Reads the histories of the given workflows (id → check-in deadline, ms) and summarizes the phases. */
export async function releasePhases(client: Client, deadlines: Map<string, number>): Promise<ReleasePhases> {
  const fired: number[] = [];
  const queued: number[] = [];
  const task: number[] = [];
  let sticky = 0;
  await mapLimit([...deadlines], 8, async ([workflowId, deadline]) => {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const p = phasesOf(history.events ?? [], deadline);
    if (!p) return;
    fired.push(p.fired);
    queued.push(p.queued);
    task.push(p.task);
    if (p.sticky) sticky += 1;
  });
  return { workflows: deadlines.size, read: fired.length, fired: summarize(fired), queued: summarize(queued), task: summarize(task), sticky, normal: fired.length - sticky };
}

export const describePhases = (p: ReleasePhases) =>
  `timer fired p50/p99 ${p.fired.p50}/${p.fired.p99} ms, queued ${p.queued.p50}/${p.queued.p99} ms, task ${p.task.p50}/${p.task.p99} ms; ${p.sticky} sticky, ${p.normal} normal (${p.read}/${p.workflows} read)`;

async function main(): Promise<void> {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const address = arg('temporal');
  if (!address) throw new Error('--temporal=HOST:PORT is required: a Temporal server holding the bench run\'s histories');
  const db = new Pool({ connectionString: arg('database') ?? 'postgres://postgres@127.0.0.1:5432/roombook_bench', max: 2 });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  try {
    // The bench's no-shows: rooms of the bench-noshow-<run>-<label> buildings.
    const { rows } = await db.query<{ building: string; workflow_id: string; deadline: Date }>(
      `SELECT r.building, b.workflow_id, b.check_in_deadline AS deadline
         FROM bookings b JOIN rooms r ON r.id = b.room_id
        WHERE r.building LIKE 'bench-noshow-%' AND b.status = 'released'`,
    );
    const byBuilding = new Map<string, Map<string, number>>();
    for (const row of rows) {
      if (!byBuilding.has(row.building)) byBuilding.set(row.building, new Map());
      byBuilding.get(row.building)!.set(row.workflow_id, row.deadline.getTime());
    }
    for (const [building, deadlines] of byBuilding) console.log(`${building}: ${describePhases(await releasePhases(client, deadlines))}`);
  } finally {
    await connection.close();
    await db.end();
  }
}

if (process.argv[1]?.endsWith('release-phases.ts')) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
