// The watch floor (`/`): one screen a watch officer reads across a room. Mission functions as
// tiles, assets by kind and region, open incidents with the officer's actions, running drills
// unmistakably marked, next passes per station, and a world map. Rendered on the server; the
// live script (/assets/live.js) patches it from /events/stream without reloading.
import { Hono, type Context } from 'hono';
import { INCIDENT_UPDATE_STATUSES, ASSET_KINDS, type AssetKind, type IncidentUpdateStatus } from '../../../core/domain/enums.js';
import { AppError } from '../../../core/domain/errors.js';
import { roleAtLeast } from '../../../core/domain/roles.js';
import { acknowledgeIncident, addIncidentUpdate } from '../../../core/services/incidents.js';
import type { SessionInfo } from '../../../core/services/sessions.js';
import { cachedRead } from '../../../core/services/read-models/read-cache.js';
import { Layout } from '../layout.js';
import { pageContext, requirePage, verifyCsrf, type PageEnv } from '../session.js';
import { loadWatchFloor, watchAssets, watchFloorJson, type WatchAsset, type WatchDrill, type WatchFloorData, type WatchFunction, type WatchIncident } from '../../../core/services/read-models/watch-floor.js';
import { WorldMap } from './world-map.js';

const KIND_LABELS: Record<AssetKind, string> = {
  ground_station: 'Ground stations',
  mission_ops_center: 'Mission operations centres',
  cloud_region: 'Cloud regions',
  network_link: 'Network links',
  service: 'Services',
  datacenter: 'Data centres',
  power_feed: 'Power feeds',
};
const TIER_ORDER = { PMEF: 0, MEF: 1, supporting: 2 } as const;
const MAX_MESSAGE = 2000;

const clock = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;
const dayAndClock = (ms: number, now: number) => {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? clock(ms) : `${iso.slice(5, 10)} ${iso.slice(11, 16)} UTC`;
};
const isoTimeOf = (ms: number) => new Date(ms).toISOString();
/** A pass time without the zone (the column says UTC); the date only when it is not today. */
const passTime = (ms: number, now: number) => dayAndClock(ms, now).replace(' UTC', '');

function relative(ms: number, now: number): string {
  const minutes = Math.round((ms - now) / 60_000);
  if (Math.abs(minutes) < 1) return 'now';
  const span = Math.abs(minutes) >= 120 ? `${Math.round(Math.abs(minutes) / 60)} h` : `${Math.abs(minutes)} min`;
  return minutes > 0 ? `in ${span}` : `${span} ago`;
}

function Status(props: { status: string }) {
  return (
    <span class={`status s-${props.status}`} data-role="status">
      {props.status}
    </span>
  );
}

function DrillTag(props: { runId: number | null }) {
  return props.runId === null ? null : (
    <span class="drill-tag" title={`Affected by drill run ${props.runId}: not a real outage`}>
      DRILL
    </span>
  );
}

/** "Positioning/navigation monitoring" may wrap after the slash rather than mid-word. */
function breakAfterSlashes(name: string) {
  return name.split('/').flatMap((part, i) => (i ? ['/', <wbr />, part] : [part]));
}

function FunctionTile({ fn, now }: { fn: WatchFunction; now: number }) {
  // Groups at full strength say nothing at a glance; those short of members do.
  const short = fn.groups.filter((g) => g.available < g.n);
  return (
    <li class={`tile st-${fn.status}`} data-subject="function" data-key={fn.key} data-status={fn.status} data-redundancy={fn.redundancy}>
      <div class="tile-head">
        <h3 class="tile-name">{breakAfterSlashes(fn.name)}</h3>
        <span class="tier">{fn.tier}</span>
      </div>
      <div class="tile-state">
        <Status status={fn.status} />
        <span class={`redundancy r-${fn.redundancy}`} data-role="redundancy">
          Redundancy: <strong>{fn.redundancy}</strong>
        </span>
        <DrillTag runId={fn.drillRunId} />
      </div>
      {short.length ? (
        <ul class="groups">
          {short.map((g) => (
            <li class={g.available < g.k ? 'g-below' : g.available === g.k ? 'g-spof' : 'g-short'}>
              {g.name}: {g.available} of {g.n} available, needs {g.k}
            </li>
          ))}
        </ul>
      ) : (
        <p class="groups">
          {fn.groups.length === 1 ? 'Its one group is' : `All ${fn.groups.length} groups are`} at full strength
        </p>
      )}
      <p class="tile-foot muted">
        RTO {Math.round(fn.rtoSeconds / 60)} min{fn.since ? ` · since ${dayAndClock(Date.parse(fn.since), now)}` : ''}
        {fn.commonModeRisks ? ` · ${fn.commonModeRisks} common-mode risk${fn.commonModeRisks > 1 ? 's' : ''}` : ''}
      </p>
    </li>
  );
}

