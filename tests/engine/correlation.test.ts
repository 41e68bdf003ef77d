// One incident per cause, against the running monitor and real loopback targets: links carry
// the stations behind them, declared `dependsOn` replaces the inference, the most upstream
// failure within the window is the cause, symptoms are children, and PagerDuty is paged once.
import { describe, it, type TestContext } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../../src/core/domain/events.js';
import { WebhookDispatcher } from '../../src/core/outbox/dispatcher.js';
import { createWebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { ok, rawClient, waitFor } from '../helpers.js';
import { liveMonitorEnv, type LiveMonitorEnv } from '../support/live-monitor-env.js';
import { runDispatcher, startWebhookReceiver, withWebhookDeps } from '../support/webhook-receiver.js';

const fast = { failureThreshold: 1, successThreshold: 1 };

/** SvalSat behind two subsea cables to Tromsø, and a relay function that needs SvalSat. */
async function svalbard(ctx: TestContext) {
  const env = await liveMonitorEnv(ctx);
  const [stationTarget, tromsoTarget, cable1Target, cable2Target] = await Promise.all([1, 2, 3, 4].map(() => env.target('healthy')));
  const station = await env.createAsset('ksat-svalsat', { criticality: 'high' });
  const tromso = await env.createAsset('ksat-tromso');
  const cable1 = await env.createAsset('svalbard-cable-1', { kind: 'network_link', link: { fromAssetId: station, toAssetId: tromso } });
  const cable2 = await env.createAsset('svalbard-cable-2', { kind: 'network_link', link: { fromAssetId: station, toAssetId: tromso } });
  // Tromsø reaches the world another way too: it declares it depends on nothing.
  await ok(env.t.call('PATCH', `/api/assets/${tromso}`, { body: { dependsOn: [] } }));
  const relay = await ok(env.t.call('POST', '/api/functions', {
    body: { key: 'isr-downlink', name: 'ISR imagery downlink', tier: 'MEF', rtoSeconds: 600, mtdSeconds: 3600, groups: [{ name: 'polar', k: 1, members: [{ assetId: station }] }] },
  }), 201);
  await env.createHttpCheck('svalsat-health', station, stationTarget!.url, fast);
  await env.createHttpCheck('tromso-health', tromso, tromsoTarget!.url, fast);
  await env.createHttpCheck('cable-1-path', cable1, cable1Target!.url, fast);
  await env.createHttpCheck('cable-2-path', cable2, cable2Target!.url, fast);
  await env.startMonitor();
  for (const id of [station, tromso, cable1, cable2]) await env.assetStatusIs(id, 'up');
  const open = () => env.incidentsList('?state=open');
  return { env, station, tromso, cable1, cable2, relay, stationTarget: stationTarget!, cable1Target: cable1Target!, cable2Target: cable2Target!, open };
}

/** An edge asset, a hub (reached directly) and the link between them, each with a fast check. */
async function edgeBehindLink(ctx: TestContext, keys: { edge: string; hub: string; link: string }, edgeExtra: Record<string, unknown> = {}) {
  const env = await liveMonitorEnv(ctx);
  const [edgeTarget, linkTarget, hubTarget] = await Promise.all([1, 2, 3].map(() => env.target('healthy')));
  const hub = await env.createAsset(keys.hub, { kind: 'mission_ops_center', dependsOn: [] });
  const edge = await env.createAsset(keys.edge, edgeExtra);
  const link = await env.createAsset(keys.link, { kind: 'network_link', link: { fromAssetId: edge, toAssetId: hub } });
  await env.createHttpCheck(`${keys.edge}-health`, edge, edgeTarget!.url, fast);
  await env.createHttpCheck(`${keys.hub}-health`, hub, hubTarget!.url, fast);
  await env.createHttpCheck(`${keys.link}-path`, link, linkTarget!.url, fast);
  await env.startMonitor();
  await env.assetStatusIs(link, 'up');
  await env.assetStatusIs(edge, 'up');
  return { env, edge, hub, link, edgeTarget: edgeTarget!, linkTarget: linkTarget! };
}

/** A PagerDuty subscription to every event type; `triggers()` delivers what is queued and returns the triggers received. */
async function subscribePagerDuty(ctx: TestContext, env: LiveMonitorEnv) {
  const receiver = await startWebhookReceiver();
  const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 1_000 });
  ctx.onTestFinished(async () => {
    await sender.close();
    await receiver.close();
  });
  const body = { url: receiver.urlFor('/hook'), format: 'pagerduty', routingKey: 'R0UT1NGKEY0000000000000000000000', events: WEBHOOK_EVENT_TYPES };
  await ok(withWebhookDeps(env.t, { allowPrivate: true }).call('POST', '/api/webhooks', { body }), 201);
  const pending = () => (rawClient(env.t.sqlite).prepare("select count(*) as n from webhook_deliveries where status = 'pending'").get() as { n: number }).n;
  return {
    async triggers(): Promise<any[]> {
      const dispatcher = runDispatcher(new WebhookDispatcher({ db: env.t.sqlite.db, send: sender.send }));
      await receiver.waitForRequests(1);
      await waitFor('every delivery sent or skipped', () => pending() === 0);
      await dispatcher.stop();
      return receiver.requests.map((r) => receiver.json(r)).filter((b) => b.event_action === 'trigger');
    },
  };
}

