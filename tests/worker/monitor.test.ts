// The monitor on Workers: check shards (Durable Objects on their alarms) probe real sockets on
// 127.0.0.1 and hand their results to the coordinator, which records state, opens and resolves
// incidents, runs drills and fans out signed webhooks through the queue.
import { abortAllDurableObjects, env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { degreesLat, degreesLong, eciToGeodetic, gstime, propagate } from 'satellite.js';
import { parseOrbitalElements, toSatrec } from '../../src/core/domain/orbits/elements.js';
import { predictPasses } from '../../src/core/domain/orbits/passes.js';
import { call, eventually, expectStatus } from './client.js';

const fixture = inject('fixtureUrl');

async function setTarget(mode: 'healthy' | 'failing'): Promise<void> {
  await (await fetch(`${fixture}/control?mode=${mode}`, { method: 'POST' })).text();
}

/** What the receiver's /hook got. */
async function received(): Promise<Array<{ headers: Record<string, string>; body: string }>> {
  return ((await (await fetch(`${fixture}/received`)).json()) as Array<{ path: string; headers: Record<string, string>; body: string }>).filter((r) => r.path === '/hook');
}

async function count(query: string, ...bindings: unknown[]): Promise<number> {
  return (await env.DB.prepare(query).bind(...bindings).first<{ n: number }>())!.n;
}

async function assetStatus(id: number): Promise<string> {
  return (await expectStatus(call('GET', `/api/assets/${id}`), 200)).status;
}

async function becomes(id: number, status: string): Promise<void> {
  const seen = await eventually(() => assetStatus(id), (s) => s === status, 20_000);
  // On a miss, what the central shards hold and last met says where the results stopped.
  expect(seen, seen === status ? undefined : `central shards: ${JSON.stringify(await shardStatuses('central', 4))}`).toBe(status);
}

const shard = (name: string) => env.SHARDS.get(env.SHARDS.idFromName(name));
const coordinator = () => env.COORDINATOR.get(env.COORDINATOR.idFromName('coordinator'));

async function shardStatuses(vantage: string, shards: number) {
  return Promise.all(Array.from({ length: shards }, (_, i) => shard(`${vantage}/${i}`).status()));
}

const station = async (key: string) => (await expectStatus(call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key } }), 201)).id as number;

