import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout: one object per line, ISO time, the process's name. */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, base: { pid: process.pid, process: name }, timestamp: pino.stdTimeFunctions.isoTime });
}

/**
 * The last line of a process that cannot start (e.g. invalid configuration): still one JSON line,
 * written synchronously because the process exits right after.
 */
export function logFatal(name: string, err: unknown): void {
  pino(
    { name, base: { pid: process.pid, process: name }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ sync: true }),
  ).fatal({ err }, 'could not start');
}
