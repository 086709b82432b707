import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestStack } from './stack';

const ROOT = join(__dirname, '..', '..');

export interface ReplayOutcome {
  results: { workflowId: string; ok: boolean; error?: string }[];
  summary: { replayed: number; failed: number };
}

/**
 * Replays history files (or a folder of them) with scripts/replay-histories.ts in its own
 * process: protobuf type checks fail inside jest's module sandbox.
 */
export function replayHistories(target: string): ReplayOutcome {
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/replay-histories.ts', target], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120000,
  });
  const lines = run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  if (!lines.length) throw new Error(`replay printed nothing (exit ${run.status}): ${run.stderr}`);
  return { results: lines.slice(0, -1), summary: lines[lines.length - 1] };
}

/** A workflow's history as JSON, exported the operators' way (`temporal workflow show --output json`). */
export function exportHistory(address: string, workflowId: string, runId?: string): string {
  return execFileSync(
    process.env.TEMPORAL_CLI_PATH!,
    [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
      ...(runId ? ['--run-id', runId] : []),
      '--output',
      'json',
      '--address',
      address,
    ],
    { encoding: 'utf8' },
  );
}

/** The committed histories in `fixtures` (at least `atLeast` of them) all replay against the current code. */
export function expectCommittedHistoriesReplay(fixtures: string, atLeast: number): void {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(atLeast);
  expectHistoriesReplay(fixtures, files.length);
}

/** Every one of the `count` histories in `folder` replays without diverging. */
export function expectHistoriesReplay(folder: string, count: number): void {
  const { results, summary } = replayHistories(folder);
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(summary).toEqual({ replayed: count, failed: 0 });
}

/** The id of a workflow's first run (the list names the newest run first). */
export async function firstRunId(stack: TestStack, workflowId: string): Promise<string> {
  const runs: string[] = [];
  for await (const wf of stack.deps.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
    runs.push(wf.runId);
  return runs[runs.length - 1];
}

/**
 * Exports a finished run's history into `fresh` as <name>.json and, when RECORD_HISTORIES=<tag> is
 * set, also into `fixtures` as <name>.<tag>.json, so the run's histories can be committed.
 */
export function recordHistory(
  stack: TestStack,
  folders: { fresh: string; fixtures: string },
  name: string,
  workflowId: string,
  runId?: string,
): void {
  // The operators' way to export a history, so fixtures can also come from production.
  const json = exportHistory(stack.config.temporal.address, workflowId, runId);
  writeFileSync(join(folders.fresh, `${name}.json`), json);
  if (process.env.RECORD_HISTORIES) {
    if (!existsSync(folders.fixtures)) mkdirSync(folders.fixtures, { recursive: true });
    writeFileSync(join(folders.fixtures, `${name}.${process.env.RECORD_HISTORIES}.json`), json);
  }
}
