// Contact checks through a satellite pass, on a real SQLite file: the real monitor, the real check
// runner and probes against loopback targets, and a clock the test moves through a predicted pass.
// During the pass the station's contact endpoint is probed; between passes the check is idle and
// holds nothing down; a pass that ends without contact is a `contact.missed` event.
import { describe, expect, it, type TestContext } from 'vitest';
import { commitAtomically } from '../../src/core/store/client.js';
import { satellites } from '../../src/core/store/schema/index.js';
import { applyInventory } from '../../src/core/services/inventory/apply.js';
import { parseInventoryDocument } from '../../src/core/services/inventory/document.js';
import { createCheckRunner } from '../../src/core/monitor/check-runner.js';
import type { ObservationRecord } from '../../src/core/monitor/check-definition.js';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { PassCalendar } from '../../src/core/monitor/pass-calendar.js';
import { WebhookDispatcher } from '../../src/core/outbox/dispatcher.js';
import { describeEvent } from '../../src/core/outbox/formats/describe.js';
import { createApp } from '../../src/http/app.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createWebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { createTestApp, ok, rawClient } from '../helpers.js';
import { startTargetServer } from '../support/target-server.js';
import { startWebhookReceiver, withWebhookDeps } from '../support/webhook-receiver.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const INTERVAL_MS = 60_000;
const SVALSAT = { lat: 78.2298, lon: 15.4078, altM: 500 };

const inventory = (contactUrl: string, healthUrl: string) => `assets:
  - { key: gs-svalbard, kind: ground_station, name: SvalSat, lat: ${SVALSAT.lat}, lon: ${SVALSAT.lon}, altM: ${SVALSAT.altM} }
satellites:
  - { key: sso-700, name: DEMO-EO-1, noradId: 99001, orbit: { altitudeKm: 700, raanDeg: 100, meanAnomalyDeg: 40 } }
checks:
  - key: svalbard-contact
    assetKey: gs-svalbard
    kind: contact
    intervalSeconds: 60
    failureThreshold: 2
    contact: { satellites: [sso-700], elevationMaskDeg: 5, url: "${contactUrl}" }
  - key: svalbard-health
    assetKey: gs-svalbard
    kind: http
    intervalSeconds: 60
    failureThreshold: 2
    successThreshold: 1
    http: { url: "${healthUrl}" }
`;

async function setup(ctx: TestContext) {
  const base = await createTestApp();
  const t = withWebhookDeps(base, { allowPrivate: true });
  const runtime = createNodeProbeRuntime();
  const contact = await startTargetServer('healthy');
  const health = await startTargetServer('healthy');
  ctx.onTestFinished(async () => {
    await runtime.close();
    await contact.close();
    await health.close();
    base.close();
  });
  let clock = T0;
  const { document, locate } = parseInventoryDocument(inventory(`${contact.url}/contact`, `${health.url}/health`));
  await applyInventory({ ...t.ctx, now: () => clock }, document, { locate });
  const db = t.sqlite.db;
  const monitor = await Monitor.load(db, clock);
  const passes = new PassCalendar();
  passes.setSatellites(await db.select().from(satellites));
  const runCheck = createCheckRunner({
    probeContext: runtime.context,
    readHeartbeat: async () => null,
    firingAlerts: async () => [],
    asset: (id) => monitor.assetFacts(id),
    passes,
    now: () => clock,
  });
  const sql = rawClient(t.sqlite);
  const stationId = (sql.prepare(`select id from assets where key = 'gs-svalbard'`).get() as { id: number }).id;
  const [pass] = passes.passes('gs-svalbard', SVALSAT, ['sso-700'], 5, T0 + INTERVAL_MS).filter((p) => p.losMs - p.aosMs > 4 * INTERVAL_MS);
  if (!pass) throw new Error('no pass of four minutes or more in the day and a half after T0');

  return {
    t, contact, health, pass, stationId,
    /** Runs every check once at `at`, as the scheduler would, and records the batch. */
    async runAt(at: number) {
      clock = at;
      const records: ObservationRecord[] = [];
      for (const def of monitor.definitions()) records.push({ checkId: def.id, at, observation: await runCheck(def, AbortSignal.timeout(2_000)) });
      await commitAtomically(db, monitor.planObservations(db, records, at));
    },
    assetState: () => sql.prepare('select status, reason from asset_states where asset_id = ?').get(stationId) as { status: string; reason: string | null },
    /** The watch floor page as a viewer sees it at the test's clock. */
    async watchFloor() {
      const app = createApp({ database: () => db, now: () => clock });
      const login = await app.request('/login', { method: 'POST', body: new URLSearchParams({ token: t.tokens.viewer, next: '/' }), redirect: 'manual' });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      return (await app.request('/', { headers: { cookie } })).text();
    },
    checkStatus: (key: string) => (sql.prepare('select s.status from check_states s join checks c on c.id = s.check_id where c.key = ?').get(key) as { status: string }).status,
    openIncidents: () => sql.prepare(`select id from incidents where state = 'open'`).all(),
    missed: () => (sql.prepare(`select subject_key, data from events where type = 'contact.missed' order by id`).all() as Array<{ subject_key: string; data: string }>)
      .map((row) => ({ subjectKey: row.subject_key, data: JSON.parse(row.data) })),
  };
}

