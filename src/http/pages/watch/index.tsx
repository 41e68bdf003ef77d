// The watch floor (`/`): one screen a watch officer reads across a room. Mission functions as
// tiles, assets by kind and region, open incidents with the officer's actions, running drills
// unmistakably marked, next passes per station, and a world map. Rendered on the server; the
// live script (/assets/live.js) patches it from /events/stream without reloading.
import { Hono, type Context } from 'hono';
import { INCIDENT_UPDATE_STATUSES, UPDATE_VISIBILITIES, type IncidentUpdateStatus, type UpdateVisibility } from '../../../core/domain/enums.js';
import { AppError } from '../../../core/domain/errors.js';
import { acknowledgeIncident } from '../../../core/services/incidents.js';
import { addIncidentUpdate } from '../../../core/services/incident-lifecycle.js';
import type { SessionInfo } from '../../../core/services/sessions.js';
import { cachedRead } from '../../../core/services/read-models/read-cache.js';
import { loadWatchFloor, watchFloorJson } from '../../../core/services/read-models/watch-floor.js';
import { Layout } from '../layout.js';
import { pageContext, requirePage, verifyCsrf, type PageEnv } from '../session.js';
import { WatchFloor } from './floor.js';
import { AssetDetail } from './asset-page.js';
import { loadAssetPage } from '../../../core/services/read-models/asset-page.js';
import { NotFoundError } from '../../../core/domain/errors.js';
import { MAX_MESSAGE } from './incident-card.js';
import { loadAlliedPicture } from '../../../core/services/allied.js';

function Message(props: { session: SessionInfo | null; title: string; text: string }) {
  return (
    <Layout title={props.title} session={props.session}>
      <h1>{props.title}</h1>
      <p class="error" role="alert">
        {props.text}
      </p>
      <p>
        <a href="/">Back to the watch floor</a>
      </p>
    </Layout>
  );
}

function incidentId(c: Context<PageEnv>): number | null {
  const raw = c.req.param('id') ?? '';
  return /^\d{1,12}$/.test(raw) ? Number(raw) : null;
}

/** A refused form: a page that says why (the API's error shape is for API clients). */
async function refusal(c: Context<PageEnv>, status: 400 | 403 | 404 | 409 | 422, text: string) {
  const body = await (<Message session={c.get('session')} title="Not done" text={text} />).toString();
  return c.html(body, status);
}

async function runAction(c: Context<PageEnv>, action: () => Promise<unknown>, anchor: string) {
  try {
    await action();
  } catch (err) {
    if (err instanceof AppError && (err.status === 400 || err.status === 403 || err.status === 404 || err.status === 409 || err.status === 422)) {
      return refusal(c, err.status, err.message);
    }
    throw err;
  }
  return c.redirect(`/#${anchor}`, 303);
}

export const watchFloorPages = new Hono<PageEnv>();

/** Browsers ask for /favicon.ico on every page; a 404 there is a console error on each. */
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#2fb36c"/><path d="M4 8h8M8 4v8" stroke="#0f1419" stroke-width="2"/></svg>';
watchFloorPages.get('/favicon.ico', (c) => c.body(FAVICON, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' }));

watchFloorPages.get('/', requirePage('read'), async (c) => {
  const started = performance.now();
  const session = c.get('session')!;
  const data = await loadWatchFloor(pageContext(c));
  const allied = await loadAlliedPicture(pageContext(c));
  const html = (
    <Layout title="Watch floor" session={session} scripts={['live.js']} bodyClass="watch">
      <WatchFloor data={data} session={session} allied={allied} />
    </Layout>
  );
  const body = await html.toString();
  c.header('Server-Timing', `render;dur=${(performance.now() - started).toFixed(1)}`);
  c.header('Cache-Control', 'no-store');
  return c.html(body);
});

watchFloorPages.get('/asset/:key', requirePage('read'), async (c) => {
  const session = c.get('session')!;
  const key = c.req.param('key');
  let data;
  try {
    data = await loadAssetPage(pageContext(c), key);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    return c.html(await (<Message session={session} title="Not found" text={`No asset with key "${key}".`} />).toString(), 404);
  }
  c.header('Cache-Control', 'no-store');
  return c.html(
    <Layout title={data.asset.name} session={session} bodyClass="watch">
      <AssetDetail data={data} />
      <p>
        <a href="/">Back to the watch floor</a>
      </p>
    </Layout>,
  );
});

/**
 * The watch floor's data as JSON, for scripts and other screens (same sign-in, same content):
 * assets as a table (`assetFields` once, then one array per asset), see watchFloorJson.
 */
watchFloorPages.get('/watch.json', requirePage('read'), async (c) => {
  const ctx = pageContext(c);
  // The same for every reader: reused while the database is unchanged within the second (cachedRead).
  const body = await cachedRead(ctx.db, 'watch.json', ctx.now(), async () => watchFloorJson(await loadWatchFloor(ctx)));
  return c.body(body, 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
});

watchFloorPages.post('/incidents/:id/ack', requirePage('handleIncidents'), async (c) => {
  const form = await c.req.parseBody();
  if (!(await verifyCsrf(c, form))) return refusal(c, 403, 'The form had expired or did not come from this site; reload the page and try again.');
  const id = incidentId(c);
  if (id === null) return refusal(c, 404, 'No such incident.');
  return runAction(c, () => acknowledgeIncident(pageContext(c), id), `incident-${id}`);
});

watchFloorPages.post('/incidents/:id/updates', requirePage('handleIncidents'), async (c) => {
  const form = await c.req.parseBody();
  if (!(await verifyCsrf(c, form))) return refusal(c, 403, 'The form had expired or did not come from this site; reload the page and try again.');
  const id = incidentId(c);
  if (id === null) return refusal(c, 404, 'No such incident.');
  const status = form.status;
  const message = typeof form.message === 'string' ? form.message.trim() : '';
  if (typeof status !== 'string' || !(INCIDENT_UPDATE_STATUSES as readonly string[]).includes(status)) {
    return refusal(c, 400, `The status must be one of ${INCIDENT_UPDATE_STATUSES.join(', ')}.`);
  }
  if (!message || message.length > MAX_MESSAGE) return refusal(c, 400, `The update needs a message of 1 to ${MAX_MESSAGE} characters.`);
  const visibility = form.visibility ?? 'internal';
  if (typeof visibility !== 'string' || !(UPDATE_VISIBILITIES as readonly string[]).includes(visibility)) {
    return refusal(c, 400, `The visibility must be one of ${UPDATE_VISIBILITIES.join(', ')}.`);
  }
  const update = { status: status as IncidentUpdateStatus, message, visibility: visibility as UpdateVisibility };
  return runAction(c, () => addIncidentUpdate(pageContext(c), id, update), `incident-${id}`);
});
