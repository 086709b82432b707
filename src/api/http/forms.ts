import type { Context, Middleware } from 'koa';
import { AppError } from '../../domain/errors';

const FORM_LIMIT_BYTES = 4096;

/** Fields of an HTML form post (application/x-www-form-urlencoded), which the JSON body parser leaves unread. */
export async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) return new URLSearchParams();
  let raw = '';
  for await (const chunk of ctx.req) {
    raw += chunk;
    if (raw.length > FORM_LIMIT_BYTES) throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'The form is too large.');
  }
  return new URLSearchParams(raw);
}

/**
 * Lets a page's form post to a JSON route: the form's fields become the request body, which the
 * route's schema then validates like any JSON body. Only the named fields are taken.
 */
export function formAsBody(fields: readonly string[]): Middleware {
  return async (ctx, next) => {
    if (ctx.is('application/x-www-form-urlencoded')) {
      const form = await readForm(ctx);
      const body: Record<string, string> = {};
      for (const field of fields) {
        const value = form.get(field);
        if (value !== null) body[field] = value;
      }
      (ctx.request as { body?: unknown }).body = body;
    }
    await next();
  };
}

/** Whether the caller is a browser that wants a page back rather than JSON. */
export const wantsHtml = (ctx: Context): boolean => ctx.accepts('json', 'html') === 'html';

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export { escapeHtml };

/** A minimal page for links in mail: no scripts, not indexed. */
export const htmlPage = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>` +
  `<body style="font-family:sans-serif;max-width:40rem;margin:2rem auto">${body}</body></html>`;