function AssetTables({ assets }: { assets: WatchAsset[] }) {
  const kinds = ASSET_KINDS.filter((k) => assets.some((a) => a.kind === k));
  return (
    <div class="asset-groups">
      {kinds.map((kind) => {
        const ofKind = assets.filter((a) => a.kind === kind);
        const regions = [...new Set(ofKind.map((a) => a.region ?? ''))].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
        const headingId = `kind-${kind}`;
        return (
          <section class="asset-kind" aria-labelledby={headingId}>
            <h3 id={headingId}>
              {KIND_LABELS[kind]} <span class="muted">({ofKind.length})</span>
            </h3>
            <table class="assets">
              <thead>
                <tr>
                  <th scope="col">Asset</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">Latency</th>
                </tr>
              </thead>
              {regions.map((region) => (
                <tbody>
                  <tr class="region-row">
                    <th scope="colgroup" colspan={3}>
                      {region || 'No region'}
                    </th>
                  </tr>
                  {ofKind
                    .filter((a) => (a.region ?? '') === region)
                    .sort((a, b) => a.name.localeCompare(b.name))
                    .map((a) => (
                      <tr class={`asset-row st-${a.status}`} data-subject="asset" data-key={a.key} data-status={a.status}>
                        <td>
                          <DrillTag runId={a.drillRunId} />
                          {a.drillRunId !== null ? ' ' : ''}
                          {a.warnings.length ? (
                            <span class="warn" title={a.warnings.join('; ')}>
                              ⚠{' '}
                            </span>
                          ) : null}
                          <span class="asset-name" title={a.name}>
                            {a.name}
                          </span>
                        </td>
                        <td title={a.reason ?? undefined}>
                          <Status status={a.status} />
                        </td>
                        <td class="num" data-role="latency">
                          {a.latencyMs === null || a.status === 'down' ? '—' : `${Math.round(a.latencyMs)} ms`}
                        </td>
                      </tr>
                    ))}
                </tbody>
              ))}
            </table>
          </section>
        );
      })}
    </div>
  );
}

function DrillBanner({ drill, now }: { drill: WatchDrill; now: number }) {
  return (
    <div class="drill-banner" data-drill-run={String(drill.runId)} role="status">
      <span class="drill-what">
        Drill in progress, not a real outage: {drill.drillName}
        {drill.drillName.toLowerCase().includes(drill.mode) ? '' : ` (${drill.mode})`}
      </span>
      <span class="drill-detail">
        Targets: {drill.targets.map((t) => t.name).join(', ') || 'none'}
        {drill.functionNames.length ? ` · functions: ${drill.functionNames.join(', ')}` : ''} · phase {drill.phase.replace('_', ' ')}
        {drill.startedAt !== null ? ` · started ${clock(drill.startedAt)} (${relative(drill.startedAt, now)})` : ''} · run {drill.runId}
      </span>
    </div>
  );
}

