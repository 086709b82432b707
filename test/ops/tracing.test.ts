import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { eventually } from '../bookings/support';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { bookThroughProcesses, startProcessStack, type ProcessStack } from '../support/processes';

describe('one trace from POST /bookings through the workflow into its activities, across both processes', () => {
  let receiver: OtlpReceiver;
  let procs: ProcessStack;
  let dataSource: DataSource;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    dataSource = await createDataSource(process.env.DATABASE_URL!, { poolSize: 2 }).initialize();
    // Standard variables only: the endpoint turns tracing on; a short batch delay sends spans soon.
    procs = await startProcessStack({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => {
    await procs?.stop();
    await receiver?.close();
    await dataSource?.destroy();
  });

  test('when a booking is made, then the receiver gets one trace with api and worker spans: HTTP, Koa route, Temporal client, workflow update, activities, pg and the SMTP send', async () => {
    const { response } = await bookThroughProcesses(procs, dataSource, 'Traced');
    expect(response.status).toBe(201);

    const serverSpan = await eventually(
      async () =>
        receiver.spans.find(
          (s) => s.service === 'roombook-api' && s.kind === 2 && s.attributes['http.route'] === '/api/v1/bookings',
        ),
      (s) => s !== undefined,
    );
    expect(serverSpan).toBeDefined();
    const traceOf = () => receiver.spans.filter((s) => s.traceId === serverSpan!.traceId);
    const has = (spans: ReceivedSpan[], service: string, match: (s: ReceivedSpan) => boolean) =>
      spans.some((s) => s.service === service && match(s));
    const complete = (spans: ReceivedSpan[]) =>
      has(spans, 'roombook-api', (s) => /UpdateWithStartWorkflow|StartWorkflow/.test(s.name)) &&
      // Inside the workflow (its RunWorkflow span ends only when the booking's life does).
      has(spans, 'roombook-worker', (s) => s.name === 'HandleUpdate:reserve') &&
      has(spans, 'roombook-worker', (s) => s.name === 'RunActivity:reserveSlot') &&
      has(spans, 'roombook-worker', (s) => s.attributes['db.system'] === 'postgresql') &&
      has(spans, 'roombook-worker', (s) => s.name === 'smtp send');
    // One tree: every parent is in the same trace (the server span is the root of the request).
    // Parents may arrive after their children (each process batches on its own): wait for both.
    const orphansOf = (spans: ReceivedSpan[]) => {
      const ids = new Set(spans.map((s) => s.spanId));
      return spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId) && s !== serverSpan);
    };
    const spans = await eventually(
      async () => traceOf(),
      (t) => complete(t) && orphansOf(t).length === 0,
      30000,
    );
    const summary = [...new Set(spans.map((s) => `${s.service} ${s.name}`))].sort();
    // On failure the summary shows what the trace had.
    expect({ complete: complete(spans), summary }).toEqual({ complete: true, summary });
    // The api side includes the Koa route and its own database reads.
    expect(has(spans, 'roombook-api', (s) => s.attributes['koa.type'] === 'router')).toBe(true);
    const orphans = orphansOf(spans);
    expect(orphans.map((s) => `${s.service} ${s.name}`)).toEqual([]);
  });
});
