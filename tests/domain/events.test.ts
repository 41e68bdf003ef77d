// The event catalog (src/core/domain/events.ts) is the one list of event types. These tests fail
// when the code emits a type the catalog does not list, or data its type does not describe:
// real flows (the API, the live monitor on loopback targets, the drill runner, the webhook
// dispatcher) run against a real SQLite file and every stored event is checked; and the source
// is read for the event types it names.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { ASSET_STATUSES, FUNCTION_STATUSES } from '../../src/core/domain/enums.js';
import {
  EVENT_CATALOG, EVENT_TYPES, isEventType, MONITOR_RELOAD_EVENT_TYPES, payloadProblems, STREAMED_EVENT_TYPES, STREAMED_SUBJECTS, WEBHOOK_EVENT_TYPES,
} from '../../src/core/domain/events.js';
import { DrillRunner } from '../../src/core/drills/runner.js';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { WebhookDispatcher } from '../../src/core/outbox/dispatcher.js';
import { recordEvent } from '../../src/core/store/events.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createWebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { LIVE_JS } from '../../src/http/pages/static/live-js.js';
import { clientFor, createTestApp, ok, rawClient, waitFor, type TestApp } from '../helpers.js';
import { startTargetServer } from '../support/target-server.js';
import { HOOK_PATH, startWebhookReceiver } from '../support/webhook-receiver.js';

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** A temp database, the app wired to a drill runner and to private webhook URLs; the monitor on demand. */
async function setup(ctx: TestContext) {
  const t: TestApp = await createTestApp();
  const runtime = createNodeProbeRuntime();
  // Closed last-opened first when the test ends.
  const opened: Array<() => unknown> = [() => t.close(), () => runtime.close()];
  ctx.onTestFinished(async () => {
    for (const close of opened.reverse()) await close();
  });
  let runner: DrillRunner | undefined;
  const app = createApp({
    database: () => t.sqlite.db,
    drills: { startRun: (c, id) => runner!.startRun(c, id), abortRun: (c, id, why) => runner!.abortRun(c, id, why) },
    webhooks: { allowPrivate: true },
  });
  return {
    t,
    call: clientFor(app, t.tokens),
    async target() {
      const server = await startTargetServer('healthy');
      opened.push(() => server.close());
      return server;
    },
    async receiver(mode: Parameters<typeof startWebhookReceiver>[0]) {
      const receiver = await startWebhookReceiver(mode);
      opened.push(() => receiver.close());
      return receiver;
    },
    async start() {
      const live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200 });
      opened.push(() => live.stop());
      runner = new DrillRunner({ db: t.sqlite.db, live, tickMs: 100 });
      runner.start();
      opened.push(() => runner!.stop());
    },
    /** Every stored event, its data parsed. */
    events() {
      const rows = rawClient(t.sqlite).prepare('select id, type, subject_kind, data from events order by id').all() as Array<{ id: number; type: string; subject_kind: string; data: string }>;
      return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as unknown }));
    },
  };
}

type Env = Awaited<ReturnType<typeof setup>>;

/** Each stored event is a catalog type, about the catalog's subject kind, with data that parses. */
function expectCatalogued(expect: TestContext['expect'], env: Env): Set<string> {
  const rows = env.events();
  const problems = rows.flatMap((row) => {
    const payload = payloadProblems(row.type, row.data);
    if (payload) return [`event ${row.id} ${row.type}: ${payload}`];
    const subject = isEventType(row.type) ? EVENT_CATALOG[row.type].subject : null;
    return subject === row.subject_kind ? [] : [`event ${row.id} ${row.type}: subject ${row.subject_kind}, the catalog says ${subject}`];
  });
  expect(problems).toEqual([]);
  return new Set(rows.map((r) => r.type));
}

async function asset(env: Env, key: string, extra: Record<string, unknown> = {}) {
  return (await ok(env.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key, ...extra } }), 201)).id as number;
}

