/**
 * Rejects with `message` when `promise` has not settled within `ms`. The timer is cleared as soon
 * as the promise settles and never keeps the process alive, so a short-lived caller (a readiness
 * probe, a shutdown) does not linger for the full deadline.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
