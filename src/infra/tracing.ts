// OpenTelemetry for the api and the worker: on when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, off otherwise (no SDK, the API's no-op tracer).
// Everything else comes from the standard OTEL_* variables, read by the exporters and the SDK:
// protocol (OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf by default, http/json, grpc), headers,
// timeouts, sampling (OTEL_TRACES_SAMPLER), batching (OTEL_BSP_*), OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_SDK_DISABLED. Entry points import their `tracing.ts` first, so
// the instrumented modules (http, koa, pg, ioredis) are patched before anything loads them.
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KoaInstrumentation, KoaLayerType } from '@opentelemetry/instrumentation-koa';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { Resource } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export type ServiceName = 'roombook-api' | 'roombook-worker';

export interface Tracing {
  serviceName: string;
  resource: Resource;
  /** A processor for spans made outside the SDK's own pipeline: the worker's workflow spans (sink). */
  spanProcessor(): SpanProcessor;
  /** Flushes what is buffered; entry points await it before exiting. */
  shutdown(): Promise<void>;
}

export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    env.OTEL_SDK_DISABLED !== 'true' &&
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  );
}

/** The OTLP trace exporter for the configured protocol; it reads its endpoint, headers and timeout from the environment. */
function otlpTraceExporter(env: NodeJS.ProcessEnv): SpanExporter {
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  /* eslint-disable @typescript-eslint/no-require-imports -- only the exporter in use is loaded */
  if (protocol === 'grpc') return new (require('@opentelemetry/exporter-trace-otlp-grpc').OTLPTraceExporter)();
  if (protocol === 'http/json') return new (require('@opentelemetry/exporter-trace-otlp-http').OTLPTraceExporter)();
  if (protocol === 'http/protobuf')
    return new (require('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter)();
  /* eslint-enable @typescript-eslint/no-require-imports */
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is invalid: expected http/protobuf, http/json or grpc`);
}

/** Starts the SDK for one process, or returns undefined when tracing is off. */
export function startTracing(
  defaultServiceName: ServiceName,
  env: NodeJS.ProcessEnv = process.env,
): Tracing | undefined {
  if (!tracingEnabled(env)) return undefined;
  const serviceName = env.OTEL_SERVICE_NAME || defaultServiceName;
  // The SDK merges OTEL_RESOURCE_ATTRIBUTES and the host/process detectors into this.
  const resource = new Resource({ [ATTR_SERVICE_NAME]: serviceName });
  const sdk = new NodeSDK({
    resource,
    traceExporter: otlpTraceExporter(env),
    instrumentations: [
      new HttpInstrumentation({
        // Scrapes and probes are not traffic.
        ignoreIncomingRequestHook: (req) => /^\/(metrics|health|ready)(\?|$)/.test(req.url ?? ''),
      }),
      // Router layers only (one span per matched route), not every middleware.
      new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE] }),
      // Only inside a trace: pool housekeeping and background polls alone are noise.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  const extra: SpanProcessor[] = [];
  return {
    serviceName,
    resource,
    spanProcessor() {
      const processor = new BatchSpanProcessor(otlpTraceExporter(env));
      extra.push(processor);
      return processor;
    },
    async shutdown() {
      await Promise.all([sdk.shutdown(), ...extra.map((p) => p.shutdown())]);
    },
  };
}
