/**
 * An error meant for the client: its code, status and message are answered as they are.
 * Anything that is not an AppError (or is not operational) is a bug and is answered as a 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly operational = true,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError(400, 'VALIDATION_FAILED', message, details);
export const unauthorized = (message = 'Authentication required: send Authorization: Bearer <access token>.') =>
  new AppError(401, 'UNAUTHORIZED', message);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError(403, 'FORBIDDEN', message);
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} was not found.`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
export const policyViolation = (message: string, details?: unknown) =>
  new AppError(422, 'POLICY_VIOLATION', message, details);
export const unavailable = (dependency: string, message?: string) =>
  new AppError(
    503,
    'SERVICE_UNAVAILABLE',
    message ?? `${dependency} is unavailable; try again shortly.`,
    { dependency },
    true,
    { 'Retry-After': '5' },
  );