async function httpCheck(env: Env, key: string, assetId: number, url: string) {
  return (await ok(env.call('POST', '/api/checks', {
    body: { key, assetId, kind: 'http', intervalSeconds: 1, timeoutMs: 1_000, failureThreshold: 1, successThreshold: 1, http: { url, expectStatus: 200 } },
  }), 201)).id as number;
}

async function fn(env: Env, key: string, members: number[]) {
  const body = { key, name: key, tier: 'PMEF', rtoSeconds: 600, mtdSeconds: 3_600, groups: [{ name: 'sites', k: 1, members: members.map((assetId) => ({ assetId })) }] };
  return (await ok(env.call('POST', '/api/functions', { body }), 201)).id as number;
}

describe('every event the code stores is in the catalog, with data that parses', () => {
  it('configuration through the API: inventory, checks, functions, maintenance, tokens, webhooks, scenarios, drills, status pages, ingest', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const { call } = env;
    const a = await asset(env, 'gs-a');
    const b = await asset(env, 'gs-b');
    await ok(call('PATCH', `/api/assets/${b}`, { body: { name: 'GS B' } }));
    const check = await httpCheck(env, 'gs-a-health', a, 'http://127.0.0.1:9/');
    await ok(call('PATCH', `/api/checks/${check}`, { body: { intervalSeconds: 5 } }));
    await ok(call('DELETE', `/api/checks/${check}`), 204);
    const f = await fn(env, 'relay', [a, b]);
    await ok(call('PATCH', `/api/functions/${f}`, { body: { name: 'Relay' } }));
    const spare = await fn(env, 'spare', [b]);
    await ok(call('DELETE', `/api/functions/${spare}`), 204);
    await ok(call('DELETE', `/api/assets/${b}?force=true`), 204);

    const at = (ms: number) => new Date(ms).toISOString();
    const maintenance = await ok(call('POST', '/api/maintenance', { body: { key: 'swap', title: 'Antenna swap', assetIds: [a], startsAt: at(Date.now() + 86_400_000), endsAt: at(Date.now() + 90_000_000) } }), 201);
    await ok(call('DELETE', `/api/maintenance/${maintenance.id}`), 204);

    const token = await ok(call('POST', '/api/tokens', { body: { name: 'wall-screen', role: 'viewer' } }), 201);
    await ok(call('DELETE', `/api/tokens/${token.id}`), 200);

    const receiver = await env.receiver('ok');
    const hook = await ok(call('POST', '/api/webhooks', { body: { url: receiver.urlFor(HOOK_PATH), events: ['asset.down', 'drill.failed'] } }), 201);
    await ok(call('PATCH', `/api/webhooks/${hook.id}`, { body: { name: 'ops' } }));
    const ping = await ok(call('POST', `/api/webhooks/${hook.id}/test`), 202);
    const dispatcher = new WebhookDispatcher({ db: env.t.sqlite.db, send: createWebhookSender({ allowPrivate: true, timeoutMs: 2_000 }).send });
    await dispatcher.deliverDue();
    await ok(call('POST', `/api/webhooks/${hook.id}/deliveries/${ping.deliveryId}/redeliver`), 202);
    await ok(call('DELETE', `/api/webhooks/${hook.id}`), 204);

    const scenario = await ok(call('POST', '/api/scenarios', {
      body: { key: 'kanto-quake', name: 'Kanto quake', kind: 'earthquake', params: { lat: 35.3, lon: 139.4, depthKm: 23, mw: 7.9, faultType: 'interplate' } },
    }), 201);
    await ok(call('DELETE', `/api/scenarios/${scenario.id}`), 204);
    const drill = await ok(call('POST', '/api/drills', { body: { key: 'gs-a-loss', name: 'GS A loss', targetAssetIds: [a] } }), 201);
    await ok(call('DELETE', `/api/drills/${drill.id}`), 204);

    const page = await ok(call('POST', '/api/status-pages', { body: { slug: 'public', title: 'Public', components: [{ assetId: a, name: 'A' }] } }), 201);
    await ok(call('PATCH', `/api/status-pages/${page.id}`, { body: { title: 'Public status' } }));
    await ok(call('DELETE', `/api/status-pages/${page.id}`), 204);

    await ok(call('POST', '/api/ingest/alertmanager', {
      token: env.t.tokens.officer,
      body: {
        version: '4', groupKey: '{}', truncatedAlerts: 0, status: 'firing', receiver: 'coopwatch', groupLabels: {}, commonLabels: {}, commonAnnotations: {},
        externalURL: 'http://alertmanager.example:9093',
        alerts: [{ status: 'firing', labels: { alertname: 'StationDown', asset: 'gs-a' }, annotations: {}, startsAt: at(Date.now()), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://p', fingerprint: 'f1' }],
      },
    }));

    const seen = expectCatalogued(expect, env);
    expect([...seen].sort()).toEqual(expect.arrayContaining([
      'asset.created', 'asset.updated', 'asset.deleted', 'check.created', 'check.updated', 'check.deleted',
      'function.created', 'function.updated', 'function.deleted', 'maintenance.created', 'maintenance.deleted',
      'token.created', 'token.revoked', 'webhook.created', 'webhook.updated', 'webhook.redelivery_requested', 'webhook.deleted',
      'scenario.created', 'scenario.deleted', 'drill.created', 'drill.retired', 'status_page.created', 'status_page.updated', 'status_page.deleted',
      'ingest.alertmanager',
    ]));
  });

  it('the inventory file: every kind of item it applies', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const demo = path.join(SRC, '../seeds/demo.yaml');
    const source = fs.readFileSync(demo, 'utf8').replaceAll('${DEMO_FLEET_URL}', 'http://127.0.0.1:9');
    await ok(env.call('POST', '/api/inventory/apply', { raw: source, headers: { 'content-type': 'application/yaml' } }));
    await ok(env.call('POST', '/api/inventory/apply', { raw: source.replace(/name: (.*)/, 'name: $1 (renamed)'), headers: { 'content-type': 'application/yaml' } }));
    const seen = expectCatalogued(expect, env);
    expect([...seen]).toEqual(expect.arrayContaining(['inventory.applied', 'asset.created', 'check.created', 'drill.created', 'scenario.created', 'status_page.created']));
  });

  it('the monitor, incidents, drill runs (pass, tabletop, no targets, abort) and a subscription the endpoint has gone from', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const { call, t } = env;
    const primaryServer = await env.target();
    const alternateServer = await env.target();
    const primary = await asset(env, 'aws-tokyo', { kind: 'cloud_region' });
    const alternate = await asset(env, 'aws-osaka', { kind: 'cloud_region' });
    await httpCheck(env, 'tokyo-health', primary, primaryServer.url);
    await httpCheck(env, 'osaka-health', alternate, alternateServer.url);
    const relay = await fn(env, 'relay', [primary, alternate]);
    const gone = await env.receiver('status:410');
    const sub = await ok(call('POST', '/api/webhooks', { body: { url: gone.urlFor(HOOK_PATH), events: ['drill.failed', 'asset.down'], includeDrills: true } }), 201);
    expect(sub.events).toEqual(['drill.failed', 'asset.down']);
    await env.start();
    const status = async (id: number) => (await ok(call('GET', `/api/assets/${id}`))).status as string;
    for (const id of [primary, alternate]) await waitFor(`asset ${id} up`, async () => (await status(id)) === 'up');

    // A real outage: down, redundancy lost, an incident acknowledged, updated and resolved.
    primaryServer.setMode('failing');
    await waitFor('tokyo down', async () => (await status(primary)) === 'down');
    const [incident] = await waitFor('incident opened', async () => {
      const items = (await ok(call('GET', '/api/incidents'))).items;
      return items.length ? items : null;
    });
    await ok(call('POST', `/api/incidents/${incident.id}/ack`, { token: t.tokens.officer }));
    await ok(call('POST', `/api/incidents/${incident.id}/updates`, { token: t.tokens.officer, body: { status: 'identified', message: 'feed cut' } }), 201);
    primaryServer.setMode('healthy');
    await waitFor('tokyo up', async () => (await status(primary)) === 'up');

    // Drill runs: a simulated failover that passes, a tabletop, one with no targets, one aborted.
    const drill = (body: Record<string, unknown>) => ok(call('POST', '/api/drills', { token: t.tokens.planner, body: { name: String(body.key), ...body } }), 201);
    const run = (drillId: number) => ok(call('POST', `/api/drills/${drillId}/runs`, { token: t.tokens.planner }), 201);
    const finished = (drillId: number, runId: number) =>
      waitFor(`run ${runId} finished`, async () => {
        const r = await ok(call('GET', `/api/drills/${drillId}/runs/${runId}`));
        return r.status !== 'running' ? r : null;
      }, 15_000);
    const failover = await drill({ key: 'tokyo-sim', targetAssetIds: [primary], hypothesis: { functionIds: [relay], ttfLimitSeconds: 60 } });
    const passed = await run(failover.id);
    expect(await finished(failover.id, passed.id)).toMatchObject({ status: 'completed', verdict: 'pass' });
    const tabletop = await drill({ key: 'tokyo-tabletop', targetAssetIds: [primary], exerciseType: 'tabletop' });
    await finished(tabletop.id, (await run(tabletop.id)).id);
    // A custom scenario around a point in the South Atlantic: nothing there to exercise.
    const ocean = await ok(call('POST', '/api/scenarios', {
      body: { key: 'empty-ocean', name: 'Empty ocean', kind: 'custom', params: { selector: { radius: { lat: -40, lon: -20, km: 100 } } } },
    }), 201);
    const empty = await drill({ key: 'nothing-to-break', scenarioId: ocean.id });
    expect(await finished(empty.id, (await run(empty.id)).id)).toMatchObject({ status: 'failed' });
    const aborted = await drill({ key: 'tokyo-abort', targetAssetIds: [primary, alternate], guardrails: { maxDurationSeconds: 120 } });
    const toAbort = await run(aborted.id);
    await ok(call('POST', `/api/drills/${aborted.id}/runs/${toAbort.id}/abort`, { token: t.tokens.planner, body: { reason: 'end of the test' } }));
    await finished(aborted.id, toAbort.id);
    const finding = await ok(call('POST', `/api/drills/${failover.id}/runs/${passed.id}/findings`, { token: t.tokens.planner, body: { title: 'Runbook', owner: 'ops', dueDate: '2030-01-01' } }), 201);
    await ok(call('PATCH', `/api/findings/${finding.id}`, { token: t.tokens.planner, body: { status: 'closed' } }));

    // The endpoint answers 410 Gone to the drill.failed delivery: the subscription is disabled.
    const dispatcher = new WebhookDispatcher({ db: t.sqlite.db, send: createWebhookSender({ allowPrivate: true, timeoutMs: 2_000 }).send });
    await dispatcher.fanOut();
    await dispatcher.deliverDue();
    const delivered = gone.requests.map((r) => gone.json(r).type);
    expect(delivered).toContain('drill.failed');

    const seen = expectCatalogued(expect, env);
    expect([...seen]).toEqual(expect.arrayContaining([
      'asset.down', 'asset.up', 'redundancy.lost', 'redundancy.restored', 'incident.opened', 'incident.acknowledged', 'incident.updated', 'incident.resolved',
      'drill.started', 'drill.detected', 'drill.failed_over', 'drill.completed', 'drill.failed', 'drill.aborted', 'finding.created', 'finding.updated',
      'webhook.disabled',
    ]));
  }, 60_000);
});

