import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

// Bundled ahead of time so the worker starts without running webpack.
async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? '.build/workflow-bundle.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: undefined });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`Workflow bundle written: ${out} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
