import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Worker } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH } from '../src/workers/worker';

/**
 * Replays workflow histories (JSON from `temporal workflow show --output json`) against the
 * current workflow bundle. Prints one JSON line per history and a summary; exits 1 if any
 * history diverges. Usage: npm run replay -- <file.json|dir> ...
 */
async function main(): Promise<void> {
  const targets = process.argv.slice(2);
  if (targets.length === 0)
    throw new Error('Name history files or folders to replay, e.g. npm run replay -- test/fixtures/histories');
  const files = targets.flatMap((t) => {
    const path = resolve(t);
    return statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(path, f))
      : [path];
  });
  const histories = files.map((file) => ({
    workflowId: basename(file, '.json'),
    history: JSON.parse(readFileSync(file, 'utf8')),
  }));
  let failed = 0;
  // runReplayHistories reports failures in its results instead of throwing.
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } },
    histories,
  )) {
    if (result.error) failed += 1;
    console.log(
      JSON.stringify({
        workflowId: result.workflowId,
        ok: !result.error,
        ...(result.error ? { error: result.error.message } : {}),
      }),
    );
  }
  console.log(JSON.stringify({ replayed: histories.length, failed }));
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