describe('the source names only catalog types', () => {
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  // Only modules that import recordEvent / EventSpec can store an event.
  const producers = files(SRC).filter((file) => /from '[./]*\/?store\/events\.js'|from '\.\/events\.js'/.test(fs.readFileSync(file, 'utf8')) && !file.endsWith('store/events.ts'));

  it('finds the producers', ({ expect }) => {
    const names = producers.map((f) => path.relative(SRC, f));
    expect(names).toEqual(expect.arrayContaining(['core/monitor/write-plan.ts', 'core/drills/run-events.ts', 'core/outbox/dispatcher.ts', 'core/services/assets.ts']));
  });

  it('every event type literal in a producer is in the catalog', ({ expect }) => {
    const unknown: string[] = [];
    let literals = 0;
    for (const file of producers) {
      for (const [, type] of fs.readFileSync(file, 'utf8').matchAll(/'([a-z_]+\.[a-z_]+)'/g)) {
        literals++;
        if (!isEventType(type!)) unknown.push(`${path.relative(SRC, file)}: ${type}`);
      }
    }
    expect(unknown).toEqual([]);
    expect(literals).toBeGreaterThan(40);
  });

  it('every type a template builds (`asset.${status}`) is in the catalog for each status', ({ expect }) => {
    const statuses: Record<string, readonly string[]> = { asset: ASSET_STATUSES, function: FUNCTION_STATUSES };
    const built: string[] = [];
    for (const file of producers) {
      for (const [, family] of fs.readFileSync(file, 'utf8').matchAll(/type: `([a-z_]+)\.\$\{[^}]+\}`/g)) {
        expect(Object.keys(statuses), `a template event type in ${file}`).toContain(family);
        built.push(...statuses[family!]!.map((s) => `${family}.${s}`));
      }
    }
    expect(built.length).toBeGreaterThan(0);
    expect(built.filter((type) => !isEventType(type))).toEqual([]);
  });

  it('a producer cannot record an unlisted type or the wrong data (checked by tsc, which runs these lines)', ({ expect }) => {
    const ctx = { db: null as never, actor: { name: 't' } as never, now: () => 0 };
    const wrong = () => [
      // @ts-expect-error: not in the catalog
      recordEvent(ctx, { type: 'asset.exploded', subjectKind: 'asset' }),
      // @ts-expect-error: asset.down carries the asset's picture
      recordEvent(ctx, { type: 'asset.down', subjectKind: 'asset', data: { assetKey: 'a' } }),
      // @ts-expect-error: token events are about tokens
      recordEvent(ctx, { type: 'token.revoked', subjectKind: 'asset' }),
    ];
    expect(typeof wrong).toBe('function');
  });
});

