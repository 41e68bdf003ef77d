// Scenarios and drills in the apply file: created and updated by key, idempotent, exported in
// the same spelling, references checked with the line of each problem.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JMA_INTENSITY_CLASSES } from '../../src/core/domain/scenarios.js';
import { applyInventory } from '../../src/core/services/inventory/apply.js';
import { parseInventoryDocument } from '../../src/core/services/inventory/document.js';
import { exportInventoryYaml, readInventoryDocument } from '../../src/core/services/inventory/export.js';
import { createTestApp, expectErrorShape, rawClient, tableCounts, type TestApp } from '../helpers.js';

const DEMO = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../seeds/demo.yaml');
const readDemo = () => fs.readFileSync(DEMO, 'utf8').replaceAll('${DEMO_FLEET_URL}', 'http://127.0.0.1:8091');

const FIXTURE = `# scenarios and drills
assets:
  - key: gs-tokyo
    kind: ground_station
    name: Tokyo station
    lat: 35.69
    lon: 139.69
    vendor: Orbitel
    model: SkyModem 4200
    firmware: 4.2.1
  - key: gs-osaka
    kind: ground_station
    name: Osaka station
    lat: 34.67
    lon: 135.50
functions:
  - key: relay
    name: Relay
    tier: PMEF
    rtoSeconds: 300
    mtdSeconds: 900
    groups:
      - name: stations
        k: 1
        members: [{ assetKey: gs-tokyo }, { assetKey: gs-osaka }]
  - key: archive
    name: Archive
    tier: MEF
    rtoSeconds: 3600
    mtdSeconds: 7200
    groups:
      - name: stations
        k: 1
        members: [{ assetKey: gs-osaka }]
scenarios:
  - key: quake
    name: Kanto quake
    description: A test earthquake.
    kind: earthquake
    params: { lat: 35.3, lon: 139.4, depthKm: 23, mw: 7.9, faultType: interplate }
  - key: modem-wipe
    name: Modem wipe
    kind: cyberattack
    params:
      selector: { vendor: Orbitel, firmware: 4.2.1 }
      recoveryHours: 336
drills:
  - key: tokyo-live
    name: Tokyo failover
    targetAssetKeys: [gs-tokyo, gs-osaka]
    mode: live
    injectHook: { url: "http://127.0.0.1:9/control/assets/{assetKey}/fault", body: '{"mode":"down"}' }
    rollbackHook: { url: "http://127.0.0.1:9/control/assets/{assetKey}/fault", body: '{"mode":"healthy"}' }
    hypothesis: { functionKeys: [relay], ttfLimitSeconds: 120 }
    guardrails: { maxDurationSeconds: 300, protectedFunctionKeys: [archive] }
    cron: "0 3 * * 1"
    timezone: Asia/Tokyo
  - key: wipe-tabletop
    name: Modem wipe tabletop
    scenarioKey: modem-wipe
    exerciseType: tabletop
    blastRadius: { type: COUNT, value: 1 }
`;

const NONE = { assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] };

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const applySource = async (source: string) => {
  const { document, locate } = parseInventoryDocument(source);
  return applyInventory(t.ctx, document, { locate });
};
const applyViaApi = (source: string) =>
  t.call('POST', '/api/inventory/apply', { raw: source, headers: { 'content-type': 'application/yaml' } });
const withoutHeader = (yaml: string) => yaml.split('\n').filter((l) => !l.startsWith('# coopwatch inventory, exported')).join('\n');
const edit = (source: string, from: string, to: string) => {
  if (!source.includes(from)) throw new Error(`fixture lacks "${from}"`);
  return source.replace(from, to);
};
/** The 1-based line of the only line containing `needle`. */
function lineOf(source: string, needle: string): number {
  const hits = source.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`"${needle}" is on ${hits.length} lines`);
  return hits[0]!;
}
const ids = (table: string) =>
  new Map((rawClient(t.sqlite).prepare(`select key, id from ${table}`).all() as Array<{ key: string; id: number }>).map((r) => [r.key, r.id]));
