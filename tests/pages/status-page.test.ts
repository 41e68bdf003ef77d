// Public status pages: through app.request (no sign-in, the Statuspage summary shape, the 90-day
// bars, the Atom feed, badges, and that nothing the page does not list ever leaks), then in a
// real browser (Debian's chromium) against the app served over loopback HTTP with the demo seed.
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { seedIfEmpty } from '../../src/core/services/bootstrap.js';
import { createTestApp, ok, rawClient, type TestApp } from '../helpers.js';
import { openBrowser, screenshot, seriousAccessibilityViolations, type TestBrowser } from '../support/browser.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DAY = 86_400_000;
const dayOf = (ms: number) => Math.floor(ms / DAY) * DAY;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Names and keys of things the page does not list: none may ever appear in anything it serves. */
const SECRETS = ['Zanzibar', 'Hidden Bunker', 'zz-secret-bunker', 'Quokka', 'quokka-internal', '10.9.8.7', 'gs-unrelated', 'Unrelated Outpost'];

/**
 * A small well-formedness check for XML: tags nest and close, attributes are quoted, text holds no
 * raw `<` and only known or numeric entities. Returns the element names in document order.
 */
function wellFormedXml(xml: string): string[] {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const elements: string[] = [];
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  let roots = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = body.slice(i, lt < 0 ? body.length : lt);
    const badEntity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(text);
    if (badEntity) throw new Error(`bad entity at ${i + badEntity.index}: ${text.slice(badEntity.index, badEntity.index + 12)}`);
    if (stack.length === 0 && text.trim()) throw new Error(`text outside the root element: ${text.trim().slice(0, 40)}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (!m) throw new Error(`malformed tag at ${lt}: ${body.slice(lt, lt + 60)}`);
    const [, closing, name, attrs, selfClosing] = m;
    const attrText = attrs ?? '';
    for (const [, , value] of attrText.matchAll(/([\w:.-]+)="([^"]*)"/g)) {
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(value!)) throw new Error(`bad entity in an attribute of <${name}>`);
    }
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      if (stack.length === 0) roots++;
      elements.push(name!);
      if (!selfClosing) stack.push(name!);
    }
    i = tag.lastIndex;
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return elements;
}

/** The markup of the component with this index on the HTML page. */
function componentHtml(html: string, index: number): string {
  const start = html.indexOf(`data-component="${index}"`);
  if (start < 0) throw new Error(`no component ${index} on the page`);
  const end = html.indexOf('</li>', start);
  return html.slice(start, end);
}

const barTitles = (fragment: string) => [...fragment.matchAll(/<rect class="sp-bar[^"]*"[^>]*><title>([^<]*)<\/title><\/rect>/g)].map((m) => m[1]!);

describe('a public status page through app.request', () => {
  let t: TestApp;
  let ids: { tokyo: number; alpha: number; bunker: number; unrelated: number; relay: number; quokka: number };
  let pageId: number;
  const now = Date.now();

  const sql = (query: string, ...params: unknown[]) => rawClient(t.sqlite).prepare(query).run(...params);
  const get = async (url: string) => {
    const res = await t.app.request(url);
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const insertIncident = (spec: { ref: string; assetId: number | null; functionIds: number[]; state: 'open' | 'resolved'; severity: string; title: string; openedAt: number; resolvedAt?: number }) => {
    sql(
      `insert into incidents (ref, asset_id, function_ids, state, severity, title, started_at, opened_at, resolved_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      spec.ref, spec.assetId, JSON.stringify(spec.functionIds), spec.state, spec.severity, spec.title, spec.openedAt - 60_000, spec.openedAt, spec.resolvedAt ?? null,
    );
    return (rawClient(t.sqlite).prepare('select id from incidents where ref = ?').get(spec.ref) as { id: number }).id;
  };
  const rollup = (kind: 'asset' | 'function', id: number, day: number, samples: number, up: number, degraded = 0, granularity = 'day') =>
    sql(
      `insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples) values (?, ?, ?, ?, ?, ?, ?, 0, 0)`,
      kind, id, granularity, day, samples, up, degraded,
    );

  beforeEach(async () => {
    t = await createTestApp();
    const asset = async (key: string, kind: string, name: string) => (await ok(t.call('POST', '/api/assets', { body: { key, kind, name } }), 201)).id as number;
    const tokyo = await asset('aws-tokyo', 'cloud_region', 'AWS Tokyo');
    const alpha = await asset('gs-alpha', 'ground_station', 'Alpha Station');
    const bunker = await asset('zz-secret-bunker', 'ground_station', 'Zanzibar Hidden Bunker');
    const unrelated = await asset('gs-unrelated', 'ground_station', 'Unrelated Outpost');
    const fn = async (key: string, name: string, members: number[]) =>
      (await ok(t.call('POST', '/api/functions', { body: { key, name, tier: 'PMEF', rtoSeconds: 300, mtdSeconds: 900, groups: [{ name: 'g', k: 1, members: members.map((assetId) => ({ assetId })) }] } }), 201))
        .id as number;
    const relay = await fn('relay', 'Relay function', [alpha, bunker]);
    const quokka = await fn('quokka-internal', 'Quokka Internal Function', [bunker]);
    ids = { tokyo, alpha, bunker, unrelated, relay, quokka };
    pageId = (
      await ok(
        t.call('POST', '/api/status-pages', {
          body: {
            slug: 'public',
            title: 'Ground segment status',
            description: 'Mission services and cloud regions.',
            components: [
              { name: 'Data relay', functionId: relay, group: 'Mission services' },
              { name: 'Tokyo region', assetId: tokyo, group: 'Cloud' },
              { name: 'Alpha', assetId: alpha },
            ],
          },
        }),
        201,
      )
    ).id;
    // Current states: the unlisted bunker is down (with an internal reason), so the relay has used its spare.
    sql(`insert into asset_states (asset_id, status, since, reason) values (?, 'up', ?, null), (?, 'up', ?, null), (?, 'down', ?, 'TCP connect to 10.9.8.7 refused')`, tokyo, now - DAY, alpha, now - DAY, bunker, now - 600_000);
    sql(`insert into function_states (function_id, status, redundancy, since) values (?, 'degraded', 'SPOF', ?), (?, 'lost', 'none', ?)`, relay, now - 600_000, quokka, now - 600_000);
  });
  afterEach(() => t.close());

  /** The open incident on the unlisted bunker that hurts the listed relay, with an officer's update naming the bunker. */
  async function openBunkerIncident() {
    const id = insertIncident({
      ref: 'inc-bunker', assetId: ids.bunker, functionIds: [ids.relay, ids.quokka], state: 'open', severity: 'major',
      title: 'Zanzibar Hidden Bunker is down (affects Relay function, Quokka Internal Function)', openedAt: now - 540_000,
    });
    await ok(
      t.call('POST', `/api/incidents/${id}/updates`, {
        token: t.tokens.officer,
        body: { status: 'identified', message: 'Zanzibar Hidden Bunker lost power; zz-secret-bunker is on generator and QUOKKA INTERNAL FUNCTION failed over.', visibility: 'public' },
      }),
      201,
    );
    return id;
  }

  it('needs no sign-in, sends the strict CSP and uses no inline script or style', async () => {
    const res = await get('/status/public');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(res.headers.get('content-security-policy')).toMatch(/style-src 'self'/);
    expect(res.text.startsWith('<!doctype html>')).toBe(true);
    expect(res.text).toContain('<h1>Ground segment status</h1>');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(res.text).not.toMatch(/\sstyle=/);
    expect(res.text).not.toMatch(/\son[a-z]+=/);
    // Public: no navigation of the signed-in app, no sign-out form.
    expect(res.text).not.toContain('Sign out');
    expect((await get('/status/nowhere')).status).toBe(404);
    expect((await get('/status/NOT_A_SLUG')).status).toBe(404);
  });

  it('shows the components in their groups with status as colour, symbol and word', async () => {
    const html = (await get('/status/public')).text;
    expect(html).toContain('data-indicator="minor"');
    expect(html).toContain('Partially Degraded Service');
    const groups = [...html.matchAll(/<h3 class="sp-group-name">([^<]*)<\/h3>/g)].map((m) => m[1]);
    expect(groups).toEqual(['Mission services', 'Cloud']);
    expect(componentHtml(html, 0)).toContain('data-status="degraded_performance"');
    expect(componentHtml(html, 0)).toMatch(/sp-st-degraded_performance"><span class="sp-sym" aria-hidden="true">▲<\/span>Degraded performance/);
    expect(componentHtml(html, 1)).toMatch(/data-status="operational"[\s\S]*✔<\/span>Operational/);
    expect(componentHtml(html, 2)).toContain('<h3 class="sp-comp-name">Alpha</h3>');

    // The Tokyo region goes into maintenance; the alpha station has no status at all.
    sql(`update asset_states set status = 'maintenance' where asset_id = ?`, ids.tokyo);
    sql(`delete from asset_states where asset_id = ?`, ids.alpha);
    const later = (await get('/status/public')).text;
    expect(componentHtml(later, 1)).toMatch(/data-status="under_maintenance"[\s\S]*⚙<\/span>Under maintenance/);
    expect(componentHtml(later, 2)).toMatch(/data-status="unknown"[\s\S]*\?<\/span>No data/);
    const summary = JSON.parse((await get('/status/public/summary.json')).text);
    const alpha = summary.components.find((c: { name: string }) => c.name === 'Alpha');
    expect(alpha).toMatchObject({ status: 'degraded_performance', description: 'No current monitoring data' });

    // A flapping asset is partly cut off: a partial outage, on the page, in summary.json and its badge.
    sql(`update asset_states set status = 'flapping' where asset_id = ?`, ids.tokyo);
    expect(componentHtml((await get('/status/public')).text, 1)).toMatch(/data-status="partial_outage"[\s\S]*◆<\/span>Partial outage/);
    const tokyo = JSON.parse((await get('/status/public/summary.json')).text).components.find((c: { name: string }) => c.name === 'Tokyo region');
    expect(tokyo.status).toBe('partial_outage');
    expect((await get(`/status/public/components/${tokyo.id}/badge.svg`)).text).toMatch(/<text[^>]*>partial outage<\/text>/);
  });

  it('draws 90 daily bars per component from the daily rollups, with the 90-day uptime', async () => {
    const today = dayOf(now);
    rollup('function', ids.relay, today - DAY, 1440, 700, 20); // 50 % (degraded counts as up)
    rollup('function', ids.relay, today - 2 * DAY, 1440, 1440); // 100 %
    rollup('function', ids.relay, today - 2 * DAY, 1440, 0, 0, 'hour'); // hourly rows are not the bars
    rollup('asset', ids.tokyo, today - 89 * DAY, 1000, 999); // the oldest bar
    rollup('asset', ids.tokyo, today - 90 * DAY, 1000, 0); // one day too old
    rollup('asset', ids.tokyo, today - 5 * DAY + 3_600_000, 1000, 0); // not the start of a day: not a bar
    rollup('asset', ids.bunker, today - DAY, 1000, 0); // not on the page
    const html = (await get('/status/public')).text;

    const relay = barTitles(componentHtml(html, 0));
    expect(relay).toHaveLength(90);
    expect(relay[89]).toBe(`${isoDay(today)}: no data`);
    expect(relay[88]).toBe(`${isoDay(today - DAY)}: 50 % up`);
    expect(relay[87]).toBe(`${isoDay(today - 2 * DAY)}: 100 % up`);
    expect(relay[86]).toBe(`${isoDay(today - 3 * DAY)}: no data`);
    expect(componentHtml(html, 0)).toMatch(/<rect class="sp-bar sp-bar-major"[^>]*><title>[^<]*: 50 % up/);
    expect(componentHtml(html, 0)).toContain('75 % uptime');

    const tokyo = barTitles(componentHtml(html, 1));
    expect(tokyo).toHaveLength(90);
    expect(tokyo[0]).toBe(`${isoDay(today - 89 * DAY)}: 99.9 % up`);
    expect(tokyo.filter((title) => title.endsWith('no data'))).toHaveLength(89);
    expect(componentHtml(html, 1)).toContain('99.9 % uptime');

    expect(componentHtml(html, 2)).toContain('No data yet');
    expect(barTitles(componentHtml(html, 2)).every((title) => title.endsWith('no data'))).toBe(true);
  });

  it('reads the bars of a 200-component page in a fixed handful of queries', async () => {
    const client = rawClient(t.sqlite);
    const today = dayOf(now);
    const components: Array<{ name: string; assetId: number }> = [];
    client.transaction(() => {
      for (let i = 0; i < 200; i++) {
        const info = client.prepare(`insert into assets (key, kind, name, criticality, tags, created_at, updated_at) values (?, 'service', ?, 'medium', '[]', ?, ?)`).run(`svc-${i}`, `Service ${i}`, now, now);
        const id = Number(info.lastInsertRowid);
        components.push({ name: `Service ${i}`, assetId: id });
        const insert = client.prepare(`insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples) values ('asset', ?, 'day', ?, 1440, ?, 0, 0, 0)`);
        for (let d = 0; d < 90; d++) insert.run(id, today - d * DAY, 1440 - ((i + d) % 7));
      }
    })();
    await ok(t.call('POST', '/api/status-pages', { body: { slug: 'big', title: 'Big', components: components.map((c) => ({ ...c, group: `Group ${c.assetId % 5}` })) } }), 201);

    const prepare = client.prepare.bind(client);
    let queries = 0;
    client.prepare = ((source: string) => {
      queries++;
      return prepare(source);
    }) as typeof client.prepare;
    try {
      const started = performance.now();
      const res = await get('/status/big');
      const ms = performance.now() - started;
      expect(res.status).toBe(200);
      expect(res.text.match(/<svg class="sp-bars"/g)).toHaveLength(200);
      expect(queries).toBeLessThanOrEqual(10);
      console.log(`[status-page] /status/big (200 components, 18,000 daily rollups): ${queries} queries, ${ms.toFixed(1)} ms`);
    } finally {
      client.prepare = prepare;
    }
  });

  it('shows active and recent incidents that touch the page, with their updates, under public names only', async () => {
    await openBunkerIncident();
    insertIncident({ ref: 'inc-quokka', assetId: ids.bunker, functionIds: [ids.quokka], state: 'open', severity: 'critical', title: 'Quokka Internal Function is lost', openedAt: now - 300_000 });
    insertIncident({ ref: 'inc-tokyo', assetId: ids.tokyo, functionIds: [], state: 'resolved', severity: 'minor', title: 'AWS Tokyo is down', openedAt: now - 3 * DAY, resolvedAt: now - 3 * DAY + 1_800_000 });
    insertIncident({ ref: 'inc-old', assetId: ids.tokyo, functionIds: [], state: 'resolved', severity: 'minor', title: 'AWS Tokyo old outage', openedAt: now - 30 * DAY, resolvedAt: now - 30 * DAY + 600_000 });
    const html = (await get('/status/public')).text;
    expect(html).toContain('data-indicator="major"');
    expect(html).toContain('Partial System Outage');
    const active = html.slice(html.indexOf('id="sp-active"'), html.indexOf('id="sp-components"'));
    expect(active.match(/<article class="sp-incident/g)).toHaveLength(1);
    expect(active).toContain('Outage affecting Data relay');
    expect(active).toMatch(/<strong>Identified<\/strong> — an internal system lost power; an internal system is on generator and an internal system failed over\./);
    expect(active).toMatch(/<strong>Investigating<\/strong> — We are investigating a problem affecting Data relay\./);
    const past = html.slice(html.indexOf('id="sp-past"'));
    expect(past).toContain('Degraded performance affecting Tokyo region');
    expect(past).toMatch(/<strong>Resolved<\/strong> — This incident has been resolved; Tokyo region is back in service\./);
    expect(past).not.toContain('old outage');
    expect(past.match(/No incidents reported\./g)).toHaveLength(13);

    // Hidden, the page shows neither.
    await ok(t.call('PATCH', `/api/status-pages/${pageId}`, { body: { showIncidents: false } }));
    const quiet = (await get('/status/public')).text;
    expect(quiet).not.toContain('sp-incident');
  });

  it('lists scheduled and in-progress maintenance of the page’s assets, also through its functions', async () => {
    const at = (ms: number) => new Date(ms).toISOString();
    await ok(t.call('POST', '/api/maintenance', { body: { key: 'bunker-work', title: 'Zanzibar Hidden Bunker antenna swap', assetIds: [ids.bunker], startsAt: at(now + DAY), endsAt: at(now + DAY + 7_200_000) } }), 201);
    await ok(t.call('POST', '/api/maintenance', { body: { key: 'tokyo-patch', title: 'Tokyo region patching', assetIds: [ids.tokyo], startsAt: at(now - 600_000), endsAt: at(now + 3_600_000) } }), 201);
    await ok(t.call('POST', '/api/maintenance', { body: { key: 'outpost', title: 'Unrelated Outpost painting', assetIds: [ids.unrelated], startsAt: at(now + DAY), endsAt: at(now + 2 * DAY) } }), 201);
    await ok(t.call('POST', '/api/maintenance', { body: { key: 'done', title: 'Finished work', assetIds: [ids.tokyo], startsAt: at(now - 2 * DAY), endsAt: at(now - DAY) } }), 201);
    const html = (await get('/status/public')).text;
    const section = html.slice(html.indexOf('id="sp-maint"'), html.indexOf('id="sp-components"'));
    expect(section.match(/<article class="sp-maint/g)).toHaveLength(2);
    expect(section).toMatch(/sp-maint-in_progress[\s\S]*Tokyo region patching[\s\S]*In progress[\s\S]*Affects Tokyo region/);
    expect(section).toMatch(/sp-maint-scheduled[\s\S]*an internal system antenna swap[\s\S]*Scheduled[\s\S]*Affects Data relay/);
    const summary = JSON.parse((await get('/status/public/summary.json')).text);
    expect(summary.scheduled_maintenances.map((m: any) => [m.name, m.status, m.components.map((c: any) => c.name)])).toEqual([
      ['Tokyo region patching', 'in_progress', ['Tokyo region']],
      ['an internal system antenna swap', 'scheduled', ['Data relay']],
    ]);

    // A function lost while a window covers one of its assets, with no incident, is under maintenance.
    sql(`update function_states set status = 'lost' where function_id = ?`, ids.relay);
    await ok(t.call('POST', '/api/maintenance', { body: { key: 'bunker-now', title: 'Bunker now', assetIds: [ids.bunker, ids.alpha], startsAt: at(now - 60_000), endsAt: at(now + 60_000) } }), 201);
    expect(componentHtml((await get('/status/public')).text, 0)).toContain('data-status="under_maintenance"');
  });

  it('serves summary.json gzipped to clients that accept it, with an ETag that answers 304 until it changes', async () => {
    const plain = await get('/status/public/summary.json');
    const etag = plain.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{24}"$/);
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');

    const zipped = await t.app.request('/status/public/summary.json', { headers: { 'accept-encoding': 'br, gzip;q=0.8' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    const bytes = new Uint8Array(await zipped.arrayBuffer());
    expect(bytes.length).toBeLessThan(Buffer.byteLength(plain.text));
    expect(gunzipSync(bytes).toString('utf8')).toBe(plain.text);
    const refused = await t.app.request('/status/public/summary.json', { headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers.get('content-encoding')).toBeNull();

    const unchanged = await t.app.request('/status/public/summary.json', { headers: { 'if-none-match': etag } });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');
    await openBunkerIncident();
    const changed = await t.app.request('/status/public/summary.json', { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('serves summary.json in the Statuspage shape', async () => {
    await openBunkerIncident();
    insertIncident({ ref: 'inc-tokyo', assetId: ids.tokyo, functionIds: [], state: 'resolved', severity: 'minor', title: 'AWS Tokyo is down', openedAt: now - DAY, resolvedAt: now - DAY + 600_000 });
    const res = await get('/status/public/summary.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = JSON.parse(res.text);
    expect(Object.keys(body).sort()).toEqual(['components', 'incidents', 'page', 'scheduled_maintenances', 'status']);
    expect(body.page).toEqual({ id: 'public', name: 'Ground segment status', url: 'http://localhost/status/public', time_zone: 'Etc/UTC', updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(body.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });

    const STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
    for (const c of body.components) {
      expect(c).toMatchObject({ id: expect.any(String), name: expect.any(String), page_id: 'public', position: expect.any(Number), group: expect.any(Boolean) });
      expect(STATUSES).toContain(c.status);
      expect(c).toHaveProperty('group_id');
    }
    const groups = body.components.filter((c: any) => c.group);
    expect(groups.map((g: any) => [g.name, g.status])).toEqual([['Mission services', 'degraded_performance'], ['Cloud', 'operational']]);
    const byName = Object.fromEntries(body.components.map((c: any) => [c.name, c]));
    expect(byName['Data relay']).toMatchObject({ status: 'degraded_performance', group_id: groups[0].id });
    expect(groups[0].components).toEqual([byName['Data relay'].id]);
    expect(byName['Tokyo region']).toMatchObject({ status: 'operational', group_id: groups[1].id });
    expect(byName.Alpha).toMatchObject({ status: 'operational', group_id: null });

    // Only unresolved incidents, with their updates newest first.
    expect(body.incidents).toHaveLength(1);
    const [incident] = body.incidents;
    expect(incident).toMatchObject({ name: 'Outage affecting Data relay', status: 'identified', impact: 'major', resolved_at: null, page_id: 'public' });
    expect(incident.incident_updates.map((u: any) => u.status)).toEqual(['identified', 'investigating']);
    expect(incident.components).toEqual([{ id: byName['Data relay'].id, name: 'Data relay', status: 'degraded_performance' }]);
    expect(body.scheduled_maintenances).toEqual([]);
    expect((await get('/status/nowhere/summary.json')).status).toBe(404);
  });

  it('never shows an asset or function the page does not list, even while it has an open incident', async () => {
    await openBunkerIncident();
    insertIncident({ ref: 'inc-quokka', assetId: ids.bunker, functionIds: [ids.quokka], state: 'open', severity: 'critical', title: 'Quokka Internal Function is lost (Zanzibar Hidden Bunker)', openedAt: now - 300_000 });
    insertIncident({ ref: 'inc-outpost', assetId: ids.unrelated, functionIds: [], state: 'open', severity: 'major', title: 'Unrelated Outpost is down', openedAt: now - 200_000 });
    const at = (ms: number) => new Date(ms).toISOString();
    await ok(t.call('POST', '/api/maintenance', { body: { key: 'bunker-work', title: 'Zanzibar Hidden Bunker antenna swap', assetIds: [ids.bunker], startsAt: at(now + DAY), endsAt: at(now + DAY + 7_200_000) } }), 201);
    rollup('asset', ids.bunker, dayOf(now) - DAY, 1000, 0);
    const urls = [
      '/status/public',
      '/status/public/summary.json',
      '/status/public/feed.atom',
      '/status/public/badge.svg',
      '/status/public/components/0/badge.svg',
      '/status/public/components/1/badge.svg',
      '/status/public/components/2/badge.svg',
      '/status/public/components/3/badge.svg',
    ];
    for (const url of urls) {
      const { text } = await get(url);
      for (const secret of SECRETS) expect(text.toLowerCase(), `${url} shows "${secret}"`).not.toContain(secret.toLowerCase());
      // Not even the listed assets' and functions' own names or keys: only the page's public names.
      for (const internal of ['Relay function', 'AWS Tokyo', 'Alpha Station', 'aws-tokyo', 'gs-alpha']) expect(text, `${url} shows "${internal}"`).not.toContain(internal);
    }
    // The incident is there all the same, under the page's names.
    expect((await get('/status/public')).text).toContain('Outage affecting Data relay');
  });

  it('serves the incidents of the last 90 days as a well-formed Atom feed, escaped', async () => {
    await ok(t.call('PATCH', `/api/status-pages/${pageId}`, { body: { title: 'Ops <status> & "more"' } }));
    await openBunkerIncident();
    insertIncident({ ref: 'inc-tokyo', assetId: ids.tokyo, functionIds: [], state: 'resolved', severity: 'minor', title: 'x', openedAt: now - 3 * DAY, resolvedAt: now - 3 * DAY + 600_000 });
    insertIncident({ ref: 'inc-old', assetId: ids.tokyo, functionIds: [], state: 'resolved', severity: 'minor', title: 'x', openedAt: now - 30 * DAY, resolvedAt: now - 30 * DAY + 600_000 });
    insertIncident({ ref: 'inc-ancient', assetId: ids.tokyo, functionIds: [], state: 'resolved', severity: 'minor', title: 'x', openedAt: now - 120 * DAY, resolvedAt: now - 120 * DAY + 600_000 });
    const incidentId = (rawClient(t.sqlite).prepare(`select id from incidents where ref = 'inc-bunker'`).get() as { id: number }).id;
    await ok(t.call('POST', `/api/incidents/${incidentId}/updates`, { token: t.tokens.officer, body: { status: 'monitoring', message: 'Fix <b>deployed</b> & watching "closely"', visibility: 'public' } }), 201);

    const res = await get('/status/public/feed.atom');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    expect(res.text.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const elements = wellFormedXml(res.text);
    expect(elements[0]).toBe('feed');
    expect(res.text).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(elements.filter((e) => e === 'entry')).toHaveLength(3);
    for (const required of ['id', 'title', 'updated', 'author']) expect(elements).toContain(required);
    expect(res.text).toContain('<title type="text">Ops &lt;status&gt; &amp; &quot;more&quot;: incidents</title>');
    // HTML content is escaped once: the officer's markup arrives as text, never as markup.
    expect(res.text).toContain('Fix &amp;lt;b&amp;gt;deployed&amp;lt;/b&amp;gt; &amp;amp; watching &amp;quot;closely&amp;quot;');
    expect(res.text).toContain('Outage affecting Data relay (Monitoring)');

    // And the page itself escapes the same title.
    const html = (await get('/status/public')).text;
    expect(html).toContain('<h1>Ops &lt;status&gt; &amp; &quot;more&quot;</h1>');
    expect(html).not.toContain('<b>deployed</b>');
  });

  it('serves shields-style SVG badges with the status word', async () => {
    await ok(t.call('PATCH', `/api/status-pages/${pageId}`, {
      body: { components: [{ name: 'Data relay <&> "x"', functionId: ids.relay }, { name: 'Tokyo region', assetId: ids.tokyo }] },
    }));
    const overall = await get('/status/public/badge.svg');
    expect(overall.status).toBe(200);
    expect(overall.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(wellFormedXml(overall.text)[0]).toBe('svg');
    expect(overall.text).toContain('<title>status: degraded performance</title>');
    expect(overall.text).toMatch(/<text[^>]*>degraded performance<\/text>/);

    // A component's badge is addressed by the id summary.json gives it.
    const idOf = async (name: string, slug = 'public') => JSON.parse((await get(`/status/${slug}/summary.json`)).text).components.find((c: any) => c.name === name).id as string;
    const relayId = await idOf('Data relay <&> "x"');
    const tokyoId = await idOf('Tokyo region');
    const relay = await get(`/status/public/components/${relayId}/badge.svg`);
    expect(wellFormedXml(relay.text)[0]).toBe('svg');
    expect(relay.text).toContain('Data relay &lt;&amp;&gt; &quot;x&quot;: degraded performance');
    const tokyo = await get(`/status/public/components/${tokyoId}/badge.svg`);
    expect(tokyo.text).toMatch(/<text[^>]*>operational<\/text>/);

    sql(`update asset_states set status = 'down' where asset_id = ?`, ids.tokyo);
    expect((await get(`/status/public/components/${tokyoId}/badge.svg`)).text).toMatch(/<text[^>]*>major outage<\/text>/);
    expect((await get('/status/public/badge.svg')).text).toMatch(/<text[^>]*>partial outage<\/text>/);

    // Another page's component is not this page's.
    await ok(t.call('POST', '/api/status-pages', { body: { slug: 'other', title: 'Other', components: [{ name: 'Elsewhere', assetId: ids.alpha }] } }), 201);
    const elsewhereId = await idOf('Elsewhere', 'other');
    for (const url of ['/status/public/components/0/badge.svg', `/status/public/components/${elsewhereId}/badge.svg`, '/status/public/components/x/badge.svg', '/status/nowhere/badge.svg']) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(wellFormedXml(res.text)[0]).toBe('svg');
    }
  });

  it('answers each component’s badge for that component, whatever its position (ids as in summary.json)', async () => {
    // Grouped components are shown (and listed in summary.json) out of their stored order.
    await ok(t.call('PATCH', `/api/status-pages/${pageId}`, {
      body: {
        components: [
          { name: 'Alpha', assetId: ids.alpha, group: 'Stations' },
          { name: 'Tokyo region', assetId: ids.tokyo, group: 'Cloud' },
          { name: 'Data relay', functionId: ids.relay, group: 'Stations' },
        ],
      },
    }));
    sql(`update asset_states set status = 'down' where asset_id = ?`, ids.tokyo);
    const listed = JSON.parse((await get('/status/public/summary.json')).text).components.filter((c: any) => !c.group);
    expect(listed.map((c: any) => c.name)).toEqual(['Alpha', 'Data relay', 'Tokyo region']);
    const words: Record<string, string> = { operational: 'operational', degraded_performance: 'degraded performance', major_outage: 'major outage' };
    for (const component of listed) {
      const badge = await get(`/status/public/components/${component.id}/badge.svg`);
      expect(badge.status, component.name).toBe(200);
      expect(badge.text).toContain(`<title>${component.name}: ${words[component.status]}</title>`);
    }
  });

  it('lets other sites embed the badges and fetch summary.json and the feed; everything else stays same-origin', async () => {
    const embeddable = [
      ['/status/public/badge.svg', {}],
      ['/status/public/components/1/badge.svg', {}],
      ['/status/public/summary.json', {}],
      ['/status/public/summary.json', { 'accept-encoding': 'gzip' }],
      ['/status/public/feed.atom', {}],
      // a missing page or component is still an image or an answer another site shows
      ['/status/nowhere/badge.svg', {}],
      ['/status/public/components/999/badge.svg', {}],
      ['/status/nowhere/summary.json', {}],
      ['/status/nowhere/feed.atom', {}],
    ] as const;
    for (const [url, headers] of embeddable) {
      for (let round = 0; round < 2; round++) {
        const res = await t.app.request(url, { headers });
        await res.arrayBuffer();
        expect(res.headers.get('cross-origin-resource-policy'), url).toBe('cross-origin');
        expect(res.headers.get('access-control-allow-origin'), url).toBe('*');
        // the rest of the set is unchanged
        expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
        expect(res.headers.get('content-security-policy'), url).toContain("script-src 'self'");
      }
    }
    const etag = (await t.app.request('/status/public/summary.json')).headers.get('etag')!;
    const unchanged = await t.app.request('/status/public/summary.json', { headers: { 'if-none-match': etag } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('cross-origin-resource-policy')).toBe('cross-origin');

    const signedIn = { authorization: `Bearer ${t.tokens.viewer}` };
    for (const url of ['/status/public', '/status/nowhere', '/login', '/api/status-pages', '/healthz', '/nowhere']) {
      const res = await t.app.request(url, { headers: signedIn });
      await res.arrayBuffer();
      expect(res.headers.get('cross-origin-resource-policy'), url).toBe('same-origin');
      expect(res.headers.get('access-control-allow-origin'), url).toBeNull();
    }
  });

  it('reads "All Systems Operational" when every component is', async () => {
    sql(`update function_states set status = 'operational', redundancy = 'N' where function_id = ?`, ids.relay);
    const html = (await get('/status/public')).text;
    expect(html).toContain('data-indicator="none"');
    expect(html).toContain('All Systems Operational');
    expect(JSON.parse((await get('/status/public/summary.json')).text).status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect((await get('/status/public/badge.svg')).text).toMatch(/<text[^>]*>operational<\/text>/);
  });
});

describe('the demo seed’s public page in a real browser', () => {
  let t: TestApp;
  let server: ReturnType<typeof serve>;
  let base: string;
  let browser: TestBrowser | undefined;

  beforeAll(async () => {
    t = await createTestApp();
    const seed = fs.readFileSync(path.join(ROOT, 'seeds/demo.yaml'), 'utf8');
    await seedIfEmpty(t.ctx, seed, { DEMO_FLEET_URL: 'http://127.0.0.1:9' });
    // 90 days of history and a moment of trouble, so the page has something to show.
    const client = rawClient(t.sqlite);
    const now = Date.now();
    const today = dayOf(now);
    const assetId = (key: string) => (client.prepare('select id from assets where key = ?').get(key) as { id: number }).id;
    const functionId = (key: string) => (client.prepare('select id from mission_functions where key = ?').get(key) as { id: number }).id;
    const regions = ['aws-ap-northeast-1', 'aws-ap-northeast-3', 'aws-ap-northeast-2', 'aws-us-east-1', 'aws-us-east-2', 'aws-us-west-2'].map(assetId);
    const functions = ['missile-warning-relay', 'isr-imagery-downlink', 'space-domain-awareness-tracking', 'pnt-monitoring', 'bilateral-information-sharing'].map(functionId);
    client.transaction(() => {
      const insert = client.prepare(
        `insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples) values (?, ?, 'day', ?, ?, ?, ?, 0, 0)`,
      );
      [...regions.map((id) => ['asset', id] as const), ...functions.map((id) => ['function', id] as const)].forEach(([kind, id], n) => {
        for (let d = 0; d < 90; d++) {
          if (n === 2 && d > 60) continue; // Seoul joined the page 60 days ago
          const bad = (d * 7 + n * 13) % 41 === 0 ? 200 : (d + n) % 17 === 0 ? 9 : 0;
          insert.run(kind, id, today - d * DAY, 1440, 1440 - bad, 0);
        }
      });
      const state = client.prepare(`insert into asset_states (asset_id, status, since, reason) values (?, ?, ?, null)`);
      regions.forEach((id, i) => state.run(id, i === 0 ? 'degraded' : 'up', now - 3_600_000));
      client.prepare(`insert into function_states (function_id, status, redundancy, since) values (?, 'degraded', 'SPOF', ?)`).run(functions[0], now - 900_000);
      client
        .prepare(`insert into incidents (ref, asset_id, function_ids, state, severity, title, started_at, opened_at, resolved_at) values ('demo-1', ?, ?, 'resolved', 'major', 'internal', ?, ?, ?)`)
        .run(regions[0], JSON.stringify([functions[0]]), now - 2 * DAY - 60_000, now - 2 * DAY, now - 2 * DAY + 2_400_000);
    })();
    await ok(t.call('POST', '/api/maintenance', {
      body: { key: 'osaka-patch', title: 'Osaka region patching', assetIds: [regions[1]], startsAt: new Date(now + DAY).toISOString(), endsAt: new Date(now + DAY + 7_200_000).toISOString() },
    }), 201);

    // Server time for the demo seed's page (measured, not asserted).
    const timings: number[] = [];
    for (let i = 0; i < 25; i++) {
      const started = performance.now();
      const res = await t.app.request('/status/public');
      await res.text();
      timings.push(performance.now() - started);
    }
    const sorted = [...timings.slice(5)].sort((a, b) => a - b);
    console.log(`[status-page] /status/public render for the demo seed: first ${timings[0]!.toFixed(1)} ms, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms (20 warm runs)`);

    const app = createApp({ database: () => t.sqlite.db });
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    t?.close();
  });

  it('loads without sign-in, shows 90-day bars, logs no errors and passes axe; screenshots at 1920×1080', async () => {
    browser = await openBrowser({ width: 1920, height: 1080 });
    const { page, errors } = browser;
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    const res = await page.goto(`${base}/status/public`);
    expect(res?.status()).toBe(200);
    expect(page.url()).toBe(`${base}/status/public`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Ground segment status');
    expect(await page.locator('.sp-group-name').allTextContents()).toEqual(['Mission services', 'Cloud regions']);
    expect(await page.locator('.sp-comp').count()).toBe(11);
    expect(await page.locator('svg.sp-bars').count()).toBe(11);
    expect(await page.locator('svg.sp-bars').first().locator('rect').count()).toBe(90);
    // The bars are drawn: a real box, coloured by the stylesheet (not the inline-style-free markup).
    const box = await page.locator('svg.sp-bars').first().boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    const fill = await page.locator('svg.sp-bars').first().locator('rect.sp-bar-ok').first().evaluate((el) => getComputedStyle(el).fill);
    expect(fill).toBe('rgb(47, 179, 108)');
    expect(await page.locator('[data-indicator]').getAttribute('data-indicator')).toBe('minor');
    expect(await page.locator('.sp-maint').count()).toBe(1);
    expect(await page.locator('#sp-past ~ .sp-day .sp-incident').count()).toBe(1);

    // The feed parses as XML in the browser, with one entry.
    const feed = await page.evaluate(async () => {
      const text = await (await fetch('/status/public/feed.atom')).text();
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      return { error: doc.getElementsByTagName('parsererror').length, entries: doc.getElementsByTagNameNS('http://www.w3.org/2005/Atom', 'entry').length };
    });
    expect(feed).toEqual({ error: 0, entries: 1 });

    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'status-page');
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('reads on a phone (390×844) without errors or serious accessibility violations', async () => {
    const phone = await openBrowser({ width: 390, height: 844 });
    try {
      await phone.page.goto(`${base}/status/public`);
      expect(await phone.page.locator('svg.sp-bars').count()).toBe(11);
      // Nothing overflows sideways.
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await seriousAccessibilityViolations(phone.page)).toEqual([]);
      await screenshot(phone.page, 'status-page-mobile');
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
