import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export const WORKFLOW_BUNDLE_PATH = resolve(__dirname, '..', '..', '.build', 'workflow-bundle.js');

export interface BookingWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** The prebuilt bundle; falls back to bundling src/workflows (slow) when it is missing. */
  bundlePath?: string;
  tuning?: Pick<WorkerOptions, 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions' | 'maxCachedWorkflows'>;
}

export async function createBookingWorker(deps: ActivityDeps, options: BookingWorkerOptions): Promise<Worker> {
  const bundlePath = options.bundlePath ?? WORKFLOW_BUNDLE_PATH;
  const workflows = existsSync(bundlePath)
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflows,
    activities: createActivities(deps),
    // In-flight activities get this long to finish when the worker shuts down.
    shutdownGraceTime: '10 seconds',
    ...options.tuning,
  });
}
