// Public status pages, no sign-in: `/status/{slug}` (HTML), `summary.json` (Statuspage shape),
// `feed.atom` and SVG badges. Everything here is built from `loadPublicStatus`, which shows only
// what the page lists.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../env.js';
import type { ComponentStatus, Indicator } from '../../../core/services/read-models/component-status.js';
import { loadPublicStatus, type PublicStatus, type PublicStatusOptions } from '../../../core/services/read-models/public-status.js';
import { badgeSvg } from './badge.js';
import { atomFeed } from './feed.js';
import { StatusNotFound, StatusPageView } from './page.js';
import { acceptsGzip, encodeBody, notModified } from './encoded-body.js';
import { summaryJson } from './summary.js';
import { cachedRead } from '../../../core/services/read-models/read-cache.js';
import { EMBEDDABLE_SECURITY_HEADERS, withHeaders } from '../../middleware/security-headers.js';

/**
 * Readers may be other sites' dashboards and pages: the machine-readable answers allow any origin
 * (CORS for fetch, Cross-Origin-Resource-Policy for embedding), found or not.
 */
const OPEN = { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=30' };
const JSON_OPEN = { ...OPEN, 'content-type': 'application/json' };

const embeddable = (body: string | Uint8Array | null, status: number, headers: Record<string, string>, init?: { encodeBody?: 'manual' }) =>
  withHeaders(body, status, EMBEDDABLE_SECURITY_HEADERS, headers, init);

async function load(c: Context<AppEnv>, options?: PublicStatusOptions): Promise<PublicStatus | null> {
  return loadPublicStatus(c.get('db'), c.req.param('slug') ?? '', c.get('now')(), options);
}

function pageUrl(c: Context<AppEnv>, slug: string): string {
  return `${new URL(c.req.url).origin}/status/${slug}`;
}

const notFoundJson = () =>
  embeddable(JSON.stringify({ error: { code: 'not_found', message: 'No such status page', details: [] } }), 404, {
    'access-control-allow-origin': '*',
    'content-type': 'application/json',
  });

/** The overall badge reads like the banner. */
function overallBadgeStatus(indicator: Indicator, worst: ComponentStatus): ComponentStatus {
  if (indicator === 'critical') return 'major_outage';
  if (indicator === 'major') return 'partial_outage';
  if (indicator === 'minor') return 'degraded_performance';
  return worst === 'under_maintenance' ? 'under_maintenance' : 'operational';
}

export const statusRoutes = new Hono<AppEnv>();

statusRoutes.get('/:slug', async (c) => {
  const status = await load(c);
  if (!status) return c.html(await (<StatusNotFound />).toString(), 404);
  const html = await (<StatusPageView status={status} base={`/status/${status.page.slug}`} />).toString();
  return c.html(html, 200, { 'cache-control': 'no-cache' });
});

// Read far more often than anything changes: the answer is reused while the database is
// unchanged (within the second, see cachedRead), already gzipped and with its ETag.
statusRoutes.get('/:slug/summary.json', async (c) => {
  const slug = c.req.param('slug') ?? '';
  const origin = new URL(c.req.url).origin;
  const body = await cachedRead(c.get('db'), `summary.json ${origin} ${slug}`, c.get('now')(), async () => {
    const status = await load(c, { uptime: false });
    return status ? encodeBody(JSON.stringify(summaryJson(status, pageUrl(c, status.page.slug)))) : null;
  });
  if (body === null) return notFoundJson();
  const headers = { ...JSON_OPEN, etag: body.etag, vary: 'Accept-Encoding' };
  if (notModified(c.req.header('if-none-match'), body.etag)) return embeddable(null, 304, headers);
  if (acceptsGzip(c.req.header('accept-encoding'))) {
    // Already encoded: Workers must not encode it again ('manual'); Node sends it as it is.
    return embeddable(body.gzip, 200, { ...headers, 'content-encoding': 'gzip' }, { encodeBody: 'manual' });
  }
  // Served many times per change: one plain header object, security headers included.
  return embeddable(body.text, 200, headers);
});

statusRoutes.get('/:slug/feed.atom', async (c) => {
  const status = await load(c, { uptime: false, incidentDays: 90 });
  if (!status) return notFoundJson();
  return embeddable(atomFeed(status, pageUrl(c, status.page.slug)), 200, { ...OPEN, 'content-type': 'application/atom+xml; charset=utf-8' });
});

const svg = (body: string, status: 200 | 404 = 200) =>
  embeddable(body, status, { ...OPEN, 'cache-control': 'no-cache, max-age=0', 'content-type': 'image/svg+xml; charset=utf-8' });

statusRoutes.get('/:slug/badge.svg', async (c) => {
  const status = await load(c, { uptime: false, incidentDays: 0 });
  if (!status) return svg(badgeSvg('status', 'unknown'), 404);
  return svg(badgeSvg('status', overallBadgeStatus(status.indicator, status.worst)));
});

// By the component's public id, as summary.json lists it (`components[].id`), not by its position.
statusRoutes.get('/:slug/components/:id/badge.svg', async (c) => {
  const id = c.req.param('id');
  const status = /^\d{1,15}$/.test(id) ? await load(c, { uptime: false, incidentDays: 0 }) : null;
  const component = status?.components.find((candidate) => candidate.id === id);
  if (!status || !component) return svg(badgeSvg('status', 'unknown'), 404);
  return svg(badgeSvg(component.name, component.known ? component.status : 'unknown'));
});