function IncidentCard({ incident, session, now }: { incident: WatchIncident; session: SessionInfo; now: number }) {
  const canAct = roleAtLeast(session.actor.role, 'officer');
  const id = incident.id;
  const opened = Date.parse(incident.openedAt);
  return (
    <li class={`incident sev-${incident.severity}`} id={`incident-${id}`} data-incident={String(id)}>
      <h3 class="incident-title">{incident.title}</h3>
      <p class="incident-meta">
        <span class={`severity sev-${incident.severity}`}>{incident.severity}</span> · opened{' '}
        <time datetime={incident.openedAt}>{dayAndClock(opened, now)}</time> ({relative(opened, now)})
        {incident.assetName ? ` · ${incident.assetName}` : ''}
      </p>
      {incident.functionNames.length ? <p class="incident-functions">Affects: {incident.functionNames.join(', ')}</p> : null}
      <p class="incident-ack">
        {incident.acknowledgedAt ? (
          <span class="acked">✔ Acknowledged by {incident.acknowledgedBy ?? 'someone'} at {clock(Date.parse(incident.acknowledgedAt))}</span>
        ) : (
          <span class="unacked">● Not acknowledged</span>
        )}
      </p>
      {incident.latestUpdate ? (
        <p class="incident-update">
          <strong>{incident.latestUpdate.status}</strong>: {incident.latestUpdate.message}{' '}
          <span class="muted">
            — {incident.latestUpdate.author}, {clock(incident.latestUpdate.at)}
            {incident.updateCount > 1 ? ` (${incident.updateCount} updates)` : ''}
          </span>
        </p>
      ) : null}
      {canAct ? (
        <div class="incident-actions">
          {incident.acknowledgedAt ? null : (
            <form method="post" action={`/incidents/${id}/ack`} class="ack-form">
              <input type="hidden" name="_csrf" value={session.csrf} />
              <button type="submit" id={`ack-${id}`} class="primary">
                Acknowledge
              </button>
            </form>
          )}
          <form method="post" action={`/incidents/${id}/updates`} class="update-form">
            <input type="hidden" name="_csrf" value={session.csrf} />
            <label for={`update-status-${id}`}>Status</label>
            <select id={`update-status-${id}`} name="status">
              {INCIDENT_UPDATE_STATUSES.map((s) => (
                <option value={s} selected={s === (incident.latestUpdate?.status ?? 'investigating')}>
                  {s}
                </option>
              ))}
            </select>
            <label for={`update-message-${id}`}>Update</label>
            <input id={`update-message-${id}`} name="message" type="text" required maxlength={MAX_MESSAGE} autocomplete="off" />
            <button type="submit" id={`update-${id}`}>
              Add update
            </button>
          </form>
        </div>
      ) : null}
    </li>
  );
}

function Passes({ data }: { data: WatchFloorData }) {
  if (!data.passes.length) return <p class="muted">No ground station has contact checks.</p>;
  return (
    <table class="passes">
      <thead>
        <tr>
          <th scope="col">Station</th>
          <th scope="col">Satellite</th>
          <th scope="col">AOS (UTC)</th>
          <th scope="col">LOS (UTC)</th>
          <th scope="col" class="num">Max el.</th>
        </tr>
      </thead>
      <tbody>
        {data.passes.flatMap((station) =>
          station.passes.length
            ? station.passes.map((p, i) => (
                <tr data-station={station.stationKey}>
                  {i === 0 ? (
                    <th scope="row" rowspan={station.passes.length}>
                      {station.stationName}
                    </th>
                  ) : null}
                  <td class="sat" title={p.satelliteName}>
                    {p.satelliteName.replace(/\s*\(.*\)\s*$/, '')}
                  </td>
                  <td>
                    <time datetime={isoTimeOf(p.aosMs)}>{passTime(p.aosMs, data.now)}</time>{' '}
                    <span class="muted">{p.aosMs <= data.now ? '(in progress)' : `(${relative(p.aosMs, data.now)})`}</span>
                  </td>
                  <td>
                    <time datetime={isoTimeOf(p.losMs)}>{passTime(p.losMs, data.now)}</time>
                  </td>
                  <td class="num">{p.maxElevationDeg.toFixed(0)}°</td>
                </tr>
              ))
            : [
                <tr data-station={station.stationKey}>
                  <th scope="row">{station.stationName}</th>
                  <td colspan={4} class="muted">
                    No pass in the next 12 h
                  </td>
                </tr>,
              ],
        )}
      </tbody>
    </table>
  );
}

/** The assets that are not up, named, so a glance across the room finds them without scrolling. */
function Attention({ assets }: { assets: WatchAsset[] }) {
  const order = { down: 0, degraded: 1, maintenance: 2 } as Record<string, number>;
  const notUp = assets.filter((a) => a.status in order).sort((a, b) => order[a.status]! - order[b.status]! || a.name.localeCompare(b.name));
  if (!notUp.length) return <p class="attention muted">No asset is down, degraded or in maintenance.</p>;
  return (
    <p class="attention">
      <span class="attention-label">Not up:</span>{' '}
      {notUp.map((a) => (
        <span class={`attention-item st-${a.status}`}>
          <Status status={a.status} /> {a.name}
          {a.drillRunId !== null ? ' (drill)' : ''}
        </span>
      ))}
    </p>
  );
}

