import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Router from '@koa/router';

const STATIC_DIR = join(__dirname, 'static');
// Chart.js's own browser build, served from node_modules (no CDN: the page works offline).
const CHART_JS = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');

// Read once at start: small files that only change with a deploy.
const html = readFileSync(join(STATIC_DIR, 'insights.html'), 'utf8');
const assets: Record<string, { body: string; type: string }> = {
  'insights.js': {
    body: readFileSync(join(STATIC_DIR, 'insights.js'), 'utf8'),
    type: 'text/javascript; charset=utf-8',
  },
  'insights.css': { body: readFileSync(join(STATIC_DIR, 'insights.css'), 'utf8'), type: 'text/css; charset=utf-8' },
  'chart.umd.min.js': { body: readFileSync(CHART_JS, 'utf8'), type: 'text/javascript; charset=utf-8' },
};

// Own origin only, no inline script; Chart.js sets inline styles on its canvases, and the heatmap
// colours its cells through the style property (not markup), which style-src 'unsafe-inline' allows.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The staff insights page: GET /insights, signed in with the API's own access token (in the
 * fragment, #token=..., which browsers never send to a server, or by email and password). The
 * page is public; the figures it draws come from GET /api/v1/insights/rooms, which is staff only.
 */
export function insightsPageRouter(): Router {
  const router = new Router();
  router.get('/insights/assets/:file', (ctx) => {
    const asset = Object.hasOwn(assets, ctx.params.file) ? assets[ctx.params.file] : undefined;
    if (!asset) return ctx.throw(404, 'No such asset.');
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = asset.body;
  });
  router.get('/insights', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = html;
  });
  return router;
}
