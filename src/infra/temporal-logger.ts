import { ApplicationFailure, type LogLevel, type LogMetadata, type Logger as SdkLogger } from '@temporalio/common';
import { LogTimestamp } from '@temporalio/worker';
import { FailureTypes } from '../shared/booking-messages';
import { SeriesFailureTypes } from '../shared/series-messages';
import type { Logger } from './logger';

/** Refusals the caller is told about (409/422): expected outcomes, not faults of the system. */
const DOMAIN_REFUSALS = new Set<string>([...Object.values(FailureTypes), ...Object.values(SeriesFailureTypes)]);

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The domain refusal an error carries (an ApplicationFailure of a refusal type, or its cause), if any. */
export function domainRefusal(err: unknown): { type: string; message: string } | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure && e.type && DOMAIN_REFUSALS.has(e.type))
      return { type: e.type, message: e.message };
  }
  return undefined;
}

/**
 * The SDK's logger (worker, workflow and activity log lines, and the Rust core's when forwarded)
 * as pino JSON lines: one line each, with workflowId and runId when the line has them. A domain
 * refusal that fails an activity (slot conflict, policy) is an answer, not an incident: info,
 * without a stack.
 */
export function temporalLogger(logger: Logger): SdkLogger {
  const log = (level: LogLevel, message: string, meta: LogMetadata = {}): void => {
    const {
      [LogTimestamp]: _timestamp,
      error,
      err,
      workflowRunId,
      ...rest
    } = meta as LogMetadata & { error?: unknown; err?: unknown; workflowRunId?: string };
    const fields: Record<string, unknown> = { ...rest };
    if (workflowRunId !== undefined && fields.runId === undefined) fields.runId = workflowRunId;
    delete fields.taskToken;
    const failure = error ?? err;
    const refusal = domainRefusal(failure);
    let pinoLevel = PINO_LEVEL[level] ?? 'info';
    if (refusal) {
      fields.refusal = refusal;
      if (pinoLevel === 'warn' || pinoLevel === 'error') pinoLevel = 'info';
    } else if (failure !== undefined) {
      fields.err = failure;
    }
    logger[pinoLevel](fields, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