const events = (prefix: string) =>
  (rawClient(t.sqlite).prepare(`select type, subject_key as key, subject_id as id from events where type like ? order by id`).all(`${prefix}%`) as Array<{
    type: string;
    key: string;
    id: number;
  }>);

describe('scenarios and drills in the apply file', () => {
  it('creates both sections, resolving the drills’ keys to ids, with an event per item', async () => {
    const summary = await applySource(FIXTURE);
    expect(summary.created).toEqual({ ...NONE, assets: ['gs-tokyo', 'gs-osaka'], functions: ['relay', 'archive'], scenarios: ['quake', 'modem-wipe'], drills: ['tokyo-live', 'wipe-tabletop'] });
    expect(summary.updated).toEqual(NONE);

    const asset = ids('assets');
    const fn = ids('mission_functions');
    const scenario = ids('scenarios');
    const rows = rawClient(t.sqlite).prepare('select * from drills order by id').all() as Array<Record<string, any>>;
    expect(rows.map((r) => r.key)).toEqual(['tokyo-live', 'wipe-tabletop']);
    const [live, tabletop] = rows;
    expect(JSON.parse(live!.target_asset_ids)).toEqual([asset.get('gs-tokyo'), asset.get('gs-osaka')]);
    expect(live!.scenario_id).toBeNull();
    expect(JSON.parse(live!.hypothesis)).toEqual({ functionIds: [fn.get('relay')], ttfLimitSeconds: 120 });
    expect(JSON.parse(live!.guardrails)).toEqual({ maxDurationSeconds: 300, abortOnOutsideAssetDown: true, protectedFunctionIds: [fn.get('archive')] });
    expect(JSON.parse(live!.inject_hook)).toEqual({ url: 'http://127.0.0.1:9/control/assets/{assetKey}/fault', method: 'POST', body: '{"mode":"down"}' });
    expect([live!.cron, live!.timezone, live!.mode, live!.exercise_type]).toEqual(['0 3 * * 1', 'Asia/Tokyo', 'live', 'functional']);
    expect(tabletop!.scenario_id).toBe(scenario.get('modem-wipe'));
    expect(tabletop!.target_asset_ids).toBeNull();
    expect(JSON.parse(tabletop!.blast_radius)).toEqual({ type: 'COUNT', value: 1 });

    // The scenario rows hold the validated parameters, defaults included.
    const quake = rawClient(t.sqlite).prepare(`select kind, params, description from scenarios where key = 'quake'`).get() as { kind: string; params: string; description: string };
    expect(quake.kind).toBe('earthquake');
    expect(quake.description).toBe('A test earthquake.');
    expect(JSON.parse(quake.params)).toMatchObject({ mw: 7.9, faultType: 'interplate', downFrom: '6-lower', degradedFrom: '5-lower' });

    expect(events('scenario.').map((e) => [e.type, e.key, e.id])).toEqual([
      ['scenario.created', 'quake', scenario.get('quake')],
      ['scenario.created', 'modem-wipe', scenario.get('modem-wipe')],
    ]);
    const drill = ids('drills');
    expect(events('drill.').map((e) => [e.type, e.key, e.id])).toEqual([
      ['drill.created', 'tokyo-live', drill.get('tokyo-live')],
      ['drill.created', 'wipe-tabletop', drill.get('wipe-tabletop')],
    ]);
  });

  it('drills made through the API read back through the same planner API', async () => {
    await applySource(FIXTURE);
    const res = await t.call('GET', '/api/drills', { token: t.tokens.planner });
    expect(res.status).toBe(200);
    const items = (res.body.items ?? res.body) as Array<{ key: string; hypothesis: { functionIds: number[] } }>;
    expect(items.find((d) => d.key === 'tokyo-live')!.hypothesis.functionIds).toEqual([ids('mission_functions').get('relay')]);
  });

  it('is idempotent: applying the same file again changes nothing', async () => {
    await applySource(FIXTURE);
    const before = tableCounts(t.sqlite);
    const stamps = rawClient(t.sqlite).prepare('select key, updated_at from drills union all select key, updated_at from scenarios').all();
    const again = await applySource(FIXTURE);
    expect(again.created).toEqual(NONE);
    expect(again.updated).toEqual(NONE);
    expect(again.unchanged).toBe(8);
    expect(tableCounts(t.sqlite)).toEqual(before);
    expect(rawClient(t.sqlite).prepare('select key, updated_at from drills union all select key, updated_at from scenarios').all()).toEqual(stamps);
  });

  it('updates only the items that changed, recording scenario.updated and drill.updated', async () => {
    await applySource(FIXTURE);
    const changed = edit(edit(FIXTURE, 'mw: 7.9', 'mw: 8.1'), 'ttfLimitSeconds: 120', 'ttfLimitSeconds: 90');
    const summary = await applySource(changed);
    expect(summary.created).toEqual(NONE);
    expect(summary.updated).toEqual({ ...NONE, scenarios: ['quake'], drills: ['tokyo-live'] });
    expect(summary.unchanged).toBe(6);
    expect(events('scenario.updated').map((e) => e.key)).toEqual(['quake']);
    expect(events('drill.updated').map((e) => e.key)).toEqual(['tokyo-live']);
    const doc = await readInventoryDocument(t.sqlite.db);
    expect(doc.scenarios.find((s) => s.key === 'quake')!.params).toMatchObject({ mw: 8.1 });
    expect(doc.drills.find((d) => d.key === 'tokyo-live')!.hypothesis).toEqual({ functionKeys: ['relay'], ttfLimitSeconds: 90 });
    // A drill can switch from explicit targets to a scenario.
    const retargeted = edit(changed, '    targetAssetKeys: [gs-tokyo, gs-osaka]\n', '    scenarioKey: quake\n');
    expect((await applySource(retargeted)).updated.drills).toEqual(['tokyo-live']);
    const row = rawClient(t.sqlite).prepare(`select scenario_id, target_asset_ids from drills where key = 'tokyo-live'`).get() as Record<string, unknown>;
    expect(row).toEqual({ scenario_id: ids('scenarios').get('quake'), target_asset_ids: null });
  });

  it('exports both sections by key, and the export round-trips into a fresh database', async () => {
    await applySource(FIXTURE);
    const exported = await exportInventoryYaml(t.ctx);
    const { document } = parseInventoryDocument(exported);
    const given = parseInventoryDocument(FIXTURE).document;
    expect(document.scenarios).toEqual(given.scenarios);
    expect(document.drills).toEqual(given.drills);
    // Applying the export over the same database changes nothing.
    const same = await applySource(exported);
    expect(same.created).toEqual(NONE);
    expect(same.updated).toEqual(NONE);
    const other = await createTestApp();
    try {
      const parsed = parseInventoryDocument(exported);
      await applyInventory(other.ctx, parsed.document, { locate: parsed.locate });
      expect(withoutHeader(await exportInventoryYaml(other.ctx))).toBe(withoutHeader(exported));
    } finally {
      other.close();
    }
  });

  it('exports a drill created through the API (by id) in the file’s spelling, and re-applying it changes nothing', async () => {
    await applySource(FIXTURE);
    const res = await t.call('POST', '/api/drills', {
      token: t.tokens.planner,
      body: { key: 'api-drill', name: 'From the API', scenarioId: ids('scenarios').get('quake'), guardrails: { protectedFunctionIds: [ids('mission_functions').get('archive')] } },
    });
    expect(res.status).toBe(201);
    const exported = await exportInventoryYaml(t.ctx);
    const drill = parseInventoryDocument(exported).document.drills.find((d) => d.key === 'api-drill')!;
    expect(drill).toMatchObject({ scenarioKey: 'quake', guardrails: { protectedFunctionKeys: ['archive'] } });
    const again = await applySource(exported);
    expect(again.updated).toEqual(NONE);
    expect(again.created).toEqual(NONE);
  });

  it('a stored drill whose target asset was deleted does not block an apply, and the file’s version replaces it', async () => {
    await applySource(FIXTURE);
    const spare = (await t.call('POST', '/api/assets', { body: { key: 'gs-spare', kind: 'ground_station', name: 'Spare' } })).body.id as number;
    expect((await t.call('POST', '/api/drills', { token: t.tokens.planner, body: { key: 'spare-drill', name: 'Spare', targetAssetIds: [spare] } })).status).toBe(201);
    expect((await t.call('DELETE', `/api/assets/${spare}`)).status).toBe(204);
    expect((await applySource(FIXTURE)).updated).toEqual(NONE);
    const withDrill = `${FIXTURE}  - key: spare-drill\n    name: Spare\n    targetAssetKeys: [gs-osaka]\n`;
    expect((await applySource(withDrill)).updated).toEqual({ ...NONE, drills: ['spare-drill'] });
    const row = rawClient(t.sqlite).prepare(`select target_asset_ids from drills where key = 'spare-drill'`).get() as { target_asset_ids: string };
    expect(JSON.parse(row.target_asset_ids)).toEqual([ids('assets').get('gs-osaka')]);
  });
});

