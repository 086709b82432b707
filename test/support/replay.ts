import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

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
