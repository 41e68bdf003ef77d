// What-if on the demo inventory through the API: link media decide what space weather touches,
// the PJM grid shows up as common mode, and an expected failover nobody measured is unknown.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ok, type TestApp } from '../helpers.js';
import { drillRuns } from '../../src/core/store/schema/index.js';

const DEMO = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../seeds/demo.yaml');
let t: TestApp;
const assetId: Record<string, number> = {};
const functionId: Record<string, number> = {};

type Fn = { functionKey: string; status: string; affected: boolean; expectation: string; expectedSecondsToFailover: number | null; rtoMet: boolean | null; basis: string; lostWindow: unknown };
type Assessment = {
  assets: Array<{ assetKey: string; impact: string; reason: string }>;
  functions: Fn[];
  commonMode: Array<{ group: string; cause: string; shared: string; assetIds: number[]; functionKey?: string }>;
  summary: Record<string, number>;
};
const assess = (kind: string, params: Record<string, unknown>) => ok<Assessment>(t.call('POST', '/api/scenarios/assess', { body: { kind, params } }));
const fnOf = (a: Assessment, key: string) => a.functions.find((f) => f.functionKey === key)!;

beforeAll(async () => {
  t = await createTestApp();
  const source = fs.readFileSync(DEMO, 'utf8').replaceAll('${DEMO_FLEET_URL}', 'http://127.0.0.1:9');
  await ok(t.call('POST', '/api/inventory/apply', { raw: source, headers: { 'content-type': 'application/yaml' } }));
  for (const a of (await ok(t.call('GET', '/api/assets?limit=500'))).items) assetId[a.key] = a.id;
  for (const f of (await ok(t.call('GET', '/api/functions?limit=100'))).items) functionId[f.key] = f.id;
});
afterAll(() => t?.close());

