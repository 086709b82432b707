import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
// As src/workers/worker.ts names it (not imported from there: that would load every activity).
const TRACING_WORKFLOW_INTERCEPTORS =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

// Bundled ahead of time so the worker starts without running webpack.
async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? '.build/workflow-bundle.js');
  // Two bundles: the plain one, and one with the OpenTelemetry workflow interceptors for workers
  // that trace (OTEL_EXPORTER_OTLP_ENDPOINT set); the interceptors cost nothing when not bundled.
  const variants = [
    { file: out, interceptors: [] as string[] },
    { file: out.replace(/\.js$/, '-tracing.js'), interceptors: [TRACING_WORKFLOW_INTERCEPTORS] },
  ];
  mkdirSync(dirname(out), { recursive: true });
  for (const variant of variants) {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../src/workflows'),
      workflowInterceptorModules: variant.interceptors,
      logger: undefined,
    });
    writeFileSync(variant.file, code);
    console.log(`Workflow bundle written: ${variant.file} (${Math.round(code.length / 1024)} KiB)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