describe('the monitor in Durable Objects', () => {
  let stationId: number;
  let checkId: number;

  beforeAll(async () => {
    await (await fetch(`${fixture}/control?mode=healthy&reset=1`, { method: 'POST' })).text();
    stationId = await station('gs-kiruna');
    checkId = (await expectStatus(call('POST', '/api/checks', {
      body: { key: 'kiruna-health', assetId: stationId, kind: 'http', intervalSeconds: 1, failureThreshold: 1, successThreshold: 1, http: { url: `${fixture}/target` } },
    }), 201)).id;
    await expectStatus(call('POST', '/api/webhooks', { body: { url: `${fixture}/hook`, events: ['asset.down', 'incident.opened', 'incident.resolved'] } }), 201);
  });

  it('probes from a shard on its alarm and marks the asset up, with the result in D1 and the raw result in the shard', async () => {
    await becomes(stationId, 'up');
    expect(await count('select count(*) as n from check_results where check_id = ? and status = 0', checkId)).toBeGreaterThan(0);
    // its one check_latest row (D1's multi-row upsert) holds the newest result and the central streak
    expect(await count('select count(*) as n from check_latest where check_id = ? and ts = (select max(ts) from check_results where check_id = ?) and streak_status = 0 and observed_at = ts', checkId, checkId)).toBe(1);
    const statuses = await shardStatuses('central', 4);
    expect(statuses.reduce((n, s) => n + s.checks, 0)).toBe(1);
    expect(statuses.find((s) => s.checks === 1)!.sent).toBeGreaterThan(0);
  });

  it('sees the target fail: asset down, incident opened, signed webhooks delivered in order', async () => {
    await setTarget('failing');
    await becomes(stationId, 'down');
    const incidents = await expectStatus(call('GET', '/api/incidents'), 200);
    expect(incidents.items).toEqual([expect.objectContaining({ state: 'open', title: expect.stringContaining('gs-kiruna is down') })]);
    const got = await eventually(received, (all) => all.length >= 2);
    expect(got.map((r) => JSON.parse(r.body).type)).toEqual(['asset.down', 'incident.opened']);
    for (const r of got) expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
  });

  it('resolves the incident when the target recovers', async () => {
    await setTarget('healthy');
    await becomes(stationId, 'up');
    expect((await expectStatus(call('GET', '/api/incidents'), 200)).items[0]).toMatchObject({ state: 'resolved' });
    const got = await eventually(received, (all) => all.some((r) => JSON.parse(r.body).type === 'incident.resolved'));
    expect(got.map((r) => JSON.parse(r.body).type)).toEqual(['asset.down', 'incident.opened', 'incident.resolved']);
  });

  it('judges a push check by the heartbeats in D1', async () => {
    const terminal = await station('vsat-terminal-7');
    const push = await expectStatus(call('POST', '/api/checks', {
      body: { key: 'terminal-7-heartbeat', assetId: terminal, kind: 'push', intervalSeconds: 1, failureThreshold: 1, successThreshold: 1, push: { graceSeconds: 0 } },
    }), 201);
    // The terminal pushes every 300 ms until the shard's push check has judged it up.
    const pushing = setInterval(() => void call('POST', push.pushUrl, { token: null }), 300);
    try {
      await becomes(terminal, 'up');
    } finally {
      clearInterval(pushing);
    }
    // No heartbeat for longer than interval + grace: down.
    await becomes(terminal, 'down');
    await expectStatus(call('DELETE', `/api/checks/${push.id}`), 204);
  });

  it('loses no state and no event when every object is evicted mid-run', async () => {
    await setTarget('failing');
    await becomes(stationId, 'down');
    const downEvents = () => count("select count(*) as n from events where type = 'asset.down' and subject_key = 'gs-kiruna'");
    const before = { downs: await downEvents(), results: await count('select count(*) as n from check_results where check_id = ?', checkId) };

    await abortAllDurableObjects();

    // The shard's next alarm wakes it with its checks; its results wake the coordinator, which loads from D1.
    await eventually(() => count('select count(*) as n from check_results where check_id = ?', checkId), (n) => n >= before.results + 3);
    expect(await assetStatus(stationId)).toBe('down');
    expect(await downEvents()).toBe(before.downs);
    const kiruna = async () => ((await expectStatus(call('GET', '/api/incidents?state=open'), 200)).items as Array<{ title: string }>).filter((i) => i.title.includes('gs-kiruna'));
    expect(await kiruna()).toHaveLength(1);

    await setTarget('healthy');
    await becomes(stationId, 'up');
    expect(await kiruna()).toHaveLength(0);
  });

  it('moves checks when the shard count changes, keeping their state', async () => {
    const assets = await Promise.all(Array.from({ length: 12 }, (_, i) => station(`gs-reshard-${i}`)));
    for (const [i, assetId] of assets.entries()) {
      await expectStatus(call('POST', '/api/checks', {
        body: { key: `reshard-${i}`, assetId, kind: 'http', intervalSeconds: 1, failureThreshold: 1, successThreshold: 1, http: { url: `${fixture}/probe/reshard-${i}` } },
      }), 201);
    }
    for (const id of assets) await becomes(id, 'up');
    const upEvents = await count("select count(*) as n from events where type = 'asset.up' and subject_key like 'gs-reshard-%'");

    await coordinator().reshard(6);
    const statuses = await eventually(() => shardStatuses('central', 6), (all) => all[4]!.checks + all[5]!.checks > 0);
    expect(statuses.reduce((n, s) => n + s.checks, 0)).toBe(14 - 1); // the 12, kiruna and nothing twice (the push check was deleted)

    // Every moved check is probed from its new shard; no asset changed state on the way.
    const since = Date.now();
    const probed = await eventually(
      async () => new Set(((await (await fetch(`${fixture}/probes?since=${since}`)).json()) as Array<{ key: string }>).map((p) => p.key)),
      (keys) => keys.size === 12,
    );
    expect(probed.size).toBe(12);
    for (const id of assets) expect(await assetStatus(id)).toBe('up');
    expect(await count("select count(*) as n from events where type = 'asset.up' and subject_key like 'gs-reshard-%'")).toBe(upEvents);
    await coordinator().reshard(null);
  });

  it('runs a simulated drill in the coordinator: detected, failed over, restored — with no incident and no page', async () => {
    const [a, b] = [await station('gs-awarua'), await station('gs-hartebeesthoek')];
    for (const [key, assetId] of [['awarua-health', a], ['hartebeesthoek-health', b]] as const) {
      await expectStatus(call('POST', '/api/checks', { body: { key, assetId, kind: 'http', intervalSeconds: 1, failureThreshold: 1, successThreshold: 1, http: { url: `${fixture}/target` } } }), 201);
    }
    const fn = await expectStatus(call('POST', '/api/functions', {
      body: { key: 'tt-and-c-south', name: 'TT&C south', tier: 'MEF', rtoSeconds: 900, mtdSeconds: 3600, groups: [{ name: 'stations', k: 1, members: [{ assetId: a }, { assetId: b }] }] },
    }), 201);
    await becomes(a, 'up');
    await becomes(b, 'up');
    const incidentsBefore = (await expectStatus(call('GET', '/api/incidents'), 200)).items.length;
    const deliveriesBefore = await count('select count(*) as n from webhook_deliveries');

    const drill = await expectStatus(call('POST', '/api/drills', {
      body: { key: 'awarua-loss', name: 'Awarua loss', targetAssetIds: [a], mode: 'simulated', hypothesis: { functionIds: [fn.id] }, guardrails: { maxDurationSeconds: 3600 } },
    }), 201);
    const run = await expectStatus(call('POST', `/api/drills/${drill.id}/runs`), 201);
    expect(run.status).toBe('running');
    const done = await eventually(() => expectStatus(call('GET', `/api/drills/${drill.id}/runs/${run.id}`), 200), (r) => r.status !== 'running', 30_000);
    expect(done).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(done.steps.map((s: { step: string }) => s.step)).toEqual(['resolve_targets', 'inject', 'detected', 'failed_over', 'rollback', 'restored']);
    await becomes(a, 'up');
    expect((await expectStatus(call('GET', '/api/incidents'), 200)).items).toHaveLength(incidentsBefore);
    expect(await count('select count(*) as n from webhook_deliveries')).toBe(deliveriesBefore);
    expect(await count("select count(*) as n from events where type = 'asset.down' and subject_key = 'gs-awarua' and drill_run_id = ?", run.id)).toBe(1);
  });
});

