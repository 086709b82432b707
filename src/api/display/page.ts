import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router from '@koa/router';
import { z } from 'zod';

const STATIC_DIR = join(__dirname, 'static');

// Read once at start: three small files that only change with a deploy.
const assets = {
  html: readFileSync(join(STATIC_DIR, 'display.html'), 'utf8'),
  'display.js': { body: readFileSync(join(STATIC_DIR, 'display.js'), 'utf8'), type: 'text/javascript; charset=utf-8' },
  'display.css': { body: readFileSync(join(STATIC_DIR, 'display.css'), 'utf8'), type: 'text/css; charset=utf-8' },
} as const;

const roomIdSchema = z.string().uuid();

// The page talks to its own origin only (REST and the Socket.IO connection) and runs no inline script.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The room display: GET /display/:roomId#token=<display token>. The token stays in the URL
 * fragment, which browsers never send to a server or put in a Referer; the page reads it and
 * sends it as a bearer token and in the Socket.IO handshake.
 */
export function displayPageRouter(): Router {
  const router = new Router();
  router.get('/display/assets/:file', (ctx) => {
    const asset =
      ctx.params.file === 'display.js' || ctx.params.file === 'display.css' ? assets[ctx.params.file] : undefined;
    if (!asset) return ctx.throw(404, 'No such asset.');
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = asset.body;
  });
  router.get('/display/:roomId', (ctx) => {
    if (!roomIdSchema.safeParse(ctx.params.roomId).success)
      return ctx.throw(404, 'No such room display: the path needs a room id (uuid).');
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = assets.html;
  });
  return router;
}
