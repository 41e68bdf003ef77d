// The watch floor: through app.request for the stream and the escaping, then in a real browser
// (Debian's chromium) against the app served over loopback HTTP with the demo seed, the demo
// fleet simulator, the live monitor and the drill runner all running in this process.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { and, asc, desc, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { assets, assetStates, checks, events, incidents } from '../../src/core/store/schema/index.js';
import { recordEvent } from '../../src/core/store/events.js';
import { startDemoFleet, type DemoFleet } from '../../src/hosts/node/demo/fleet.js';
import { DrillRunner } from '../../src/core/drills/runner.js';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { openStreamCount } from '../../src/http/pages/stream.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { seedIfEmpty } from '../../src/core/services/bootstrap.js';
import { clientFor, createTestApp, ok, rawClient, waitFor, type TestApp } from '../helpers.js';
import { openBrowser, screenshot, seriousAccessibilityViolations, type TestBrowser } from '../support/browser.js';
import { freePort } from '../support/free-port.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO_SEED = fs.readFileSync(path.join(ROOT, 'seeds/demo.yaml'), 'utf8');

type Fetcher = (url: string, init?: RequestInit) => Promise<Response> | Response;

/** Signs in through the form; returns the session cookie (name=value). */
async function signIn(fetcher: Fetcher, token: string): Promise<string> {
  const res = await fetcher('/login', { method: 'POST', body: new URLSearchParams({ token, next: '/' }), redirect: 'manual' });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie');
  expect(cookie).toMatch(/HttpOnly/i);
  return cookie!.split(';')[0]!;
}

interface SseEvent {
  id?: string;
  event?: string;
  data?: any;
}

/** Reads server-sent events until `enough` says so (or the time runs out), then hangs up. */
async function readEvents(res: Response, enough: (seen: SseEvent[]) => boolean, timeoutMs = 5_000): Promise<{ events: SseEvent[]; raw: string }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: SseEvent[] = [];
  let buffer = '';
  let raw = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!enough(seen)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`stream: timed out with ${JSON.stringify(seen)}`);
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), left))]);
      if (chunk === null) continue;
      if (chunk.done) break;
      const text = decoder.decode(chunk.value, { stream: true });
      raw += text;
      buffer += text;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const ev: SseEvent = {};
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) ev.id = line.slice(4);
          else if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
        }
        if (ev.data !== undefined) seen.push(ev);
      }
    }
  } finally {
    await reader.cancel();
  }
  return { events: seen, raw };
}

const csrfOf = (html: string) => /name="_csrf" value="([0-9a-f]+)"/.exec(html)?.[1];

// ── through app.request ──────────────────────────────────────────────────────