function Summary({ data, assets }: { data: WatchFloorData; assets: WatchAsset[] }) {
  const fnCount = (s: string) => data.functions.filter((f) => f.status === s).length;
  const assetCount = (s: string) => assets.filter((a) => a.status === s).length;
  const unacked = data.incidents.filter((i) => !i.acknowledgedAt).length;
  return (
    <p class="summary" id="wf-summary">
      <span class="sum-group">
        Functions: <span class="status s-operational">{fnCount('operational')} operational</span>{' '}
        <span class="status s-degraded">{fnCount('degraded')} degraded</span> <span class="status s-lost">{fnCount('lost')} lost</span>
      </span>
      <span class="sum-group">
        Assets: <span class="status s-up">{assetCount('up')} up</span> <span class="status s-degraded">{assetCount('degraded')} degraded</span>{' '}
        <span class="status s-down">{assetCount('down')} down</span>
        {assetCount('unknown') ? <span class="status s-unknown">{assetCount('unknown')} unknown</span> : null}
        {assetCount('maintenance') ? <span class="status s-maintenance">{assetCount('maintenance')} in maintenance</span> : null}
      </span>
      <span class="sum-group">
        Open incidents: <strong>{data.incidents.length}</strong>
        {unacked ? ` (${unacked} not acknowledged)` : ''}
      </span>
    </p>
  );
}

export function WatchFloor({ data, session }: { data: WatchFloorData; session: SessionInfo }) {
  const functions = [...data.functions].sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier] || a.name.localeCompare(b.name));
  const assets = watchAssets(data);
  return (
    <div class="watch-floor" id="watch-floor" data-last-event={String(data.lastEventId)} data-stream="/events/stream">
      <div class="wf-head">
        <h1>Watch floor</h1>
        <Summary data={data} assets={assets} />
        <p class="wf-clock muted">
          As of <time datetime={isoTimeOf(data.now)}>{new Date(data.now).toISOString().slice(11, 19)} UTC</time> ·{' '}
          <span id="live-state" class="live-state">
            live updates starting…
          </span>
        </p>
      </div>
      {data.drills.map((d) => (
        <DrillBanner drill={d} now={data.now} />
      ))}
      <Attention assets={assets} />
      <div class="wf-grid">
        <section class="wf-functions" aria-labelledby="h-functions">
          <h2 id="h-functions">Mission functions</h2>
          {functions.length ? (
            <ul class="tiles">
              {functions.map((fn) => (
                <FunctionTile fn={fn} now={data.now} />
              ))}
            </ul>
          ) : (
            <p class="muted">No mission functions defined.</p>
          )}
        </section>
        <section class="wf-incidents" aria-labelledby="h-incidents">
          <h2 id="h-incidents">Open incidents ({data.incidents.length})</h2>
          {data.incidents.length ? (
            <ul class="incidents">
              {data.incidents.map((i) => (
                <IncidentCard incident={i} session={session} now={data.now} />
              ))}
            </ul>
          ) : (
            <p class="muted">No open incidents.</p>
          )}
        </section>
        <section class="wf-map" aria-labelledby="h-map">
          <h2 id="h-map">World map</h2>
          <WorldMap assets={assets} />
          <p class="map-legend" aria-hidden="true">
            <span class="status s-up">up</span> <span class="status s-degraded">degraded</span> <span class="status s-down">down (dashed link)</span>{' '}
            <span class="status s-unknown">unknown</span> <span class="status s-maintenance">maintenance</span>
          </p>
        </section>
        <section class="wf-passes" aria-labelledby="h-passes">
          <h2 id="h-passes">Next satellite passes</h2>
          <Passes data={data} />
        </section>
        <section class="wf-assets" aria-labelledby="h-assets">
          <h2 id="h-assets">Assets</h2>
          <AssetTables assets={assets} />
        </section>
      </div>
    </div>
  );
}

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
  const html = (
    <Layout title="Watch floor" session={session} scripts={['live.js']} bodyClass="watch">
      <WatchFloor data={data} session={session} />
    </Layout>
  );
  const body = await html.toString();
  c.header('Server-Timing', `render;dur=${(performance.now() - started).toFixed(1)}`);
  c.header('Cache-Control', 'no-store');
  return c.html(body);
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
  return runAction(c, () => addIncidentUpdate(pageContext(c), id, { status: status as IncidentUpdateStatus, message }), `incident-${id}`);
});
