import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dropDatabase } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  await (g.__TEMPORAL_ENV__ as TestWorkflowEnvironment | undefined)?.teardown();
  if (g.__TEST_DB__ && !process.env.KEEP_TEST_DB) await dropDatabase(g.__TEST_DB__ as string);
}