describe('watch floor and event stream (app.request)', () => {
  let t: TestApp;
  let viewer: string;
  let officer: string;
  const request: Fetcher = (url, init) => t.app.request(url, init);

  beforeAll(async () => {
    t = await createTestApp();
    viewer = await signIn(request, t.tokens.viewer);
    officer = await signIn(request, t.tokens.officer);
  });
  afterAll(() => t?.close());

  it('sends people without a session to sign in, and refuses them the stream', async () => {
    const page = await t.app.request('/');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2F');
    expect((await t.app.request('/events/stream')).status).toBe(401);
    // a wrong bearer token is refused (a right one is accepted: stream-token.test.ts)
    expect((await t.app.request('/events/stream', { headers: { authorization: 'Bearer not-a-token-at-all' } })).status).toBe(401);
    expect((await t.app.request('/events/stream', { headers: { cookie: 'cw_session=forged.value' } })).status).toBe(401);
  });

  it('streams only the events after Last-Event-ID (or ?after=), as typed SSE with the new status, then follows new ones', async () => {
    const created = [];
    for (const key of ['gs-alpha', 'gs-bravo', 'gs-charlie']) {
      created.push(await ok(t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key } }), 201));
    }
    const rows = await t.sqlite.db.select().from(events).where(eq(events.type, 'asset.created')).orderBy(asc(events.id));
    const [first, second, third] = rows.slice(-3);
    // a state change with a status, as the monitor records it
    rawClient(t.sqlite)
      .prepare(`insert into events (ts, type, subject_kind, subject_id, subject_key, severity, drill_run_id, actor, data) values (?, 'asset.down', 'asset', ?, 'gs-charlie', 'major', 7, 'monitor', ?)`)
      .run(Date.now(), created[2].id, JSON.stringify({ status: 'down', previous: 'up', reason: 'secret detail' }));

    const res = await t.app.request('/events/stream?after=0', { headers: { cookie: viewer, 'last-event-id': String(first!.id) } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { events: caught, raw } = await readEvents(res, (seen) => seen.some((e) => e.event === 'asset.down'));
    expect(raw).toMatch(/^retry: \d+/);
    expect(caught.map((e) => Number(e.id))).toEqual([second!.id, third!.id, third!.id + 1]);
    expect(caught[0]).toMatchObject({ event: 'asset.created', data: { type: 'asset.created', subjectKind: 'asset', subjectKey: 'gs-bravo', drillRunId: null } });
    expect(caught[2]!.data).toMatchObject({ type: 'asset.down', subjectKey: 'gs-charlie', status: 'down', previous: 'up', drillRunId: 7, severity: 'major' });
    expect(caught[2]!.data.reason).toBeUndefined();

    // ?after= alone works the same way
    const after = await t.app.request(`/events/stream?after=${second!.id}`, { headers: { cookie: viewer } });
    const fromAfter = await readEvents(after, (seen) => seen.length >= 2);
    expect(fromAfter.events.map((e) => Number(e.id))).toEqual([third!.id, third!.id + 1]);

    // no cursor: only what happens from now on, picked up by polling
    const live = await t.app.request('/events/stream', { headers: { cookie: viewer } });
    const following = readEvents(live, (seen) => seen.some((e) => e.data.subjectKey === 'gs-delta'));
    await new Promise((r) => setTimeout(r, 400));
    await ok(t.call('POST', '/api/assets', { body: { key: 'gs-delta', kind: 'ground_station', name: 'Delta' } }), 201);
    const { events: fresh } = await following;
    expect(fresh.map((e) => e.data.subjectKey)).toEqual(['gs-delta']);

    // token events (credential names) are never streamed
    const all = await readEvents(await t.app.request('/events/stream?after=0', { headers: { cookie: viewer } }), (seen) => seen.some((e) => e.data.subjectKey === 'gs-delta'));
    expect(all.events.some((e) => String(e.event).startsWith('token.'))).toBe(false);
    // hanging up ends the server's loop
    await waitFor('streams closed', () => openStreamCount() === 0, 3_000);
  });

  it('escapes user-supplied text and sends the strict CSP', async () => {
    const evil = '<script>alert(1)</script>';
    const station = await ok(t.call('POST', '/api/assets', { body: { key: 'gs-evil', kind: 'ground_station', name: evil, region: '<b>r</b>', lat: 10, lon: 20 } }), 201);
    await ok(t.call('POST', '/api/functions', {
      body: { key: 'fn-evil', name: `Relay ${evil}`, tier: 'MEF', rtoSeconds: 60, mtdSeconds: 600, groups: [{ name: 'g', k: 1, members: [{ assetId: station.id }] }] },
    }), 201);
    rawClient(t.sqlite)
      .prepare(`insert into incidents (ref, asset_id, function_ids, state, severity, title, started_at, opened_at) values ('ref-evil', ?, '[]', 'open', 'major', ?, ?, ?)`)
      .run(station.id, `${evil} is down`, Date.now(), Date.now());
    const res = await t.app.request('/', { headers: { cookie: viewer } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain(evil);
    expect(html).not.toContain('<b>r</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('data-key="gs-evil"');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc="\/assets\/live\.js")[^>]*>/);
    expect(html).not.toMatch(/\sstyle="/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(res.headers.get('server-timing')).toMatch(/^render;dur=\d/);
  });

  it('shows the actions to officers only; the forms need the CSRF token and the officer role', async () => {
    const [incident] = await t.sqlite.db.select().from(incidents).where(eq(incidents.ref, 'ref-evil'));
    const asViewer = await (await t.app.request('/', { headers: { cookie: viewer } })).text();
    expect(asViewer).toContain(`id="incident-${incident!.id}"`);
    expect(asViewer).not.toContain(`action="/incidents/${incident!.id}/ack"`);
    expect(asViewer).not.toContain('name="message"');
    const asOfficer = await (await t.app.request('/', { headers: { cookie: officer } })).text();
    expect(asOfficer).toContain(`action="/incidents/${incident!.id}/ack"`);
    expect(asOfficer).toContain(`action="/incidents/${incident!.id}/updates"`);

    const post = (cookie: string, url: string, form: Record<string, string>) =>
      t.app.request(url, { method: 'POST', headers: { cookie }, body: new URLSearchParams(form), redirect: 'manual' });
    const viewerCsrf = csrfOf(asViewer)!;
    const officerCsrf = csrfOf(asOfficer)!;
    expect((await post(viewer, `/incidents/${incident!.id}/ack`, { _csrf: viewerCsrf })).status).toBe(403);
    expect((await post(officer, `/incidents/${incident!.id}/ack`, { _csrf: 'wrong' })).status).toBe(403);
    expect((await post(officer, `/incidents/${incident!.id}/ack`, { _csrf: viewerCsrf })).status).toBe(403);
    expect((await t.sqlite.db.select().from(incidents).where(eq(incidents.id, incident!.id)))[0]!.acknowledgedAt).toBeNull();
    expect((await post(officer, `/incidents/999999/ack`, { _csrf: officerCsrf })).status).toBe(404);
    expect((await post(officer, `/incidents/${incident!.id}/updates`, { _csrf: officerCsrf, status: 'bogus', message: 'x' })).status).toBe(400);
    expect((await post(officer, `/incidents/${incident!.id}/updates`, { _csrf: officerCsrf, status: 'identified', message: '   ' })).status).toBe(400);

    const acked = await post(officer, `/incidents/${incident!.id}/ack`, { _csrf: officerCsrf });
    expect(acked.status).toBe(303);
    expect(acked.headers.get('location')).toBe(`/#incident-${incident!.id}`);
    const updated = await post(officer, `/incidents/${incident!.id}/updates`, { _csrf: officerCsrf, status: 'identified', message: 'Antenna <drive> fault' });
    expect(updated.status).toBe(303);
    const after = await (await t.app.request('/', { headers: { cookie: viewer } })).text();
    expect(after).toMatch(/Acknowledged by token:test-officer/);
    expect(after).toContain('Antenna &lt;drive&gt; fault');
  });
});

// ── in a real browser ────────────────────────────────────────────────────────

describe('watch floor in a browser (demo seed, demo fleet, live monitor)', () => {
  let t: TestApp;
  let fleet: DemoFleet | undefined;
  let live: LiveMonitor | undefined;
  let runner: DrillRunner | undefined;
  let server: ReturnType<typeof serve> | undefined;
  let browser: TestBrowser | undefined;
  const runtime = createNodeProbeRuntime();
  let base = '';
  let api: TestApp['call'];
  const idOf = new Map<string, number>();
  const streamRequests: Array<{ at: number; lastEventId: string | null }> = [];
  const markNoReload = () => browser!.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  const notReloaded = () => browser!.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);

  beforeAll(async () => {
    t = await createTestApp();
    const fleetPort = await freePort();
    const seeded = await seedIfEmpty(t.ctx, DEMO_SEED, { DEMO_FLEET_URL: `http://127.0.0.1:${fleetPort}` });
    expect(seeded).not.toBeNull();
    const app = createApp({
      database: () => t.sqlite.db,
      drills: { startRun: (c, id) => runner!.startRun(c, id), abortRun: (c, id, why) => runner!.abortRun(c, id, why) },
      demoFleet: { setFault: (key, mode) => fleet?.setFault(key, mode), faults: () => fleet?.faults() ?? {} },
    });
    api = clientFor(app, t.tokens);
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      // Stream requests are noted, to see the browser reconnect with Last-Event-ID.
      const fetchAndNote = (req: Request, env?: unknown) => {
        if (new URL(req.url).pathname === '/events/stream') streamRequests.push({ at: Date.now(), lastEventId: req.headers.get('last-event-id') });
        return app.fetch(req, env as Record<string, unknown>);
      };
      const s = serve({ fetch: fetchAndNote, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // The demo fleet plays every seeded asset, as the Node runtime starts it.
    const rows = await t.sqlite.db.select().from(assets).orderBy(asc(assets.id));
    for (const a of rows) idOf.set(a.key, a.id);
    const push = await t.sqlite.db.select({ assetId: checks.assetId, token: checks.pushToken, intervalSeconds: checks.intervalSeconds }).from(checks).where(isNotNull(checks.pushToken));
    const keyOf = new Map(rows.map((a) => [a.id, a.key]));
    const tagValue = (tags: string[], name: string) => tags.find((tag) => tag.startsWith(`${name}:`))?.slice(name.length + 1);
    fleet = await startDemoFleet({
      port: fleetPort,
      assets: rows.map((a) => ({ key: a.key, kind: a.kind, lat: a.lat, lon: a.lon, sla: { latencyMs: a.slaLatencyMs, jitterMs: a.slaJitterMs, lossPct: a.slaLossPct } })),
      failover: rows.flatMap((a) => {
        const primary = tagValue(a.tags, 'failover-primary');
        const alternate = tagValue(a.tags, 'failover-alternate');
        return primary && alternate ? [{ functionKey: a.key, primaryAssetKey: primary, alternateAssetKey: alternate, delayMs: 3_000 }] : [];
      }),
      push: push.map((c) => ({ assetKey: keyOf.get(c.assetId)!, url: `${base}/api/push/${c.token}`, intervalMs: Math.max(1, Math.floor((c.intervalSeconds ?? 60) / 2)) * 1000 })),
    });
    live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200 });
    runner = new DrillRunner({ db: t.sqlite.db, live, tickMs: 200 });
    runner.start();
    browser = await openBrowser({ width: 1920, height: 1080 });
  });

  afterAll(async () => {
    await browser?.close();
    runner?.stop();
    await live?.stop();
    await runtime.close();
    await fleet?.close();
    if (server) {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    t?.close();
  });

  const assetStatus = async (key: string) => (await ok(api('GET', `/api/assets/${idOf.get(key)}`))).status as string;
  const rowStatus = (key: string) => browser!.page.getAttribute(`[data-subject="asset"][data-key="${key}"]`, 'data-status');

  it('signs in with a token and shows every mission function and asset', async () => {
    const { page, errors } = browser!;
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name="token"]', t.tokens.officer);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
    await page.waitForSelector('#live-state.live-on');

    const functionList = (await ok(api('GET', '/api/functions?limit=200'))).items as Array<{
      key: string; singlePointsOfFailure: Array<{ key: string }>; standing: Array<{ members: Array<{ key: string; status: string }> }>;
    }>;
    const functionKeys = functionList.map((f) => f.key).sort();
    const tiles = await page.$$eval('.tile[data-subject="function"]', (els) => els.map((e) => ({ key: e.getAttribute('data-key'), status: e.getAttribute('data-status'), text: e.textContent })));
    expect(tiles.map((tile) => tile.key).sort()).toEqual(functionKeys);
    for (const tile of tiles) {
      expect(['operational', 'degraded', 'lost']).toContain(tile.status);
      expect(tile.text).toMatch(/Redundancy: (N|N-1|SPOF|none)/);
      expect(tile.text).toMatch(/PMEF|MEF|supporting/);
    }
    // each tile names the single points of failure the API names, and lists every group member with its status
    expect(functionList.some((f) => f.singlePointsOfFailure.length > 0)).toBe(true);
    for (const f of functionList) {
      const tile = `.tile[data-subject="function"][data-key="${f.key}"]`;
      expect(await page.$$eval(`${tile} [data-spof]`, (els) => els.map((e) => e.getAttribute('data-spof')))).toEqual(f.singlePointsOfFailure.map((m) => m.key));
      if (f.singlePointsOfFailure.length) expect(await page.textContent(`${tile} [data-role="spof"]`)).toMatch(/^Spares N: none left; single points? of failure /);
      const members = await page.$$eval(`${tile} [data-member]`, (els) => els.map((e) => e.getAttribute('data-member')));
      expect(members).toEqual(f.standing.flatMap((g) => g.members.map((m) => m.key)));
    }
    const rowKeys = await page.$$eval('tr[data-subject="asset"]', (els) => els.map((e) => e.getAttribute('data-key')));
    expect(rowKeys.sort()).toEqual([...idOf.keys()].sort());
    expect(await page.locator('svg.world-map[role="img"]').getAttribute('aria-label')).toMatch(/World map of \d+ located assets and \d+ links/);
    expect(await page.locator('svg.world-map circle.map-dot').count()).toBeGreaterThan(10);
    expect(await page.locator('svg.world-map path.map-link').count()).toBeGreaterThan(10);
    // three stations follow satellites with contact checks: two passes each, or a note
    expect(await page.locator('table.passes tr[data-station]').count()).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual([]);

    // server render time of / for the demo seed (measured, not asserted)
    const cookie = (await browser!.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const timings: number[] = [];
    for (let i = 0; i < 15; i++) {
      const res = await fetch(`${base}/`, { headers: { cookie } });
      await res.text();
      timings.push(Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]));
    }
    const sorted = [...timings].sort((a, b) => a - b);
    console.log(`[watch-floor] server render of / (demo seed, ${idOf.size} assets): median ${sorted[7]} ms, min ${sorted[0]} ms, max ${sorted[14]} ms`);
  });

  it('turns the faulted asset red once the state changes, without a reload', async () => {
    const { page, errors } = browser!;
    const tokyo = 'aws-ap-northeast-1';
    await waitFor('Tokyo up', async () => (await assetStatus(tokyo)) === 'up', 15_000, 200);
    await page.waitForFunction((k) => document.querySelector(`[data-subject="asset"][data-key="${k}"]`)?.getAttribute('data-status') === 'up', tokyo, { timeout: 10_000 });
    await markNoReload();

    const since = Date.now();
    await ok(api('POST', `/api/demo/assets/${tokyo}/fault`, { body: { mode: 'down' } }));
    const seenAt = await (
      await page.waitForFunction(
        (k) => document.querySelector(`[data-subject="asset"][data-key="${k}"]`)?.getAttribute('data-status') === 'down' && Date.now(),
        tokyo,
        { timeout: 15_000, polling: 50 },
      )
    ).jsonValue();
    const [down] = await t.sqlite.db.select().from(events).where(and(eq(events.type, 'asset.down'), eq(events.subjectKey, tokyo))).orderBy(asc(events.id));
    expect(down!.ts).toBeGreaterThanOrEqual(since);
    console.log(`[watch-floor] Tokyo down: stored ${down!.ts - since} ms after the fault, shown ${Number(seenAt) - down!.ts} ms after it was stored`);
    // How fast is reported, not asserted (speed goals belong to the benchmarks); that it arrives
    // without a reload is asserted below.

    const row = page.locator(`[data-subject="asset"][data-key="${tokyo}"]`);
    expect(await row.locator('[data-role="status"]').textContent()).toBe('down');
    expect(await row.locator('.status.s-down').count()).toBe(1);
    expect(await page.locator(`.map-dot[data-asset="${tokyo}"]`).getAttribute('class')).toContain('d-down');
    // the relay lost its spare region
    await page.waitForFunction(() => document.querySelector('[data-subject="function"][data-key="missile-warning-relay"]')?.getAttribute('data-status') !== 'operational', null, { timeout: 5_000 });
    expect(await notReloaded()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('lets an officer acknowledge the incident and add an update from the page', async () => {
    const { page, errors } = browser!;
    const incident = await waitFor('Tokyo incident', async () => {
      const [row] = await t.sqlite.db.select().from(incidents).where(eq(incidents.assetId, idOf.get('aws-ap-northeast-1')!));
      return row;
    });
    const card = page.locator(`#incident-${incident.id}`);
    await card.waitFor({ timeout: 5_000 });
    expect(await card.textContent()).toMatch(/Not acknowledged/);
    await Promise.all([page.waitForURL(`${base}/#incident-${incident.id}`), card.locator('button', { hasText: 'Acknowledge' }).click()]);
    await page.waitForSelector(`#incident-${incident.id} .acked`);
    expect(await page.locator(`#incident-${incident.id} .acked`).textContent()).toMatch(/Acknowledged by token:test-officer/);
    const [acked] = await t.sqlite.db.select().from(incidents).where(eq(incidents.id, incident.id));
    expect(acked!.acknowledgedAt).not.toBeNull();
    expect(acked!.acknowledgedBy).toBe('token:test-officer');

    await page.selectOption(`#update-status-${incident.id}`, 'identified');
    // an event that makes the page re-read itself arrives while the officer is choosing: the choice stays
    const before = Number(await page.evaluate(() => document.documentElement.getAttribute('data-live-event') ?? '0'));
    await ok(api('POST', '/api/scenarios', { token: t.tokens.planner, body: { key: 'mid-edit', name: 'Arrives mid-edit', kind: 'power', params: { gridRegion: 'JP-TK', outageHours: 1 } } }), 201);
    await page.waitForFunction((n) => Number(document.documentElement.getAttribute('data-live-event') ?? '0') > n, before, { timeout: 5_000 });
    await page.waitForTimeout(1_000);
    expect(await page.inputValue(`#update-status-${incident.id}`)).toBe('identified');
    await page.fill(`#update-message-${incident.id}`, 'Tokyo region unreachable; relay running on Osaka');
    await Promise.all([page.waitForURL(`${base}/#incident-${incident.id}`), page.click(`#update-${incident.id}`)]);
    await page.waitForSelector(`#incident-${incident.id} .incident-update`);
    expect(await page.locator(`#incident-${incident.id} .incident-update`).textContent()).toMatch(/identified: Tokyo region unreachable/);

    // a viewer sees the incident but no forms
    const viewerContext = await browser!.browser.newContext({ viewport: { width: 1366, height: 768 } });
    try {
      const viewerPage = await viewerContext.newPage();
      await viewerPage.goto(`${base}/login`);
      await viewerPage.fill('input[name="token"]', t.tokens.viewer);
      await Promise.all([viewerPage.waitForURL(`${base}/`), viewerPage.click('button[type="submit"]')]);
      expect(await viewerPage.locator(`#incident-${incident.id}`).count()).toBe(1);
      expect(await viewerPage.locator('form[action^="/incidents/"]').count()).toBe(0);
    } finally {
      await viewerContext.close();
    }
    expect(errors).toEqual([]);
  });

  it('labels a running drill as a drill, live, and passes axe-core; screenshots', async () => {
    const { page, errors } = browser!;
    const cable = 'link-svalbard-cable-1';
    await markNoReload();
    const drill = await ok(api('POST', '/api/drills', {
      token: t.tokens.planner,
      body: {
        key: 'svalbard-cable-browser', name: 'Svalbard cable cut', targetAssetIds: [idOf.get(cable)], mode: 'simulated', exerciseType: 'functional',
        guardrails: { maxDurationSeconds: 300, abortOnOutsideAssetDown: false },
      },
    }), 201);
    const run = await ok(api('POST', `/api/drills/${drill.id}/runs`, { token: t.tokens.planner }), 201);
    const banner = page.locator(`.drill-banner[data-drill-run="${run.id}"]`);
    await banner.waitFor({ timeout: 3_000 });
    expect(await banner.textContent()).toMatch(/Drill in progress, not a real outage: Svalbard cable cut \(simulated\)/);
    expect(await banner.textContent()).toMatch(/Targets: Svalbard subsea cable 1/);
    await page.waitForFunction((k) => document.querySelector(`[data-subject="asset"][data-key="${k}"]`)?.getAttribute('data-status') === 'down', cable, { timeout: 5_000 });
    expect(await page.locator(`[data-subject="asset"][data-key="${cable}"] .drill-tag`).textContent()).toBe('DRILL');
    expect(await page.locator('.tile .drill-tag').count()).toBeGreaterThan(0);
    expect(await notReloaded()).toBe(true);

    await screenshot(page, 'watch-floor');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1366, height: 768 });
    await screenshot(page, 'watch-floor-laptop');
    await page.setViewportSize({ width: 1920, height: 1080 });

    await ok(api('POST', `/api/drills/${drill.id}/runs/${run.id}/abort`, { token: t.tokens.planner, body: { reason: 'test over' } }));
    await banner.waitFor({ state: 'detached', timeout: 3_000 });
    expect(await notReloaded()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('reconnects a dropped stream with Last-Event-ID and catches up on what it missed', async () => {
    const { page, errors } = browser!;
    const tokyo = 'aws-ap-northeast-1';
    const [incident] = await t.sqlite.db.select().from(incidents).where(eq(incidents.assetId, idOf.get(tokyo)!));
    expect(incident!.state).toBe('open');
    await markNoReload();
    const errorsBefore = errors.length;
    const dropped = Date.now();
    (server as unknown as { closeAllConnections: () => void }).closeAllConnections();
    // written while the browser is disconnected (it waits a second before reconnecting)
    await ok(api('POST', `/api/incidents/${incident!.id}/updates`, { token: t.tokens.officer, body: { status: 'monitoring', message: 'Written while the stream was down' } }), 201);
    const [missed] = await t.sqlite.db.select({ id: events.id }).from(events).where(eq(events.type, 'incident.updated')).orderBy(desc(events.id)).limit(1);
    const again = await waitFor('a reconnect', () => streamRequests.find((r) => r.at > dropped && r.lastEventId !== null), 5_000);
    expect(Number(again.lastEventId)).toBeLessThan(missed!.id);
    await page.waitForFunction((id) => Number(document.documentElement.getAttribute('data-live-event')) >= id, missed!.id, { timeout: 5_000 });
    await page.waitForFunction((id) => /Written while the stream was down/.test(document.querySelector(`#incident-${id}`)?.textContent ?? ''), incident!.id, { timeout: 5_000 });
    await page.waitForSelector('#live-state.live-on');

    // and it keeps following: Tokyo recovers
    await ok(api('POST', `/api/demo/assets/${tokyo}/fault`, { body: { mode: 'healthy' } }));
    await page.waitForFunction((k) => document.querySelector(`[data-subject="asset"][data-key="${k}"]`)?.getAttribute('data-status') === 'up', tokyo, { timeout: 10_000 });
    expect(await notReloaded()).toBe(true);
    // the dropped connection may be reported; nothing else may be
    const fresh = errors.slice(errorsBefore);
    if (fresh.length) console.log(`[watch-floor] console while the stream was dropped: ${JSON.stringify(fresh)}`);
    expect(errors.slice(0, errorsBefore)).toEqual([]);
    expect(fresh.filter((e) => !/ERR_(CONNECTION|EMPTY_RESPONSE|INCOMPLETE)|network error/i.test(e))).toEqual([]);
  });

  it('shows a flapping asset as flapping, live, in words, symbol and colour that pass axe-core', async () => {
    // The monitor's side is tests/engine/flapping.test.ts; here the stored state and its event.
    const { page, errors } = browser!;
    const key = 'aws-us-east-2';
    const reason = 'aws-us-east-2-health: flapping (48% state change over the last 21 checks)';
    const errorsBefore = errors.length; // the test before may leave its dropped stream's errors
    await markNoReload();
    await t.sqlite.db.update(assetStates).set({ status: 'flapping', reason, since: Date.now() }).where(eq(assetStates.assetId, idOf.get(key)!));
    await recordEvent(t.ctx, {
      type: 'asset.flapping', subjectKind: 'asset', subjectId: idOf.get(key)!, subjectKey: key,
      data: { assetKey: key, assetName: key, kind: 'cloud_region', previous: 'up', status: 'flapping', reason, functionKeys: [] },
    });
    await page.waitForFunction((k) => document.querySelector(`[data-subject="asset"][data-key="${k}"]`)?.getAttribute('data-status') === 'flapping', key, { timeout: 5_000 });
    const row = page.locator(`[data-subject="asset"][data-key="${key}"]`);
    expect(await row.locator('[data-role="status"]').textContent()).toBe('flapping');
    expect(await row.locator('.status.s-flapping').count()).toBe(1);
    expect(await page.locator(`.map-dot[data-asset="${key}"]`).getAttribute('class')).toContain('d-flapping');
    // and after the page re-reads itself: counted, and named among what is not up
    await page.waitForFunction(() => /1 flapping/.test(document.querySelector('#wf-summary')?.textContent ?? ''), null, { timeout: 5_000 });
    expect(await page.locator('.attention .attention-item.st-flapping').count()).toBe(1);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await notReloaded()).toBe(true);
    expect(errors.slice(errorsBefore)).toEqual([]);
  });
});
