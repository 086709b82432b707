import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Tracing } from '../infra/tracing';

export const WORKFLOW_BUNDLE_PATH = resolve(__dirname, '..', '..', '.build', 'workflow-bundle.js');
/** The same workflows with the OpenTelemetry workflow interceptors baked in (scripts/build-workflow-bundle.ts). */
export const TRACING_WORKFLOW_BUNDLE_PATH = resolve(__dirname, '..', '..', '.build', 'workflow-bundle-tracing.js');
/** The SDK's interceptors module that traces workflows (spans leave through the `exporter` sink). */
export const TRACING_WORKFLOW_INTERCEPTORS =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface BookingWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** The prebuilt bundle; falls back to bundling src/workflows (slow) when it is missing. */
  bundlePath?: string;
  tuning?: Pick<
    WorkerOptions,
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentLocalActivityExecutions'
    | 'maxCachedWorkflows'
  >;
  /** With tracing: workflow and activity spans, continuing the trace each start or update carries. */
  tracing?: Pick<Tracing, 'resource' | 'spanProcessor'>;
}

/** Activity spans (local ones too) and the sink that exports the spans made inside workflows. */
function tracingOptions(
  tracing: NonNullable<BookingWorkerOptions['tracing']>,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor(), tracing.resource) },
  };
}

export async function createBookingWorker(deps: ActivityDeps, options: BookingWorkerOptions): Promise<Worker> {
  const bundlePath = options.bundlePath ?? (options.tracing ? TRACING_WORKFLOW_BUNDLE_PATH : WORKFLOW_BUNDLE_PATH);
  const traced = options.tracing ? tracingOptions(options.tracing) : {};
  const workflows = existsSync(bundlePath)
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  const interceptors = {
    ...traced.interceptors,
    // Only when bundling at start: a prebuilt bundle has its interceptor modules baked in.
    ...('workflowsPath' in workflows && options.tracing ? { workflowModules: [TRACING_WORKFLOW_INTERCEPTORS] } : {}),
  };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflows,
    activities: createActivities(deps),
    interceptors,
    ...(traced.sinks ? { sinks: traced.sinks } : {}),
    // In-flight activities get this long to finish when the worker shuts down.
    shutdownGraceTime: '10 seconds',
    ...options.tuning,
  });
}
