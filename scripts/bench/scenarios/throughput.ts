import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { createRooms, createUsers, cpuSampler, futureBase, http, slotStart, type BenchContext } from '../context';
import { progress } from '../stack';
import { summarize, type LatencySummary } from '../stats';
import { ceilingWorkflow, pingUpdate } from '../ceiling-workflow';

export interface LevelResult {
  concurrency: number;
  ops: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
  samples: number[];
  errors: Record<string, number>;
  cpu: Record<string, number>;
}

/**
 * Closed loop: `concurrency` callers, each starting its next call when the previous answered,
 * for `seconds` after a warm-up. Returns the rate and latency of the calls that succeeded.
 */
async function closedLoop(
  ctx: BenchContext,
  concurrency: number,
  seconds: number,
  op: (caller: number, seq: number) => Promise<string | null>,
): Promise<LevelResult> {
  const warmupUntil = performance.now() + Math.min(2000, seconds * 300);
  while (performance.now() < warmupUntil) {
    await Promise.all(Array.from({ length: concurrency }, (_, c) => op(c, -1)));
  }
  const samples: number[] = [];
  const errors: Record<string, number> = {};
  const sample = cpuSampler(ctx);
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, caller) => {
    let seq = 0;
    while (performance.now() < until) {
      const t = performance.now();
      const error = await op(caller, seq++);
      if (error) errors[error] = (errors[error] ?? 0) + 1;
      else samples.push(performance.now() - t);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  return {
    concurrency,
    ops: samples.length,
    seconds: Math.round(elapsed * 100) / 100,
    perSecond: Math.round((samples.length / elapsed) * 10) / 10,
    latency: summarize(samples),
    samples,
    errors,
    cpu: sample(),
  };
}

/** Scenario 1: update-with-start of a minimal workflow with a no-op update, straight to Temporal. */
export async function ceiling(ctx: BenchContext): Promise<LevelResult[]> {
  const levels: LevelResult[] = [];
  for (const concurrency of ctx.sizes.concurrencies) {
    progress(`ceiling: concurrency ${concurrency} for ${ctx.sizes.levelSeconds}s`);
    const level = await closedLoop(ctx, concurrency, ctx.sizes.levelSeconds, async () => {
      const id = randomUUID();
      try {
        await ctx.temporal.workflow.executeUpdateWithStart(pingUpdate, {
          args: [id],
          startWorkflowOperation: new WithStartWorkflowOperation(ceilingWorkflow, {
            workflowId: `ceiling:${id}`,
            taskQueue: ctx.ceilingTaskQueue,
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
        return null;
      } catch (err) {
        return (err as Error).name || 'error';
      }
    });
    progress(`  ${level.perSecond}/s, p50 ${level.latency.p50} ms, p99 ${level.latency.p99} ms`);
    levels.push(level);
  }
  return levels;
}

/**
 * Scenario 2: POST /bookings (mode hold) on distinct free slots, each caller its own user and room
 * (the per-user advisory lock in reserveSlot would otherwise serialize them).
 */
export async function holds(ctx: BenchContext): Promise<LevelResult[]> {
  const maxConcurrency = Math.max(...ctx.sizes.concurrencies);
  const users = await createUsers(ctx, maxConcurrency, 'holds');
  // Holds last a day: none expires (and wakes its workflow) while the bench still runs.
  const rooms = await createRooms(ctx, maxConcurrency, { building: `bench-holds-${ctx.runId}`, policy: { holdTtlSeconds: 86_400 } });
  const base = futureBase(2);
  const nextSlot = rooms.map(() => 0);
  const levels: LevelResult[] = [];
  for (const concurrency of ctx.sizes.concurrencies) {
    progress(`holds through the API: concurrency ${concurrency} for ${ctx.sizes.levelSeconds}s`);
    const level = await closedLoop(ctx, concurrency, ctx.sizes.levelSeconds, async (caller) => {
      const slot = nextSlot[caller]++;
      const start = slotStart(base, slot);
      const res = await http(`${ctx.apiUrls[0]}/api/v1/bookings`, users[caller].token, {
        method: 'POST',
        body: { roomId: rooms[caller], start, end: slotStart(base, slot + 1), title: 'bench hold', mode: 'hold' },
      });
      return res.status === 201 ? null : `${res.status} ${res.body?.error?.code ?? ''}`.trim();
    });
    progress(`  ${level.perSecond}/s, p50 ${level.latency.p50} ms, p99 ${level.latency.p99} ms${Object.keys(level.errors).length ? `, errors ${JSON.stringify(level.errors)}` : ''}`);
    levels.push(level);
  }
  return levels;
}