describe('vantages in several regions', () => {
  it('applies the quorum of three location-hinted vantages: one failing view is disputed, two are down', async () => {
    for (const [name, locationHint] of [['apac', 'apac'], ['wnam', 'wnam'], ['weur', 'weur']] as const) {
      const created = await expectStatus(call('POST', '/api/vantages', { body: { name, locationHint, graceSeconds: 30 } }), 201);
      expect(created).toMatchObject({ kind: 'region', locationHint, status: 'pending' });
    }
    const relay = await station('mw-relay');
    await expectStatus(call('POST', '/api/checks', {
      body: { key: 'relay-health', assetId: relay, kind: 'http', intervalSeconds: 1, failureThreshold: 1, successThreshold: 1, vantages: ['apac', 'wnam', 'weur'], quorum: 2, http: { url: `${fixture}/probe/relay` } },
    }), 201);
    await becomes(relay, 'up');
    const regions = async () => ((await expectStatus(call('GET', '/api/vantages'), 200)).items as Array<{ kind: string; status: string }>).filter((v) => v.kind === 'region');
    expect((await eventually(regions, (all) => all.every((v) => v.status === 'live'))).map((v) => v.status)).toEqual(['live', 'live', 'live']);

    const failFrom = (vantage: string, on: boolean) => fetch(`${fixture}/control?failFor=coopwatch-region/${vantage}&on=${on ? 1 : 0}`, { method: 'POST' }).then((r) => r.text());
    await failFrom('apac', true);
    await becomes(relay, 'degraded');
    const check = await eventually(() => expectStatus(call('GET', '/api/checks?assetId=' + relay), 200), (c) => c.items[0].status === 'disputed');
    expect(check.items[0].message).toMatch(/down from apac, up from wnam and weur/);
    expect((await expectStatus(call('GET', '/api/incidents?state=open'), 200)).items.filter((i: { title: string }) => i.title.includes('mw-relay'))).toHaveLength(0);

    await failFrom('wnam', true);
    await becomes(relay, 'down');
    expect((await expectStatus(call('GET', '/api/incidents?state=open'), 200)).items.filter((i: { title: string }) => i.title.includes('mw-relay'))).toHaveLength(1);

    await failFrom('apac', false);
    await failFrom('wnam', false);
    await becomes(relay, 'up');
  });
});

