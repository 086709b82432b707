import { Client, Connection } from '@temporalio/client';
// The client part only: the package's index also loads the worker side (native code) into the api.
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import type { Config } from '../config';

/**
 * One lazy connection per process: the api starts even while Temporal is down, and gRPC
 * reconnects by itself once it is back.
 */
export function createTemporalClient(config: Pick<Config, 'temporal'>, options: { tracing?: boolean } = {}): Client {
  const connection = Connection.lazy({ address: config.temporal.address, connectTimeout: '3s' });
  // With tracing, every start, update and query carries the caller's trace into the workflow's headers.
  const interceptors = options.tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
  return new Client({ connection, namespace: config.temporal.namespace, interceptors });
}

/**
 * A connection for probes only. It has no retry interceptor: a probe must answer within its
 * deadline, and the default interceptor's backoff timers outlive the call (and, after close,
 * throw from a timer).
 */
export function createTemporalProbe(config: Pick<Config, 'temporal'>): Connection {
  return Connection.lazy({ address: config.temporal.address, connectTimeout: '2s', interceptors: [] });
}

export async function temporalReachable(probe: Connection, namespace: string, timeoutMs = 2000): Promise<void> {
  await probe.withDeadline(Date.now() + timeoutMs, () => probe.workflowService.describeNamespace({ namespace }));
}

/** Runs one API call to Temporal with a deadline: past it, the caller answers 503 instead of hanging. */
export function withTemporalDeadline<T>(client: Client, ms: number, call: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + ms, call);
}