describe('a contact check through a pass', () => {
  it('is idle between passes; a missed pass holds the station down only until LOS, then one contact.missed', async (ctx) => {
    const env = await setup(ctx);
    const { pass } = env;
    await env.runAt(T0);
    expect(env.checkStatus('svalbard-contact')).toBe('idle');
    expect(env.assetState()).toEqual({ status: 'up', reason: null });

    env.contact.setMode('failing');
    for (let i = 0; i < 3; i++) await env.runAt(pass.aosMs + 10_000 + i * INTERVAL_MS);
    expect(env.checkStatus('svalbard-contact')).toBe('down');
    expect(env.assetState()).toEqual({ status: 'down', reason: 'svalbard-contact: no contact with sso-700: status 503' });
    expect(env.openIncidents()).toHaveLength(1);
    expect(env.missed()).toEqual([]);

    // The first run after LOS (within one check interval): idle, the station up, the incident resolved.
    await env.runAt(pass.losMs + INTERVAL_MS / 2);
    expect(env.checkStatus('svalbard-contact')).toBe('idle');
    expect(env.assetState()).toEqual({ status: 'up', reason: null });
    expect(env.openIncidents()).toEqual([]);
    await env.runAt(pass.losMs + 2 * INTERVAL_MS);
    expect(env.missed()).toEqual([{
      subjectKey: 'gs-svalbard',
      data: {
        checkKey: 'svalbard-contact', assetKey: 'gs-svalbard', satelliteKey: 'sso-700', aosMs: pass.aosMs, losMs: pass.losMs,
        message: expect.stringMatching(/^missed contact: no contact with sso-700 during its pass \d\d:\d\d–\d\d:\d\d UTC$/),
      },
    }]);
  });

  it('the watch floor lists the missed pass', async (ctx) => {
    const env = await setup(ctx);
    env.contact.setMode('failing');
    await env.runAt(env.pass.aosMs + 10_000);
    expect(await env.watchFloor()).not.toContain('data-event="contact.missed"');
    await env.runAt(env.pass.losMs + 10_000);
    const html = await env.watchFloor();
    expect(html).toMatch(/<li data-event="contact.missed" data-station="gs-svalbard">[^<]*gs-svalbard missed its contact with sso-700/);
  });

  it('a pass with a contact is not missed', async (ctx) => {
    const env = await setup(ctx);
    env.contact.setMode('failing');
    await env.runAt(env.pass.aosMs + 10_000);
    env.contact.setMode('healthy');
    await env.runAt(env.pass.aosMs + 10_000 + INTERVAL_MS);
    expect(env.checkStatus('svalbard-contact')).toBe('up');
    await env.runAt(env.pass.losMs + 1_000);
    expect(env.checkStatus('svalbard-contact')).toBe('idle');
    expect(env.missed()).toEqual([]);
  });

  it('the reason names the check holding the station down; a repair between passes reads up within one interval', async (ctx) => {
    const env = await setup(ctx);
    const { pass } = env;
    env.contact.setMode('failing');
    env.health.setMode('failing');
    for (let i = 0; i < 2; i++) await env.runAt(pass.aosMs + 10_000 + i * INTERVAL_MS);
    expect(env.assetState().status).toBe('down');
    expect(env.assetState().reason).toMatch(/^svalbard-(contact|health): /);

    // The health endpoint is repaired during the pass: the contact check alone holds the station down, and says so.
    env.health.setMode('healthy');
    await env.runAt(pass.aosMs + 10_000 + 2 * INTERVAL_MS);
    expect(env.assetState()).toEqual({ status: 'down', reason: 'svalbard-contact: no contact with sso-700: status 503' });

    // Broken again, then the pass ends: down by the health check alone, named as such.
    env.health.setMode('failing');
    await env.runAt(pass.aosMs + 10_000 + 3 * INTERVAL_MS);
    await env.runAt(pass.losMs + 10_000);
    expect(env.checkStatus('svalbard-contact')).toBe('idle');
    expect(env.assetState()).toEqual({ status: 'down', reason: 'svalbard-health: status 503, expected 2xx' });
    expect(env.openIncidents()).toHaveLength(1);

    // Repaired between passes: up at the next run, nothing left open.
    env.health.setMode('healthy');
    await env.runAt(pass.losMs + 10_000 + INTERVAL_MS);
    expect(env.assetState()).toEqual({ status: 'up', reason: null });
    expect(env.openIncidents()).toEqual([]);
  });

  it('a webhook subscriber to contact.missed receives the missed pass', async (ctx) => {
    const env = await setup(ctx);
    const receiver = await startWebhookReceiver();
    const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 1_000 });
    ctx.onTestFinished(async () => {
      await sender.close();
      await receiver.close();
    });
    await ok(env.t.call('POST', '/api/webhooks', { body: { url: receiver.urlFor('/hook'), events: ['contact.missed'] } }), 201);
    env.contact.setMode('failing');
    await env.runAt(env.pass.aosMs + 10_000);
    await env.runAt(env.pass.losMs + 10_000);

    const dispatcher = new WebhookDispatcher({ db: env.t.sqlite.db, send: sender.send });
    await dispatcher.fanOut();
    await dispatcher.deliverDue();
    const [request] = await receiver.waitForRequests(1);
    const body = receiver.json(request!);
    expect(body.type).toBe('contact.missed');
    expect(body.data).toMatchObject({ checkKey: 'svalbard-contact', satelliteKey: 'sso-700', aosMs: env.pass.aosMs, losMs: env.pass.losMs, assetKey: 'gs-svalbard' });
    expect(receiver.requests).toHaveLength(1);

    // Chat and PagerDuty formats describe it in words.
    const event = { id: body.data.eventId, ts: Date.parse(body.timestamp), type: 'contact.missed', subjectKind: 'asset', subjectKey: 'gs-svalbard', severity: 'minor' as const, drillRunId: null, data: body.data };
    const described = describeEvent(event);
    expect(described.headline).toBe('gs-svalbard missed its contact with sso-700');
    expect(described.facts).toEqual(expect.arrayContaining([{ title: 'Satellite', value: 'sso-700' }, { title: 'AOS', value: expect.stringMatching(/^2025-06-0\d \d\d:\d\d UTC$/) }]));
    expect(described.detail).toMatch(/^missed contact: /);
  });
});