describe('a webhook receiver down, then up', () => {
  it('gets every delivery once, in order for each subject, through the queue', { timeout: 120_000 }, async () => {
    const hook = '/hook/order';
    const control = (query: string) => fetch(`${fixture}/control?${query}`, { method: 'POST' }).then((r) => r.text());
    await control(`hook=${encodeURIComponent(hook)}&status=503`);
    const webhook = await expectStatus(call('POST', '/api/webhooks', { body: { url: `${fixture}${hook}`, events: ['asset.down', 'asset.up'] } }), 201);
    const stations: Array<{ key: string; assetId: number; checkId: number; changedAt: number }> = [];
    for (const key of ['order-a', 'order-b']) {
      const assetId = await station(`gs-${key}`);
      const { id } = await expectStatus(call('POST', '/api/checks', { body: { key, assetId, kind: 'http', intervalSeconds: 1, failureThreshold: 1, successThreshold: 1, http: { url: `${fixture}/probe/${key}` } } }), 201);
      await becomes(assetId, 'up');
      stations.push({ key, assetId, checkId: id, changedAt: Date.now() });
    }
    // Four changes a few results apart make a check flapping (src/core/domain/flapping.ts: the
    // changes in its last 21 results weigh 20 % or more), and this test is about deliveries, not
    // that: a station changes again only after 7 results since its last change, so no 21 results
    // hold more than three changes. With just the other station's change between, it raced that rule.
    const resultsSince = (s: (typeof stations)[number]) => count('select count(*) as n from check_results where check_id = ? and ts > ?', s.checkId, s.changedAt);
    // While the receiver answers 503, each station goes down and comes back twice.
    for (let round = 0; round < 2; round++) {
      for (const down of [true, false]) {
        for (const s of stations) {
          await eventually(() => resultsSince(s), (n) => n >= 7, 30_000);
          await control(`failKey=${s.key}&on=${down ? 1 : 0}`);
          await becomes(s.assetId, down ? 'down' : 'up');
          s.changedAt = Date.now();
        }
      }
    }
    await control(`hook=${encodeURIComponent(hook)}&status=200`);

    // Each station's first `up`, then two downs and two ups: ten events, each a delivery.
    const stored = async (subject: string) =>
      (await env.DB.prepare("select type from events where subject_key = ? and type in ('asset.down', 'asset.up') order by id").bind(subject).all<{ type: string }>()).results.map((e) => e.type);
    expect([...(await stored('gs-order-a')), ...(await stored('gs-order-b'))]).toHaveLength(10);
    const deliveries = async () => (await expectStatus(call('GET', `/api/webhooks/${webhook.id}/deliveries?limit=100`), 200)).items as Array<{ status: string }>;
    const settled = await eventually(deliveries, (all) => all.length === 10 && all.every((d) => d.status === 'succeeded'), 90_000);
    expect(settled.map((d) => d.status)).toEqual(Array(10).fill('succeeded'));

    const got = ((await (await fetch(`${fixture}/received`)).json()) as Array<{ path: string; headers: Record<string, string>; body: string; status: number }>)
      .filter((r) => r.path === hook && r.status === 200)
      .map((r) => ({ id: r.headers['webhook-id'], ...(JSON.parse(r.body) as { type: string; data: { assetKey: string } }) }));
    expect(new Set(got.map((r) => r.id)).size).toBe(10);
    expect(got).toHaveLength(10);
    for (const subject of ['gs-order-a', 'gs-order-b']) {
      expect(got.filter((r) => r.data.assetKey === subject).map((r) => r.type)).toEqual(await stored(subject));
    }
  });
});

