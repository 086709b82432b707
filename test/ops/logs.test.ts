import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import type { TestUser } from '../support/fixtures';
import { bookThroughProcesses, startProcessStack, type ProcessStack } from '../support/processes';

/** Every stdout line of both processes parsed; a line that is not a JSON object fails the test with the line. */
function jsonLines(lines: string[], name: string): Record<string, any>[] {
  return lines.map((line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`${name} wrote a line that is not JSON: ${line}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error(`${name} wrote a line that is not a JSON object: ${line}`);
    return parsed as Record<string, any>;
  });
}

describe('logs of the real api and worker processes', () => {
  let procs: ProcessStack;
  let dataSource: DataSource;
  let user: TestUser;
  const results: { created?: Response; conflict?: Response } = {};

  beforeAll(async () => {
    dataSource = await createDataSource(process.env.DATABASE_URL!, { poolSize: 2 }).initialize();
    procs = await startProcessStack();
    const made = await bookThroughProcesses(procs, dataSource, 'Logs');
    user = made.user;
    results.created = made.response;
    // Another start that overlaps: the reserveSlot activity in the worker hits the exclusion constraint.
    results.conflict = await made.book(5400, 9000);
    await procs.stop();
  });

  afterAll(async () => {
    await procs?.stop();
    await dataSource?.destroy();
  });

  test('when both processes ran a booking and a refusal, then every line either wrote to stdout is a JSON object', () => {
    expect(results.created?.status).toBe(201);
    expect(results.conflict?.status).toBe(409);
    const api = jsonLines(procs.api.stdout, 'api');
    const worker = jsonLines(procs.worker.stdout, 'worker');
    expect(api.map((l) => l.msg)).toEqual(expect.arrayContaining(['api stopping']));
    expect(worker.map((l) => l.msg)).toEqual(expect.arrayContaining(['worker started', 'worker stopped']));
    for (const line of [...api, ...worker])
      expect(line).toEqual(
        expect.objectContaining({ level: expect.any(Number), time: expect.any(String), msg: expect.any(String) }),
      );
  });

  test('when a request is answered, then the api logs one access line at info with route template, status, duration, request id and user id', () => {
    const access = jsonLines(procs.api.stdout, 'api').filter((l) => l.msg === 'request' && l.method === 'POST');
    expect(access).toHaveLength(2);
    expect(access[0]).toMatchObject({
      level: 30,
      route: '/api/v1/bookings',
      status: 201,
      requestId: results.created!.headers.get('x-request-id'),
      userId: user.id,
      durationMs: expect.any(Number),
    });
    expect(access[1]).toMatchObject({
      level: 30,
      status: 409,
      requestId: results.conflict!.headers.get('x-request-id'),
    });
  });

  test('when the worker refuses a booking for a slot conflict, then it logs it at info with workflow and run id and without a stack', () => {
    const raw = procs.worker.stdout.filter((l) => l.includes('"refusal"'));
    expect(raw.length).toBeGreaterThan(0);
    for (const line of raw) {
      expect(line).not.toMatch(/stack|\s{4}at /);
      const parsed = JSON.parse(line);
      expect(parsed.level).toBeLessThanOrEqual(30);
      expect(parsed.refusal.type).toBe('SlotConflict');
      expect(parsed.workflowId).toMatch(/^booking:/);
      expect(parsed.runId).toMatch(/^[0-9a-f-]{36}$/);
    }
    // No warning or error from the worker for an ordinary refusal.
    expect(jsonLines(procs.worker.stdout, 'worker').filter((l) => l.level >= 40)).toEqual([]);
  });
});