describe.concurrent('one incident per cause', () => {
  it('a cable cut, then the station behind it: one incident, caused by the cable, and one page', async (ctx) => {
    const { expect } = ctx;
    const { env, edge: station, link, edgeTarget: stationTarget, linkTarget } = await edgeBehindLink(
      ctx, { edge: 'jaxa-usuda', hub: 'jaxa-tsukuba', link: 'usuda-tsukuba-wan' }, { criticality: 'high' },
    );
    const pagerDuty = await subscribePagerDuty(ctx, env);

    linkTarget.setMode('failing');
    await env.assetStatusIs(link, 'down');
    stationTarget.setMode('failing');
    await waitFor('the station attached', async () => (await env.incidentsList())[0]?.children.length === 1);
    const incidents = await env.incidentsList();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ cause: { assetId: link }, affected: { assets: [link, station] }, children: [expect.objectContaining({ assetId: station })] });
    // The watch floor shows the station under the link's incident.
    const login = await env.t.app.request('/login', { method: 'POST', body: new URLSearchParams({ token: env.t.tokens.viewer, next: '/' }), redirect: 'manual' });
    const floor = (await (await env.t.app.request('/watch.json', { headers: { cookie: login.headers.get('set-cookie')!.split(';')[0]! } })).json()) as any;
    expect(floor.incidents.map((i: any) => [i.assetName, i.symptoms])).toEqual([['usuda-tsukuba-wan', ['jaxa-usuda']]]);
    // One alert in PagerDuty: the station raised its severity under the same key (minor link → high-criticality station).
    const triggers = await pagerDuty.triggers();
    expect(triggers.map((p) => [p.dedup_key, p.payload.severity])).toEqual([[incidents[0].ref, 'warning'], [incidents[0].ref, 'error']]);

    // Repaired: the incident resolves and the station's child entry clears.
    linkTarget.setMode('healthy');
    stationTarget.setMode('healthy');
    await waitFor('resolved', async () => (await env.incidentsList('?state=open')).length === 0, 5_000);
    expect((await env.asset(station)).status).toBe('up');
  });

  it('a cable cut, then the other, then the station behind them: the cables are the cause, the station a child, PagerDuty paged per incident only', async (ctx) => {
    const { expect } = ctx;
    const { env, station, cable1, cable2, relay, stationTarget, cable1Target, cable2Target, open } = await svalbard(ctx);
    const pagerDuty = await subscribePagerDuty(ctx, env);

    cable1Target.setMode('failing');
    await env.assetStatusIs(cable1, 'down');
    const first = await waitFor('cable 1 incident', async () => (await open()).find((i) => i.cause?.assetId === cable1));
    cable2Target.setMode('failing');
    await env.assetStatusIs(cable2, 'down');
    stationTarget.setMode('failing');
    await env.assetStatusIs(station, 'down');
    await waitFor('the relay lost', async () => (await env.fn(relay.id)).status === 'lost');
    await waitFor('the station attached', async () => (await open()).some((i) => i.children.some((c: any) => c.assetId === station)));

    const incidents = await open();
    // One incident per cable (two causes), none for the station or the relay.
    expect(incidents.map((i) => i.cause).sort((a, b) => a.assetId - b.assetId)).toEqual([{ assetId: cable1 }, { assetId: cable2 }]);
    const carrier = incidents.find((i) => i.id === first.id)!;
    expect(carrier.children).toEqual(expect.arrayContaining([
      expect.objectContaining({ assetId: station, key: 'ksat-svalsat', clearedAt: null }),
      expect.objectContaining({ functionId: relay.id, key: 'isr-downlink', clearedAt: null }),
    ]));
    expect(carrier.affected.assets).toEqual(expect.arrayContaining([cable1, station]));
    expect(carrier.affected.functions).toEqual([relay.id]);
    expect(carrier.severity).toBe('major'); // raised by the lost MEF
    const stationDown = env.eventsOf('asset.down', { kind: 'asset', id: station });
    expect(stationDown.at(-1)!.data).toMatchObject({ suppressed: true, incidentRef: carrier.ref });

    const pages = await pagerDuty.triggers();
    // Two triggers for two incidents, plus one re-trigger of the first when the lost MEF raised it; no asset or function keys.
    expect(new Set(pages.map((p) => p.dedup_key))).toEqual(new Set(incidents.map((i) => i.ref)));
    expect(pages.filter((p) => p.dedup_key === carrier.ref).map((p) => p.payload.severity)).toEqual(['warning', 'error']);

    // Repair: everything clears within a check interval or so; the station and relay recover with their cause.
    for (const target of [cable1Target, cable2Target, stationTarget]) target.setMode('healthy');
    await waitFor('all resolved', async () => (await open()).length === 0, 5_000);
    const resolved = await ok(env.t.call('GET', `/api/incidents/${carrier.id}`));
    expect(resolved.state).toBe('resolved');
    expect(resolved.children.every((c: any) => c.clearedAt !== null || resolved.resolvedAt !== null)).toBe(true);
    expect((await env.asset(station)).status).toBe('up');
  });

  it('a station down, then its only link within the window: the link becomes the cause of the same incident', async (ctx) => {
    const { expect } = ctx;
    const { env, edge: station, hub: moc, link, edgeTarget: stationTarget, linkTarget } = await edgeBehindLink(
      ctx, { edge: 'gs-svalbard', hub: 'moc-oslo', link: 'link-svalbard-oslo' },
    );
    stationTarget.setMode('failing');
    const first = await waitFor('station incident', async () => (await env.incidentsList('?state=open')).find((i) => i.cause?.assetId === station));
    linkTarget.setMode('failing');
    await waitFor('re-rooted', async () => (await env.incidentsList('?state=open'))[0]?.cause?.assetId === link);

    const incidents = await env.incidentsList();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: first.id, ref: first.ref, cause: { assetId: link }, children: [expect.objectContaining({ assetId: station })] });
    expect(env.eventsOf('incident.correlated')[0]!.data).toMatchObject({ change: 'cause_changed', subjectKey: 'link-svalbard-oslo', causeKey: 'link-svalbard-oslo' });
    expect(env.eventsOf('asset.down', { kind: 'asset', id: link })[0]!.data).toMatchObject({ suppressed: true, incidentRef: first.ref });
    expect((await env.asset(moc)).status).toBe('up');
  });

  it('the cause repaired while its symptom stays down: the incident resolves and the symptom opens its own', async (ctx) => {
    const { expect } = ctx;
    const { env, station, cable1, cable2, relay, stationTarget, cable1Target, cable2Target, open } = await svalbard(ctx);
    cable1Target.setMode('failing');
    cable2Target.setMode('failing');
    await env.assetStatusIs(cable2, 'down');
    await env.assetStatusIs(cable1, 'down');
    stationTarget.setMode('failing');
    await waitFor('station attached', async () => (await open()).some((i) => i.children.some((c: any) => c.assetId === station)));
    expect((await open()).some((i) => i.cause?.assetId === station)).toBe(false);

    cable1Target.setMode('healthy');
    cable2Target.setMode('healthy');
    const own = await waitFor('the station\'s own incident', async () => (await open()).find((i) => i.cause?.assetId === station));
    // The relay, still lost, moves over with it.
    expect(own.children).toEqual([expect.objectContaining({ functionId: relay.id, clearedAt: null })]);
    // The cables' incidents resolve as each cable's next result comes in (their checks run at their own times).
    await waitFor('the cables\' incidents resolved', async () => !(await open()).some((i) => i.cause?.assetId === cable1 || i.cause?.assetId === cable2));
    const opened = env.eventsOf('incident.opened').map((e) => e.data.assetKey);
    expect(opened.filter((k) => k === 'ksat-svalsat')).toHaveLength(1);
  });

  it('declared dependsOn replaces the inference: a region that depends on nothing opens its own incident when its link is down', async (ctx) => {
    const { expect } = ctx;
    const { env, edge: region, link, edgeTarget: regionTarget, linkTarget } = await edgeBehindLink(
      ctx, { edge: 'aws-ap-northeast-3', hub: 'jaxa-tsukuba', link: 'apne1-apne3-replication' }, { kind: 'cloud_region', dependsOn: [] },
    );
    linkTarget.setMode('failing');
    await waitFor('link incident', async () => (await env.incidentsList('?state=open')).some((i) => i.cause?.assetId === link));
    regionTarget.setMode('failing');
    await waitFor('region incident', async () => (await env.incidentsList('?state=open')).some((i) => i.cause?.assetId === region));
    expect(await env.incidentsList('?state=open')).toHaveLength(2);
  });
});

describe('dependsOn is validated', () => {
  it('refuses unknown assets, itself and loops, naming the field, and writes nothing', async (ctx) => {
    const { expect } = ctx;
    const env = await liveMonitorEnv(ctx);
    const a = await env.createAsset('gs-a');
    const b = await env.createAsset('gs-b', { dependsOn: [a] });
    for (const [id, dependsOn, message] of [[a, [999], /no other asset/], [a, [a], /no other asset/], [a, [b], /loop/]] as const) {
      const res = await env.t.call('PATCH', `/api/assets/${id}`, { body: { dependsOn } });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0]).toMatchObject({ path: 'dependsOn', message: expect.stringMatching(message) });
    }
    expect((await env.asset(a)).dependsOn).toBeNull();
    expect((await env.asset(b)).dependsOn).toEqual([a]);
    // Deleting an upstream asset takes it out of the lists that name it.
    await ok(env.t.call('DELETE', `/api/assets/${a}?force=true`), 204);
    expect((await env.asset(b)).dependsOn).toEqual([]);
  });
});