describe('contact checks on a shard', () => {
  it('report a pass without contact as missed, once, and one with contact not at all, though every object was evicted during the pass', { timeout: 120_000 }, async () => {
    await expectStatus(call('POST', '/api/inventory/apply', { body: { satellites: [{ key: 'leo-test', name: 'LEO-TEST', noradId: 99077, orbit: { altitudeKm: 300, raanDeg: 40, meanAnomalyDeg: 10 } }] } }), 200);
    const row = await env.DB.prepare("select elements from satellites where key = 'leo-test'").first<{ elements: string }>();
    const satrec = toSatrec(parseOrbitalElements(JSON.parse(row!.elements)));
    // Stations under a low satellite's track 50 s from now, with a high mask: a pass of under a minute, soon.
    const overhead = new Date(Date.now() + 50_000);
    const position = propagate(satrec, overhead);
    if (!position || typeof position.position === 'boolean') throw new Error('no position from the elements');
    const ground = eciToGeodetic(position.position, gstime(overhead));
    const location = { lat: degreesLat(ground.latitude), lon: degreesLong(ground.longitude), altM: 0 };
    const mask = 60;
    const [pass] = predictPasses({ satelliteKey: 'leo-test', satrec }, location, Date.now(), Date.now() + 600_000, mask);
    expect(pass!.aosMs).toBeGreaterThan(Date.now());

    // Two stations side by side: one never answers its contact endpoint; the other answers once, early in the pass.
    const control = (key: string, failing: boolean) => fetch(`${fixture}/control?failKey=${key}&on=${failing ? 1 : 0}`, { method: 'POST' });
    await control('contact-silent', true);
    for (const key of ['silent', 'contacted']) {
      const stationId = (await expectStatus(call('POST', '/api/assets', { body: { key: `gs-${key}`, kind: 'ground_station', name: key, ...location } }), 201)).id;
      await expectStatus(call('POST', '/api/checks', {
        body: { key: `${key}-contact`, assetId: stationId, kind: 'contact', intervalSeconds: 1, contact: { satellites: ['leo-test'], elevationMaskDeg: mask, url: `${fixture}/probe/contact-${key}` } },
      }), 201);
    }
    const contacts = (key: string) => count("select count(*) as n from check_results r join checks c on c.id = r.check_id where c.key = ? and r.status = 0", `${key}-contact`);
    await eventually(() => contacts('contacted'), (n) => n > 0, pass!.losMs - Date.now());
    await control('contact-contacted', true);
    // With the contact made and nothing more answering, every object is evicted mid-pass.
    await abortAllDurableObjects();

    const missed = (key: string) => count("select count(*) as n from events where type = 'contact.missed' and subject_key = ?", `gs-${key}`);
    expect(await eventually(() => missed('silent'), (n) => n > 0, pass!.losMs - Date.now() + 15_000)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await missed('silent')).toBe(1);
    expect(await missed('contacted')).toBe(0);
    expect(await contacts('contacted')).toBeGreaterThan(0);
  });
});
