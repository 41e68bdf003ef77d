// Real ShakeMaps: a USGS grid.xml attached to an earthquake scenario through the API, read at the
// assets by bilinear interpolation with PGV turned into JMA intensity by the model's relation;
// assets outside the grid are "not covered"; bad or huge files are refused whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorPaths, ok, rawClient, refusedWithoutWrites, type TestApp } from '../helpers.js';
import { classifyIntensity, pgvToIntensity } from '../../src/core/scenarios/earthquake.js';
import { SHAKEMAP_MAX_BYTES } from '../../src/core/scenarios/shakemap-grid.js';
import { planeMmi, planePgv, shakemapGridXml } from './shakemap-fixture.js';

let t: TestApp;
const ids: Record<string, number> = {};
const xmlHeaders = { 'content-type': 'application/xml' };

type Assessed = { assetKey: string; impact: string; reason: string; intensity?: number; intensityClass?: string; coverage?: string; pgvCmS?: number; mmi?: number | null; shaking?: string };
type Assessment = { shakemap?: { eventId: string; notCovered: Array<{ assetKey: string; coverage: string }> }; assets: Assessed[]; summary: Record<string, number> };

const attach = (xml: string, id = ids.quake!, token?: string) => t.call('POST', `/api/scenarios/${id}/shakemap`, { raw: xml, headers: xmlHeaders, token });
const assess = () => ok<Assessment>(t.call('POST', `/api/scenarios/${ids.quake}/assess?includeAll=true`));
const entry = (a: Assessment, key: string) => a.assets.find((x) => x.assetKey === key)!;

beforeAll(async () => {
  t = await createTestApp();
  const asset = async (key: string, body: Record<string, unknown>) => {
    ids[key] = (await ok(t.call('POST', '/api/assets', { body: { key, name: key, kind: 'ground_station', ...body } }), 201)).id;
  };
  await asset('inside', { lat: 32.81, lon: 130.71 });
  await asset('on-node', { lat: 32.75, lon: 130.5 });
  await asset('north-west', { lat: 33.4, lon: 130.05 });
  await asset('tokyo', { lat: 35.68, lon: 139.77 });
  await asset('nowhere', { kind: 'service' });
  await asset('link', { kind: 'network_link', link: { fromAssetId: ids.inside, toAssetId: ids.tokyo } });
  const scenario = (kind: string, params: Record<string, unknown>) => ok(t.call('POST', '/api/scenarios', { body: { key: `s-${kind}`, name: kind, kind, params } }), 201);
  ids.quake = (await scenario('earthquake', { lat: 32.75, lon: 130.76, depthKm: 10, mw: 7.0, faultType: 'crustal' })).id;
  ids.power = (await scenario('power', { gridRegion: 'kyushu', outageHours: 24 })).id;
});
afterAll(() => t.close());