describe('refused files, with the line of each problem', () => {
  it.each([
    ['an unknown scenarioKey', edit(FIXTURE, 'scenarioKey: modem-wipe', 'scenarioKey: no-such-scenario'), 'drills.1.scenarioKey', 'no-such-scenario'],
    ['an unknown targetAssetKey', edit(FIXTURE, 'targetAssetKeys: [gs-tokyo, gs-osaka]', 'targetAssetKeys: [gs-tokyo,\n      gs-nowhere]'), 'drills.0.targetAssetKeys.1', 'gs-nowhere'],
    ['an unknown hypothesis functionKey', edit(FIXTURE, 'functionKeys: [relay]', 'functionKeys: [relay-nowhere]'), 'drills.0.hypothesis.functionKeys.0', 'relay-nowhere'],
    ['an unknown protected functionKey', edit(FIXTURE, 'protectedFunctionKeys: [archive]', 'protectedFunctionKeys: [archive-nowhere]'), 'drills.0.guardrails.protectedFunctionKeys.0', 'archive-nowhere'],
  ])('%s → 422 at its line, nothing written', async (_label, source, detailPath, needle) => {
    const before = tableCounts(t.sqlite);
    const res = await applyViaApi(source);
    const err = expectErrorShape(res, 422);
    expect(err.details).toEqual([expect.objectContaining({ path: detailPath, line: lineOf(source, needle) })]);
    expect(err.details[0]!.message).toContain(needle);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('finds a scenario named by a drill in the database when the file leaves it out', async () => {
    await applySource(FIXTURE);
    const onlyDrill = `drills:\n  - key: later\n    name: Later\n    scenarioKey: quake\n`;
    const res = await applyViaApi(onlyDrill);
    expect(res.status).toBe(200);
    expect(res.body.created.drills).toEqual(['later']);
  });

  it('refuses bad earthquake parameters (Mw 12) with 400 at the line', async () => {
    const source = edit(FIXTURE, 'mw: 7.9, faultType: interplate }', 'mw: 12,\n      faultType: interplate }');
    const before = tableCounts(t.sqlite);
    const err = expectErrorShape(await applyViaApi(source), 400);
    expect(err.details).toEqual([expect.objectContaining({ path: 'scenarios.0.params.mw', line: lineOf(source, 'mw: 12') })]);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('refuses parameters of another kind, an unknown kind, a duplicate key and a drill naming both a scenario and targets, with 400', async () => {
    const wrongParams = edit(FIXTURE, 'recoveryHours: 336', 'recoveryHours: 336\n      gridRegion: tepco');
    expect(expectErrorShape(await applyViaApi(wrongParams), 400).details).toEqual([expect.objectContaining({ line: lineOf(wrongParams, 'gridRegion: tepco') })]);

    const unknownKind = edit(FIXTURE, 'kind: cyberattack', 'kind: meteor');
    expect(expectErrorShape(await applyViaApi(unknownKind), 400).details).toEqual([expect.objectContaining({ path: 'scenarios.1.kind', line: lineOf(unknownKind, 'kind: meteor') })]);

    const duplicate = edit(FIXTURE, 'key: modem-wipe', 'key: quake');
    const dup = expectErrorShape(await applyViaApi(duplicate), 400);
    expect(dup.details).toEqual([expect.objectContaining({ path: 'scenarios.1.key' })]);
    expect(dup.details[0]!.message).toMatch(/used twice/);

    const both = edit(FIXTURE, '    scenarioKey: modem-wipe\n', '    scenarioKey: modem-wipe\n    targetAssetKeys: [gs-osaka]\n');
    expect(expectErrorShape(await applyViaApi(both), 400).details).toEqual([expect.objectContaining({ path: 'drills.1.scenarioKey', line: lineOf(both, 'scenarioKey: modem-wipe') })]);
  });

  it('refuses a live drill without a rollback hook with 400', async () => {
    const source = edit(FIXTURE, `    rollbackHook: { url: "http://127.0.0.1:9/control/assets/{assetKey}/fault", body: '{"mode":"healthy"}' }\n`, '');
    const err = expectErrorShape(await applyViaApi(source), 400);
    expect(err.details).toEqual([expect.objectContaining({ path: 'drills.0.rollbackHook' })]);
  });
});

describe('the demo seed’s scenarios', () => {
  beforeEach(async () => {
    await applySource(readDemo());
  });
  const scenarioId = async (key: string) => {
    const res = await t.call('GET', '/api/scenarios', { token: t.tokens.planner });
    expect(res.status).toBe(200);
    const found = (res.body.items as Array<{ id: number; key: string }>).find((s) => s.key === key);
    if (!found) throw new Error(`no scenario ${key}`);
    return found.id;
  };
  const classRank = (c: string) => JMA_INTENSITY_CLASSES.indexOf(c as (typeof JMA_INTENSITY_CLASSES)[number]);

  it('holds the scenarios and drills the demo needs', async () => {
    const { document } = parseInventoryDocument(readDemo());
    expect(document.scenarios.map((s) => [s.key, s.kind])).toEqual([
      ['tohoku-2011', 'earthquake'],
      ['nankai-trough', 'earthquake'],
      ['kasat-like-modem-wipe', 'cyberattack'],
      ['tepco-blackout', 'power'],
      ['svalbard-cable-cut', 'fiber_cut'],
      ['g5-storm', 'space_weather'],
      ['tokyo-region-outage', 'custom'],
    ]);
    expect(document.drills.map((d) => [d.key, d.mode, d.exerciseType])).toEqual([
      ['tokyo-region-failover', 'live', 'functional'],
      ['kasat-tabletop', 'simulated', 'tabletop'],
      ['svalbard-cable-simulated', 'simulated', 'functional'],
    ]);
    // The service behind the demo failover automation names the two Japanese regions.
    const service = document.assets.find((a) => a.key === 'svc-missile-warning-relay')!;
    expect(service.kind).toBe('service');
    expect(service.tags).toEqual(['failover-primary:aws-ap-northeast-1', 'failover-alternate:aws-ap-northeast-3']);
    expect(document.checks.find((c) => c.assetKey === 'svc-missile-warning-relay')).toMatchObject({ kind: 'http', intervalSeconds: 2, failureThreshold: 2 });
    expect(document.checks.find((c) => c.key === 'aws-ap-northeast-1-health')).toMatchObject({ intervalSeconds: 2, failureThreshold: 2, successThreshold: 1 });
  });

  it('tohoku-2011 shakes the Kanto assets harder than Osaka, and Osaka harder than Kyushu', async () => {
    const res = await t.call('POST', `/api/scenarios/${await scenarioId('tohoku-2011')}/assess?includeAll=true`, { token: t.tokens.planner });
    expect(res.status).toBe(200);
    const byKey = new Map((res.body.assets as Array<{ assetKey: string; intensity: number; intensityClass: string; impact: string }>).map((a) => [a.assetKey, a]));
    const tsukuba = byKey.get('jaxa-tsukuba')!;
    const osaka = byKey.get('aws-ap-northeast-3')!;
    const uchinoura = byKey.get('jaxa-uchinoura')!;
    for (const a of [tsukuba, osaka, uchinoura]) expect(classRank(a.intensityClass)).toBeGreaterThanOrEqual(0);
    expect(tsukuba.intensity).toBeGreaterThan(osaka.intensity);
    expect(osaka.intensity).toBeGreaterThan(uchinoura.intensity);
    expect(classRank(tsukuba.intensityClass)).toBeGreaterThan(classRank(osaka.intensityClass));
    expect(classRank(osaka.intensityClass)).toBeGreaterThanOrEqual(classRank(uchinoura.intensityClass));
    expect(classRank(tsukuba.intensityClass)).toBeGreaterThanOrEqual(classRank('5-lower'));
    expect(tsukuba.impact).not.toBe('none');
    expect(uchinoura.impact).toBe('none');
  });

  it('nankai-trough shakes Osaka harder than Tsukuba', async () => {
    const res = await t.call('POST', `/api/scenarios/${await scenarioId('nankai-trough')}/assess?includeAll=true`, { token: t.tokens.planner });
    expect(res.status).toBe(200);
    const byKey = new Map((res.body.assets as Array<{ assetKey: string; intensity: number }>).map((a) => [a.assetKey, a]));
    expect(byKey.get('aws-ap-northeast-3')!.intensity).toBeGreaterThan(byKey.get('jaxa-tsukuba')!.intensity);
  });

  it('kasat-like-modem-wipe hits exactly the assets with that modem model and firmware', async () => {
    const { document } = parseInventoryDocument(readDemo());
    const expected = document.assets.filter((a) => a.vendor === 'Orbitel' && a.model === 'SkyModem 4200' && a.firmware === '4.2.1').map((a) => a.key);
    expect(expected.sort()).toEqual(['fairbanks', 'jaxa-katsuura', 'ksat-svalsat', 'ksat-tromso', 'nasa-wallops']);
    const res = await t.call('POST', `/api/scenarios/${await scenarioId('kasat-like-modem-wipe')}/assess`, { token: t.tokens.planner });
    expect(res.status).toBe(200);
    const hit = (res.body.assets as Array<{ assetKey: string; impact: string }>).filter((a) => a.impact !== 'none');
    expect(hit.map((a) => a.assetKey).sort()).toEqual(expected);
    expect(new Set(hit.map((a) => a.impact))).toEqual(new Set(['down']));
  });

  it('svalbard-cable-cut hits both Svalbard cables and no other link', async () => {
    const res = await t.call('POST', `/api/scenarios/${await scenarioId('svalbard-cable-cut')}/assess`, { token: t.tokens.planner });
    expect(res.status).toBe(200);
    expect((res.body.assets as Array<{ assetKey: string }>).map((a) => a.assetKey).sort()).toEqual(['link-svalbard-cable-1', 'link-svalbard-cable-2']);
  });

  it('tokyo-region-outage takes down ap-northeast-1 only', async () => {
    const res = await t.call('POST', `/api/scenarios/${await scenarioId('tokyo-region-outage')}/assess`, { token: t.tokens.planner });
    expect(res.status).toBe(200);
    expect((res.body.assets as Array<{ assetKey: string; impact: string }>).map((a) => [a.assetKey, a.impact])).toEqual([['aws-ap-northeast-1', 'down']]);
  });

  it('stores the seed drills with their references resolved', async () => {
    const drills = await readInventoryDocument(t.sqlite.db).then((d) => d.drills);
    expect(drills.find((d) => d.key === 'tokyo-region-failover')).toMatchObject({
      targetAssetKeys: ['aws-ap-northeast-1'],
      hypothesis: { functionKeys: ['missile-warning-relay'], ttfLimitSeconds: 120 },
      guardrails: { maxDurationSeconds: 300, abortOnOutsideAssetDown: true },
      cron: '0 3 * * 1',
      timezone: 'Asia/Tokyo',
    });
    expect(drills.find((d) => d.key === 'kasat-tabletop')).toMatchObject({ scenarioKey: 'kasat-like-modem-wipe', exerciseType: 'tabletop' });
    expect(drills.find((d) => d.key === 'svalbard-cable-simulated')).toMatchObject({
      scenarioKey: 'svalbard-cable-cut',
      blastRadius: { type: 'COUNT', value: 1 },
      guardrails: { protectedFunctionKeys: ['missile-warning-relay'] },
    });
  });
});
