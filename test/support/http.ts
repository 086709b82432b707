import type { TestUser } from './fixtures';
import type { TestStack } from './stack';

/** A response's body as JSON; anything else fails with the status and the start of what came back. */
export async function json(res: Response): Promise<any> {
  const text = await res.text();
  return parseJson(res, text);
}

function parseJson(res: Response, text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`Expected JSON from ${res.url} (status ${res.status}), got: ${text.slice(0, 200)}`);
  }
}

export interface ApiAnswer {
  status: number;
  /** The parsed JSON; undefined when there was no body (204). */
  body: any;
  headers: Headers;
}

export interface RequestOptions {
  /** Sent as JSON (with its content type). */
  body?: unknown;
  /** Calls as this user (their bearer token). */
  as?: Pick<TestUser, 'auth'>;
  /** A bearer token of any kind (an access token, a display token). */
  token?: string;
  headers?: Record<string, string>;
}

/**
 * The tests' one way to call the API: `path` under /api/v1, anonymously or with a token, a JSON
 * body in and the status, headers and JSON answer out. A body that is not JSON fails the test.
 */
export async function request(
  stack: Pick<TestStack, 'baseUrl'>,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<ApiAnswer> {
  const res = await fetch(`${stack.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(opts.as?.auth ?? {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : parseJson(res, text), headers: res.headers };
}

/** `request` in the booking tests' positional form: as `user`, always declaring a JSON body. */
export function call(
  stack: Pick<TestStack, 'baseUrl'>,
  user: Pick<TestUser, 'auth'> | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  return request(stack, method, path, { body, as: user, headers: { 'content-type': 'application/json', ...headers } });
}
