import { Hono } from 'hono';
import { APP_CSS } from './app-css.js';
import { LIVE_JS } from './live-js.js';

/** Static assets as string modules: no build step, and the same on Node and Workers. */
const FILES: Record<string, { body: string; type: string }> = {
  'app.css': { body: APP_CSS, type: 'text/css; charset=utf-8' },
  'live.js': { body: LIVE_JS, type: 'text/javascript; charset=utf-8' },
};

export const assetRoutes = new Hono();
assetRoutes.get('/:name', (c) => {
  const file = FILES[c.req.param('name')];
  if (!file) return c.notFound();
  return c.body(file.body, 200, { 'content-type': file.type, 'cache-control': 'public, max-age=300' });
});