describe('attaching a ShakeMap grid.xml', () => {
  it('stores it with its event and then reads PGV and MMI at each asset by bilinear interpolation', async () => {
    const model = await assess();
    expect(model.shakemap).toBeUndefined();

    const attached = await ok(attach(shakemapGridXml()), 201);
    expect(attached).toMatchObject({ eventId: 'test2016kuma', grid: { nlon: 5, nlat: 5, points: 25, lonMin: 130, latMax: 33.5 }, fields: ['PGV', 'MMI'] });
    expect(attached.event).toMatchObject({ magnitude: 7, description: 'Kumamoto & test', version: '3' });
    const events = rawClient(t.sqlite).prepare(`select type, subject_id as subjectId, data from events where type like 'scenario.shakemap%'`).all();
    expect(events).toEqual([{ type: 'scenario.shakemap_attached', subjectId: ids.quake, data: JSON.stringify({ eventId: 'test2016kuma', points: 25, bytes: shakemapGridXml().length, replaced: false }) }]);

    const a = await assess();
    expect(a.shakemap?.eventId).toBe('test2016kuma');
    // Between grid points: the PGV plane is recovered (bilinear is exact on a plane; 0.23 % packing steps).
    const inside = entry(a, 'inside');
    const expected = planePgv(130.71, 32.81); // 52.2 cm/s
    expect(inside.pgvCmS! / expected).toBeCloseTo(1, 2);
    expect(inside.mmi).toBeCloseTo(planeMmi(130.71, 32.81), 2);
    expect(inside).toMatchObject({ shaking: 'shakemap', coverage: 'covered', intensity: pgvToIntensity(expected), intensityClass: '6-lower', impact: 'down' });
    expect(inside.reason).toContain('from ShakeMap test2016kuma: PGV 52.');
    expect(entry(a, 'on-node').pgvCmS! / planePgv(130.5, 32.75)).toBeCloseTo(1, 2);
    const nw = entry(a, 'north-west');
    expect(nw).toMatchObject({ intensityClass: classifyIntensity(pgvToIntensity(planePgv(130.05, 33.4))), impact: 'degraded' });
    expect(nw.intensityClass).toBe('5-lower');
  });

  it('calls an asset outside the grid "not covered", not unaffected; a link with one end outside is partly covered', async () => {
    const a = await assess();
    const tokyo = entry(a, 'tokyo');
    expect(tokyo).toMatchObject({ impact: 'none', coverage: 'not_covered' });
    expect(tokyo.reason).toMatch(/^not covered: outside the ShakeMap grid/);
    expect(tokyo.intensityClass).toBeUndefined();
    expect(entry(a, 'link')).toMatchObject({ coverage: 'partial', intensityClass: '6-lower', impact: 'down' });
    expect(a.shakemap!.notCovered).toEqual([{ assetId: ids.tokyo, assetKey: 'tokyo', coverage: 'not_covered' }, { assetId: ids.link, assetKey: 'link', coverage: 'partial' }]);
    // An asset without a location is not a coverage gap.
    expect(entry(a, 'nowhere')).toMatchObject({ impact: 'none', reason: 'no location' });
  });

  it('reads ShakeMap 3.5 files too (fields in another order, PGV in "cms"), replacing the one attached', async () => {
    await ok(attach(shakemapGridXml({ version: 3.5, eventId: 'old35', pgv: () => 2 })), 201);
    const a = await assess();
    expect(a.shakemap!.eventId).toBe('old35');
    expect(entry(a, 'inside')).toMatchObject({ intensity: pgvToIntensity(2), intensityClass: '3', impact: 'none' });
    const last = rawClient(t.sqlite).prepare(`select data from events where type = 'scenario.shakemap_attached' order by id desc limit 1`).get() as { data: string };
    expect(JSON.parse(last.data)).toMatchObject({ eventId: 'old35', replaced: true });
  });

  it('refuses a malformed file with a 400 naming the problem, storing nothing and keeping the map attached before', async () => {
    const good = shakemapGridXml();
    await ok(attach(good), 201);
    const rows = good.split('\n');
    const cases: Array<[string, string, RegExp]> = [
      ['not a grid', '<html>hello</html>', /no <shakemap_grid> root/],
      ['no PGV', good.replace(/<grid_field index="5" name="PGV" units="cm\/s" \/>/, ''), /no grid_field named PGV/],
      ['PGV in g', good.replace('units="cm/s"', 'units="g"'), /PGV units "g"/],
      ['cut short', rows.slice(0, -4).join('\n'), /not closed/],
      ['the last row missing', good.replace(/\n131\.0000 32\.5000 [^\n]*/, ''), /holds 24 complete rows/],
      ['a row missing', good.replace(/\n130\.5000 32\.7500 [^\n]*/, ''), /row 18 is at \(130\.75, 32\.75\), expected about \(130\.5000, 32\.7500\)/],
      ['a stray word', good.replace(/\n(130\.5000 32\.7500 [\d.]+) /, '\n$1 abc '), /"abc" is not a number/],
      ['rows out of order', good.replace(/\n(130\.0000 33\.5000 [^\n]*)\n(130\.2500 33\.5000 [^\n]*)/, '\n$2\n$1'), /expected about \(130\.0000, 33\.5000\)/],
      ['no nlat', good.replace(/ nlat="5"/, ''), /no nlat attribute/],
      ['too many points', good.replace('nlon="5" nlat="5"', 'nlon="1000" nlat="301"'), /at most 300000/],
    ];
    for (const [what, xml, message] of cases) {
      const { error } = await refusedWithoutWrites(t, 'POST', `/api/scenarios/${ids.quake}/shakemap`, { raw: xml, headers: xmlHeaders }, 400);
      expect(error.message, what).toMatch(message);
      expect(error.details[0]!.location, what).toBe('body');
    }
    expect((await refusedWithoutWrites(t, 'POST', `/api/scenarios/${ids.quake}/shakemap`, { raw: good.replace('<grid_field index="5" name="PGV"', '<grid_field index="5" name="PGX"'), headers: xmlHeaders }, 400)).paths).toEqual(['grid_field']);
    expect((await assess()).shakemap!.eventId).toBe('test2016kuma');
  });

  it(`refuses a file over ${SHAKEMAP_MAX_BYTES} bytes with 413, and one under it past the API's general 1 MB limit is accepted`, async () => {
    const huge = shakemapGridXml().replace('<grid_data>', `<!-- ${'x'.repeat(SHAKEMAP_MAX_BYTES)} --><grid_data>`);
    const { error } = await refusedWithoutWrites(t, 'POST', `/api/scenarios/${ids.quake}/shakemap`, { raw: huge, headers: xmlHeaders }, 413);
    expect(error.message).toContain(String(SHAKEMAP_MAX_BYTES));
    const padded = shakemapGridXml({ eventId: 'padded' }).replace('<grid_data>', `<!-- ${'x'.repeat(2 * 1024 * 1024)} --><grid_data>`);
    expect((await ok(attach(padded), 201)).eventId).toBe('padded');
  });

  it('takes planners only, earthquakes only, and known scenarios only', async () => {
    expect((await attach(shakemapGridXml(), ids.quake, t.tokens.officer)).status).toBe(403);
    const { error } = await refusedWithoutWrites(t, 'POST', `/api/scenarios/${ids.power}/shakemap`, { raw: shakemapGridXml(), headers: xmlHeaders }, 422);
    expect(error.message).toMatch(/only to an earthquake scenario; this one is power/);
    expect((await attach(shakemapGridXml(), 99999)).status).toBe(404);
    expect(errorPaths(await t.call('POST', `/api/scenarios/${ids.quake}/shakemap`, { raw: '  ', headers: xmlHeaders }))).toEqual(['']);
  });

  it('detaches with DELETE (recorded), after which the model estimates again; a second DELETE is 404', async () => {
    expect((await t.call('DELETE', `/api/scenarios/${ids.quake}/shakemap`, { token: t.tokens.planner })).status).toBe(204);
    const a = await assess();
    expect(a.shakemap).toBeUndefined();
    expect(entry(a, 'inside').coverage).toBeUndefined();
    expect(entry(a, 'inside').intensityClass).toBeDefined();
    const last = rawClient(t.sqlite).prepare(`select type, data from events order by id desc limit 1`).get();
    expect(last).toEqual({ type: 'scenario.shakemap_detached', data: JSON.stringify({ eventId: 'padded' }) });
    expect((await t.call('DELETE', `/api/scenarios/${ids.quake}/shakemap`)).status).toBe(404);
  });

  it('goes with its scenario when the scenario is deleted', async () => {
    await ok(attach(shakemapGridXml()), 201);
    expect((await t.call('DELETE', `/api/scenarios/${ids.quake}`)).status).toBe(204);
    expect(rawClient(t.sqlite).prepare('select count(*) as n from scenario_shakemaps').get()).toEqual({ n: 0 });
  });
});