describe('link media on the demo inventory', () => {
  it('links carry their real medium: the Antarctic backhauls are satellite, the cables fibre', async () => {
    const links = (await ok(t.call('GET', '/api/assets?kind=network_link&limit=100'))).items as Array<{ key: string; link: { medium: string } }>;
    const medium = Object.fromEntries(links.map((l) => [l.key, l.link.medium]));
    expect(medium['link-trollsat-tromso']).toBe('satellite');
    expect(medium['link-mcmurdo-whitesands']).toBe('satellite');
    expect(medium['link-svalbard-cable-1']).toBe('fibre');
    expect(Object.values(medium).filter((m) => m === 'fibre')).toHaveLength(links.length - 2);
  });

  it('the saved G5 + S4 storm leaves the Svalbard subsea cables alone and hits the satellite backhaul', async () => {
    const saved = (await ok(t.call('GET', '/api/scenarios'))).items.find((s: { key: string }) => s.key === 'g5-storm');
    const a = await ok<Assessment>(t.call('POST', `/api/scenarios/${saved.id}/assess?includeAll=true`));
    const entry = (key: string) => a.assets.find((x) => x.assetKey === key)!;
    expect(entry('link-svalbard-cable-1')).toMatchObject({ impact: 'none' });
    expect(entry('link-svalbard-cable-1').reason).toMatch(/fibre link: no space weather scale reaches it/);
    expect(entry('link-svalbard-cable-2')).toMatchObject({ impact: 'none' });
    expect(entry('link-trollsat-tromso')).toMatchObject({ impact: 'down' });
    expect(entry('link-trollsat-tromso').reason).toMatch(/G5: .*uplink\/downlink/);
  });

  it('a medium given through the API is stored, and a link left without one is fibre', async () => {
    const body = { key: 'hf-backup', name: 'HF backup circuit', kind: 'network_link', link: { fromAssetId: assetId['ksat-svalsat'], toAssetId: assetId['ksat-tromso'], medium: 'hf' } };
    const hf = await ok(t.call('POST', '/api/assets', { body }), 201);
    expect(hf.link.medium).toBe('hf');
    const bad = await t.call('POST', '/api/assets', { body: { ...body, key: 'hf-bad', link: { ...body.link, medium: 'copper' } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/link\.medium|medium/);
    const fibre = await ok(t.call('PATCH', `/api/assets/${hf.id}`, { body: { link: { fromAssetId: body.link.fromAssetId, toAssetId: body.link.toAssetId } } }));
    expect(fibre.link.medium).toBe('fibre');
    await ok(t.call('DELETE', `/api/assets/${hf.id}`), 204);
  });
});

describe('common mode on the demo inventory', () => {
  it('us-east-1 and us-east-2 share the PJM grid: a standing finding on the function, and a finding when a PJM blackout hits both', async () => {
    const pair = [assetId['aws-us-east-1']!, assetId['aws-us-east-2']!].sort((x, y) => x - y);
    const catalogue = (await ok(t.call('GET', '/api/functions?limit=100'))).items.find((f: { groups: Array<{ name: string }> }) =>
      f.groups.some((g) => g.name === 'catalogue-processing'));
    const standing = catalogue.commonMode.find((c: { cause: string; group: string }) => c.cause === 'grid_region' && c.group === 'catalogue-processing');
    expect(standing).toMatchObject({ group: 'catalogue-processing', shared: 'grid region pjm' });
    expect([...standing.assetIds].sort((x: number, y: number) => x - y)).toEqual(pair);

    const a = await assess('power', { gridRegion: 'pjm', outageHours: 60 });
    const found = a.commonMode.filter((c) => c.cause === 'grid_region' && c.group === 'catalogue-processing');
    expect(found).toHaveLength(1);
    expect([...found[0]!.assetIds].sort((x, y) => x - y)).toEqual(pair);
    // a power scenario in another grid finds no PJM common mode
    const tepco = await assess('power', { gridRegion: 'tepco', outageHours: 60 });
    expect(tepco.commonMode.some((c) => c.cause === 'grid_region' && c.shared === 'grid region pjm')).toBe(false);
  });
});

// Before any drill run is stored below: nothing has measured a failover yet.
describe('the planner\'s scenario page', () => {
  it('shows when each function is lost, unknown where no drill measured failover, and the shared grid', async () => {
    const scenario = await ok(t.call('POST', '/api/scenarios', { body: { key: 'pjm-60h', name: 'PJM blackout 60 h', kind: 'power', params: { gridRegion: 'pjm', outageHours: 60 } } }), 201);
    const login = await t.app.request('/login', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t.tokens.planner, next: '/planner' }).toString(),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const res = await t.app.request(`/planner/scenarios/${scenario.id}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    const fnTable = /<table class="pl-table" id="function-impact">([\s\S]*?)<\/table>/.exec(html)![1]!;
    const lost = /<tr data-key="[^"]+" data-status="lost"[^>]*>([\s\S]*?)<\/tr>/.exec(fnTable)![1]!;
    expect(lost).toContain('48 h → 60 h');
    expect(lost).toContain('lost from 48 h to 60 h');
    const relay = /<tr data-key="missile-warning-relay" data-status="degraded"[^>]*>([\s\S]*?)<\/tr>/.exec(fnTable)![1]!;
    expect(relay).toContain('<strong>unknown</strong>');
    expect(relay).toContain('not measured');
    const east1 = /<tr data-key="aws-us-east-1" data-impact="down">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    expect(east1).toContain('48 h → 60 h');
    expect(html).toMatch(/same grid region \(one regional blackout darkens all\)\s*— grid region pjm/);
  });
});

describe('expected time to fail over', () => {
  it('with no measured failover it is unknown and rtoMet is null; a completed real failover run makes it measured; a tabletop never does', async () => {
    // PJM out 60 h, 48 h of backup: us-east-1 and -2 down from 48 h; the relay keeps us-west-2 (degraded, not lost)
    const before = await assess('power', { gridRegion: 'pjm', outageHours: 60 });
    const relay = fnOf(before, 'missile-warning-relay');
    expect(relay).toMatchObject({ status: 'degraded', affected: true, expectation: 'unknown', expectedSecondsToFailover: null, rtoMet: null });
    expect(relay.basis).toMatch(/unknown: no drill has measured/);
    expect(before.summary.rtoUnknown).toBeGreaterThanOrEqual(1);
    expect(fnOf(before, 'missile-warning-relay').basis).not.toMatch(/detection/);

    const drills = (await ok(t.call('GET', '/api/drills'))).items as Array<{ id: number; key: string; exerciseType: string }>;
    const live = drills.find((d) => d.key === 'tokyo-region-failover')!;
    const tabletop = drills.find((d) => d.exerciseType === 'tabletop')!;
    const start = Date.now() - 3_600_000;
    const run = (drillId: number, verdict: 'pass' | 'fail' | 'aborted', status: 'completed' | 'aborted') => ({
      drillId, status, phase: 'done' as const, verdict, trigger: 'manual' as const, targetAssetIds: [], functionIds: [functionId['missile-warning-relay']!],
      startedAt: start, detectedAt: start + 5_000, failoverCompletedAt: start + 90_000, restoredAt: start + 300_000, finishedAt: start + 400_000, rtoMet: true, steps: [],
      // What the runner measures of the function itself: lost, and served again 90 s in.
      functionOutcomes: [{ functionId: functionId['missile-warning-relay']!, lost: true, ttdMs: 5_000, ttfMs: 90_000, ttrMs: 300_000 }],
    });
    await t.sqlite.db.insert(drillRuns).values([run(tabletop.id, 'pass', 'completed'), run(live.id, 'aborted', 'aborted')]);
    expect(fnOf(await assess('power', { gridRegion: 'pjm', outageHours: 60 }), 'missile-warning-relay')).toMatchObject({ expectation: 'unknown', rtoMet: null });

    await t.sqlite.db.insert(drillRuns).values(run(live.id, 'pass', 'completed'));
    const after = fnOf(await assess('power', { gridRegion: 'pjm', outageHours: 60 }), 'missile-warning-relay');
    expect(after).toMatchObject({ expectation: 'measured', expectedSecondsToFailover: 90 });
    expect(typeof after.rtoMet).toBe('boolean');

    // A passing run that never lost the function measures nothing for it.
    await t.sqlite.db.delete(drillRuns);
    await t.sqlite.db.insert(drillRuns).values({ ...run(live.id, 'pass', 'completed'), functionOutcomes: [] });
    expect(fnOf(await assess('power', { gridRegion: 'pjm', outageHours: 60 }), 'missile-warning-relay')).toMatchObject({ expectation: 'unknown', rtoMet: null });
  });

  it('a function lost in a 60 h blackout with 48 h of backup is lost from 48 h to 60 h', async () => {
    const a = await assess('power', { gridRegion: 'pjm', outageHours: 60 });
    const catalogue = a.functions.find((f) => f.status === 'lost' && f.lostWindow !== null)!;
    expect(catalogue.lostWindow).toEqual({ fromHours: 48, untilHours: 60 });
    expect(catalogue).toMatchObject({ expectation: 'outage', expectedSecondsToFailover: 12 * 3600 });
    expect(catalogue.basis).toMatch(/lost from 48 h to 60 h/);
  });
});
