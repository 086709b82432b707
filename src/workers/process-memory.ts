import type { MetricMeter } from '@temporalio/common';

/**
 * The worker's own memory on its Prometheus endpoint, as `roombook_worker_memory_bytes{kind}`:
 * `rss` (the whole process: the workflow thread's V8 heap and the SDK's Rust core included),
 * and the main thread's V8 `heap_used`, `heap_total`, `external` and `array_buffers`. How it moves
 * with the number of open bookings is in docs/performance.md. Returns a stop function.
 */
export function reportProcessMemory(meter: MetricMeter, everyMs = 10_000): () => void {
  const gauge = meter.createGauge(
    'roombook_worker_memory_bytes',
    'int',
    'bytes',
    "The worker process's resident memory (rss) and its main thread's V8 heap (heap_used, heap_total, external, array_buffers)",
  );
  const sample = (): void => {
    const m = process.memoryUsage();
    gauge.set(m.rss, { kind: 'rss' });
    gauge.set(m.heapUsed, { kind: 'heap_used' });
    gauge.set(m.heapTotal, { kind: 'heap_total' });
    gauge.set(m.external, { kind: 'external' });
    gauge.set(m.arrayBuffers, { kind: 'array_buffers' });
  };
  sample();
  const timer = setInterval(sample, everyMs);
  // A gauge must not keep a stopping worker alive.
  timer.unref();
  return () => clearInterval(timer);
}