describe('the derived lists', () => {
  it('the browser script listens for exactly the streamed types', ({ expect }) => {
    const match = /var TYPES = (\[.*?\]);/.exec(LIVE_JS);
    expect(match).not.toBeNull();
    expect(JSON.parse(match![1]!)).toEqual(STREAMED_EVENT_TYPES);
    expect(STREAMED_EVENT_TYPES).toEqual(expect.arrayContaining(['asset.down', 'function.lost', 'incident.opened', 'drill.failed', 'inventory.applied']));
  });

  it('the stream sends the watch floor subjects (vantages among them), not tokens or webhooks', ({ expect }) => {
    expect([...STREAMED_SUBJECTS].sort()).toEqual(['allied', 'asset', 'check', 'drill', 'drill_run', 'function', 'incident', 'inventory', 'maintenance', 'satellite', 'scenario', 'vantage']);
  });

  it('webhooks can subscribe to every state change and drill step, drill.failed included, and to nothing else', ({ expect }) => {
    expect(WEBHOOK_EVENT_TYPES).toContain('drill.failed');
    expect(WEBHOOK_EVENT_TYPES.filter((type) => !isEventType(type))).toEqual([]);
    expect(WEBHOOK_EVENT_TYPES.some((type) => type.startsWith('token.') || type.startsWith('webhook.'))).toBe(false);
  });

  it('the monitor reloads after definition changes only', ({ expect }) => {
    expect(MONITOR_RELOAD_EVENT_TYPES).toEqual(expect.arrayContaining(['asset.created', 'check.updated', 'function.deleted', 'maintenance.created', 'satellite.updated', 'inventory.applied']));
    expect(MONITOR_RELOAD_EVENT_TYPES.filter((type) => !type.endsWith('.created') && !type.endsWith('.updated') && !type.endsWith('.deleted') && type !== 'inventory.applied')).toEqual([]);
    expect(EVENT_TYPES.length).toBe(new Set(EVENT_TYPES).size);
  });
});
