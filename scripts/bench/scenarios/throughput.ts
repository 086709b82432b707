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
 * (the per-user advisory lock in reserveSlot would otherwise serialize them). Twice at each
 * concurrency, one after the other: through an api with MAIL_OWN_HOLDS=true (every hold mailed to
 * its caller, as before issue 22) when the run has one, then through the usual api (self-holds not
 * mailed), so both compare with the same run's ceiling.
 */
export async function holds(ctx: BenchContext): Promise<{ unmailed: LevelResult[]; mailed?: LevelResult[] }> {
  const maxConcurrency = Math.max(...ctx.sizes.concurrencies);
  const variants = [
    ...(ctx.mailedApiUrl ? [{ name: 'mailed', label: 'holds mailed (before)', url: ctx.mailedApiUrl }] : []),
    { name: 'unmailed', label: 'holds through the API', url: ctx.apiUrls[0] },
  ];
  const base = futureBase(2);
  const setups = [];
  for (const variant of variants) {
    const users = await createUsers(ctx, maxConcurrency, `holds-${variant.name}`);
    // Holds last a day: none expires (and wakes its workflow) while the bench still runs.
    const rooms = await createRooms(ctx, maxConcurrency, { building: `bench-holds-${variant.name}-${ctx.runId}`, policy: { holdTtlSeconds: 86_400 } });
    setups.push({ ...variant, users, rooms, nextSlot: rooms.map(() => 0), levels: [] as LevelResult[] });
  }
  for (const concurrency of ctx.sizes.concurrencies) {
    for (const v of setups) {
      progress(`${v.label}: concurrency ${concurrency} for ${ctx.sizes.levelSeconds}s`);
      const level = await closedLoop(ctx, concurrency, ctx.sizes.levelSeconds, async (caller) => {
        const slot = v.nextSlot[caller]++;
        const start = slotStart(base, slot);
        const res = await http(`${v.url}/api/v1/bookings`, v.users[caller].token, {
          method: 'POST',
          body: { roomId: v.rooms[caller], start, end: slotStart(base, slot + 1), title: 'bench hold', mode: 'hold' },
        });
        return res.status === 201 ? null : `${res.status} ${res.body?.error?.code ?? ''}`.trim();
      });
      progress(`  ${level.perSecond}/s, p50 ${level.latency.p50} ms, p99 ${level.latency.p99} ms${Object.keys(level.errors).length ? `, errors ${JSON.stringify(level.errors)}` : ''}`);
      v.levels.push(level);
    }
  }
  const byName = Object.fromEntries(setups.map((v) => [v.name, v.levels]));
  return { unmailed: byName.unmailed, ...(byName.mailed ? { mailed: byName.mailed } : {}) };
}
