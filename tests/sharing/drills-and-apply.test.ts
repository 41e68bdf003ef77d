// Drill events cross only when the drill is marked for the partner, and are shown as drills; the
// apply file carries markings and a more restrictive one there retracts too.
import { describe, it } from 'vitest';
import { DrillRunner } from '../../src/core/drills/runner.js';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createApp } from '../../src/http/app.js';
import { clientFor, createTestApp, ok, waitFor } from '../helpers.js';
import { mintToken } from '../../src/core/services/tokens.js';
import { startTargetServer } from '../support/target-server.js';

const REL_JP = { tlp: 'GREEN', relTo: ['JPN'] };

describe('drills and the apply file', () => {
  it('a drill crosses only when marked, its steps and the faults it causes marked as drills', async (ctx) => {
    const { expect } = ctx;
    const t = await createTestApp();
    const runtime = createNodeProbeRuntime();
    const target = await startTargetServer('healthy');
    let runner: DrillRunner | undefined;
    let live: LiveMonitor | undefined;
    ctx.onTestFinished(async () => {
      runner?.stop();
      await live?.stop();
      await runtime.close();
      await target.close();
      t.close();
    });
    const call = clientFor(createApp({ database: () => t.sqlite.db, drills: { startRun: (c, id) => runner!.startRun(c, id), abortRun: (c, id, why) => runner!.abortRun(c, id, why) } }), t.tokens);
    const asset = (await ok(call('POST', '/api/assets', { body: { key: 'gs-drill', kind: 'ground_station', name: 'Drill station', marking: REL_JP } }), 201)).id;
    await ok(call('POST', '/api/checks', { body: { key: 'gs-drill-http', assetId: asset, kind: 'http', intervalSeconds: 1, timeoutMs: 500, failureThreshold: 1, successThreshold: 1, http: { url: target.url } } }), 201);
    const alternate = (await ok(call('POST', '/api/assets', { body: { key: 'gs-alt', kind: 'ground_station', name: 'Alternate' } }), 201)).id;
    const relay = (await ok(call('POST', '/api/functions', { body: { key: 'relay', name: 'Relay', tier: 'MEF', rtoSeconds: 60, mtdSeconds: 60, groups: [{ name: 'sites', k: 1, members: [{ assetId: asset }, { assetId: alternate }] }] } }), 201)).id;
    await ok(call('POST', '/api/partners', { body: { key: 'jp', name: 'JP', country: 'JPN' } }), 201);
    const token = (await mintToken(t.ctx, { name: 'jp', role: 'partner', partner: 'jp' })).secret;
    live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200 });
    runner = new DrillRunner({ db: t.sqlite.db, live, tickMs: 100 });
    runner.start();
    await waitFor('up', async () => (await ok(call('GET', `/api/assets/${asset}`))).status === 'up');
    const feed = async () => (await ok(call('GET', '/api/sharing/feed?limit=500', { token }))).items as any[];
    const runDrill = async (key: string, marking: unknown) => {
      const drill = await ok(call('POST', '/api/drills', { body: { key, name: key, targetAssetIds: [asset], marking, hypothesis: { functionIds: [relay], ttfLimitSeconds: 60 } } }), 201);
      const run = await ok(call('POST', `/api/drills/${drill.id}/runs`), 201);
      await waitFor(`run of ${key} over`, async () => (await ok(call('GET', `/api/drills/${drill.id}/runs/${run.id}`))).status !== 'running', 20_000);
    };

    await runDrill('unmarked-drill', null);
    const quiet = await feed();
    expect(quiet.filter((e) => e.drill)).toEqual([]);
    expect(JSON.stringify(quiet)).not.toContain('unmarked-drill');

    await runDrill('shared-drill', REL_JP);
    const items = await feed();
    const steps = items.filter((e) => e.subject.kind === 'drill');
    expect(steps.map((e) => e.type)).toContain('drill.started');
    expect(steps.every((e) => e.drill && e.subject.key === 'shared-drill')).toBe(true);
    const caused = items.filter((e) => e.type === 'asset.down' && e.drill);
    expect(caused.length).toBeGreaterThan(0);
    expect(caused[0].data.drillKey).toBe('shared-drill');
    expect(JSON.stringify(items)).not.toContain('unmarked-drill');
  }, 60_000);

  it('applies and exports markings, and a more restrictive one in the file retracts the item', async (ctx) => {
    const { expect } = ctx;
    const t = await createTestApp();
    ctx.onTestFinished(() => t.close());
    const file = (marking: unknown) => ({ assets: [{ key: 'gs-1', kind: 'ground_station', name: 'One', marking }] });
    await ok(t.call('POST', '/api/inventory/apply', { body: file({ tlp: 'AMBER', relTo: ['JPN', 'USA'] }) }));
    await ok(t.call('POST', '/api/partners', { body: { key: 'jp', name: 'JP', country: 'JPN' } }), 201);
    await ok(t.call('POST', '/api/partners', { body: { key: 'us', name: 'US', country: 'USA' } }), 201);
    const token = (await mintToken(t.ctx, { name: 'jp', role: 'partner', partner: 'jp' })).secret;
    expect((await ok(t.call('GET', '/api/sharing/objects', { token }))).assets.map((a: any) => a.key)).toEqual(['gs-1']);
    await ok(t.call('POST', '/api/inventory/apply', { body: file({ tlp: 'AMBER', relTo: ['USA'] }) }));
    const items = (await ok(t.call('GET', '/api/sharing/feed', { token }))).items;
    expect(items.map((e: any) => [e.type, e.subject.key])).toEqual([['sharing.retracted', 'gs-1']]);
    expect((await ok(t.call('GET', '/api/sharing/objects', { token }))).assets).toEqual([]);
    // Applying the same file again retracts nothing more.
    await ok(t.call('POST', '/api/inventory/apply', { body: file({ tlp: 'AMBER', relTo: ['USA'] }) }));
    expect((await ok(t.call('GET', '/api/sharing/feed', { token }))).items).toHaveLength(1);
  });

  it("a stricter marking in the file retracts the incidents that take their marking from the item, as the API does", async (ctx) => {
    const { expect } = ctx;
    const t = await createTestApp();
    ctx.onTestFinished(() => t.close());
    const shared = { tlp: 'AMBER', relTo: ['JPN', 'USA'] };
    const file = (assetMarking: unknown, functionMarking: unknown) => ({
      assets: [{ key: 'gs-1', kind: 'ground_station', name: 'One', marking: assetMarking }, { key: 'gs-2', kind: 'ground_station', name: 'Two', marking: shared }],
      functions: [{ key: 'relay', name: 'Relay', tier: 'MEF', rtoSeconds: 60, mtdSeconds: 120, marking: functionMarking, groups: [{ name: 'sites', k: 1, members: [{ assetKey: 'gs-2' }] }] }],
    });
    await ok(t.call('POST', '/api/inventory/apply', { body: file(shared, shared) }));
    await ok(t.call('POST', '/api/partners', { body: { key: 'jp', name: 'JP', country: 'JPN' } }), 201);
    await ok(t.call('POST', '/api/partners', { body: { key: 'us', name: 'US', country: 'USA' } }), 201);
    const jp = (await mintToken(t.ctx, { name: 'jp', role: 'partner', partner: 'jp' })).secret;
    const us = (await mintToken(t.ctx, { name: 'us', role: 'partner', partner: 'us' })).secret;
    const inventory = (await ok(t.call('GET', '/api/assets?limit=10'))).items as Array<{ id: number; key: string }>;
    const relay = (await ok(t.call('GET', '/api/functions'))).items.find((f: any) => f.key === 'relay').id;
    const onAsset = await ok(t.call('POST', '/api/incidents', { body: { title: 'Antenna fault', severity: 'major', assetId: inventory.find((a) => a.key === 'gs-1')!.id } }), 201);
    const onFunction = await ok(t.call('POST', '/api/incidents', { body: { title: 'Relay degraded', severity: 'minor', functionIds: [relay] } }), 201);
    const sharedIncidents = async (token: string) => (await ok(t.call('GET', '/api/sharing/objects', { token }))).incidents.map((i: any) => i.ref).sort();
    expect(await sharedIncidents(jp)).toEqual([onAsset.ref, onFunction.ref].sort());
    const { nextCursor } = await ok(t.call('GET', '/api/sharing/feed?limit=500', { token: jp }));

    await ok(t.call('POST', '/api/inventory/apply', { body: file({ tlp: 'AMBER', relTo: ['USA'] }, { tlp: 'AMBER', relTo: ['USA'] }) }));
    const retracted = (await ok(t.call('GET', `/api/sharing/feed?limit=500&cursor=${nextCursor}`, { token: jp }))).items
      .filter((e: any) => e.type === 'sharing.retracted').map((e: any) => `${e.subject.kind}:${e.subject.key}`).sort();
    expect(retracted).toEqual([`asset:gs-1`, `function:relay`, `incident:${onAsset.ref}`, `incident:${onFunction.ref}`].sort());
    expect(await sharedIncidents(jp)).toEqual([]);
    // The US partner keeps both and is told nothing.
    expect(await sharedIncidents(us)).toEqual([onAsset.ref, onFunction.ref].sort());
    expect((await ok(t.call('GET', '/api/sharing/feed?limit=500', { token: us }))).items.filter((e: any) => e.type === 'sharing.retracted')).toEqual([]);
  });
});
