import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemCheckWorkflow } from '../src/workflows';
import { searchAttributeKeys } from '../src/shared/search-attributes';
import { startApi, startWorker, type TestStack, type TestWorker } from './support/stack';

describe('the worker on the real Temporal dev server', () => {
  let stack: TestStack;
  let worker: TestWorker;
  beforeAll(async () => {
    stack = await startApi();
    worker = await startWorker(stack.config, stack.deps);
  });
  afterAll(async () => {
    await worker.stop();
    await stack.close();
  });

  test('when the system check workflow runs, then its activity reaches Postgres and it completes', async () => {
    const result = await stack.deps.temporal.workflow.execute(systemCheckWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `system-check-${Date.now()}`,
      workflowExecutionTimeout: '30 seconds',
    });
    expect(result.database).toContain(new URL(process.env.DATABASE_URL!).pathname.slice(1));
    expect(result.database).toContain('PostgreSQL');
  });

  test('when the server is asked, then every search attribute of the design is registered with its type', async () => {
    const declared = JSON.parse(readFileSync(join(__dirname, '../src/shared/search-attributes.json'), 'utf8'));
    expect(
      Object.fromEntries(searchAttributeKeys.map((k) => [k.name, k.type === 'DATETIME' ? 'Datetime' : 'Keyword'])),
    ).toEqual(declared);
    const { customAttributes } = await stack.deps.temporal.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    for (const key of searchAttributeKeys) expect(customAttributes?.[key.name]).toBeDefined();
  });
});
