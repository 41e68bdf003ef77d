// PATCH on drills, scenarios and maintenance windows (only what the patch names changes; the result
// is checked whole; an empty patch or an unknown field is a 400 naming it; an `*.updated` event is
// written with the change), and 405 with `Allow` where a path exists but the method does not.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, expectErrorShape, ok, rawClient, type TestApp, refusedWithoutWrites } from '../helpers.js';

let t: TestApp;
let alpha: number;
let bravo: number;

beforeEach(async () => {
  t = await createTestApp();
  alpha = (await ok(t.call('POST', '/api/assets', { body: { key: 'gs-alpha', kind: 'ground_station', name: 'Alpha' } }), 201)).id;
  bravo = (await ok(t.call('POST', '/api/assets', { body: { key: 'gs-bravo', kind: 'ground_station', name: 'Bravo' } }), 201)).id;
});
afterEach(() => t.close());

const lastEvent = (type: string) =>
  rawClient(t.sqlite).prepare('select subject_id as subjectId, subject_key as subjectKey, actor, data from events where type = ? order by id desc limit 1').get(type) as
    | { subjectId: number; subjectKey: string; actor: string; data: string }
    | undefined;

const refused = (method: string, url: string, body: unknown, status: number, token?: string) =>
  refusedWithoutWrites(t, method, url, { body, token }, status);

describe('PATCH /api/maintenance/{id}', () => {
  const at = (hours: number) => new Date(Date.UTC(2031, 0, 1) + hours * 3_600_000).toISOString();
  let id: number;
  beforeEach(async () => {
    id = (await ok(t.call('POST', '/api/maintenance', { body: { key: 'antenna-swap', title: 'Antenna swap', assetIds: [alpha], startsAt: at(0), endsAt: at(2) } }), 201)).id;
  });

  it('changes only the fields named, records maintenance.updated with them, and reads back', async () => {
    const patched = await ok(t.call('PATCH', `/api/maintenance/${id}`, { body: { title: 'Antenna and feed swap', assetIds: [alpha, bravo] } }));
    expect(patched).toMatchObject({ id, key: 'antenna-swap', title: 'Antenna and feed swap', assetIds: [alpha, bravo], startsAt: at(0), endsAt: at(2), cron: null });
    expect((await ok(t.call('GET', '/api/maintenance', { token: t.tokens.viewer }))).items).toEqual([patched]);
    expect(lastEvent('maintenance.updated')).toMatchObject({ subjectId: id, subjectKey: 'antenna-swap', data: JSON.stringify({ changed: ['title', 'assetIds'] }) });
  });

  it('turns a one-off window into a recurring one when the patch clears the dates', async () => {
    const patched = await ok(t.call('PATCH', `/api/maintenance/${id}`, { body: { startsAt: null, endsAt: null, cron: '0 2 * * 6', timezone: 'Europe/Oslo', durationMinutes: 90 } }));
    expect(patched).toMatchObject({ startsAt: null, endsAt: null, cron: '0 2 * * 6', timezone: 'Europe/Oslo', durationMinutes: 90 });
  });

  it('refuses an empty patch, an unknown field, the key, a broken window and a missing asset, writing nothing', async () => {
    const empty = await refused('PATCH', `/api/maintenance/${id}`, {}, 400);
    expect(empty.error.details).toEqual([{ path: '', message: 'the patch changes nothing', location: 'body' }]);
    expect((await refused('PATCH', `/api/maintenance/${id}`, { title: 'x', colour: 'red' }, 400)).paths).toEqual(['colour']);
    expect((await refused('PATCH', `/api/maintenance/${id}`, { key: 'other' }, 400)).paths).toEqual(['key']);
    expect((await refused('PATCH', `/api/maintenance/${id}`, { endsAt: at(-1) }, 400)).paths).toEqual(['endsAt']);
    expect((await refused('PATCH', `/api/maintenance/${id}`, { cron: '0 2 * * 6' }, 400)).paths).toContain('cron');
    expect((await refused('PATCH', `/api/maintenance/${id}`, { title: null }, 400)).paths).toEqual(['title']);
    expect((await refused('PATCH', `/api/maintenance/${id}`, { assetIds: [alpha, 4242] }, 422)).paths).toEqual(['assetIds.1']);
    await refused('PATCH', '/api/maintenance/4242', { title: 'x' }, 404);
    await refused('PATCH', `/api/maintenance/${id}`, { title: 'x' }, 403, t.tokens.planner);
  });
});

describe('PATCH /api/scenarios/{id}', () => {
  let id: number;
  beforeEach(async () => {
    id = (await ok(t.call('POST', '/api/scenarios', { token: t.tokens.planner, body: { key: 'grid-north', name: 'Northern grid', kind: 'power', params: { gridRegion: 'NO-4', outageHours: 12 } } }), 201)).id;
  });

  it('changes the name, or the params, or the kind with its params, and records scenario.updated', async () => {
    const renamed = await ok(t.call('PATCH', `/api/scenarios/${id}`, { token: t.tokens.planner, body: { name: 'Northern grid loss', description: 'Winter storm' } }));
    expect(renamed).toMatchObject({ key: 'grid-north', name: 'Northern grid loss', description: 'Winter storm', kind: 'power', params: { gridRegion: 'NO-4', outageHours: 12 } });
    const longer = await ok(t.call('PATCH', `/api/scenarios/${id}`, { token: t.tokens.planner, body: { params: { gridRegion: 'NO-4', outageHours: 48 }, description: null } }));
    expect(longer).toMatchObject({ name: 'Northern grid loss', description: null, params: { outageHours: 48 } });
    expect(lastEvent('scenario.updated')).toMatchObject({ subjectId: id, data: JSON.stringify({ kind: 'power', changed: ['description', 'params'] }) });
    const storm = await ok(t.call('PATCH', `/api/scenarios/${id}`, { token: t.tokens.planner, body: { kind: 'space_weather', params: { geomagnetic: 4 } } }));
    expect(storm).toMatchObject({ kind: 'space_weather', params: { geomagnetic: 4, durationHours: 12 } });
    expect((await ok(t.call('GET', `/api/scenarios/${id}`, { token: t.tokens.viewer })))).toEqual(storm);
  });

  it('refuses an empty patch, an unknown field, the key, a kind without its params and bad params', async () => {
    expect((await refused('PATCH', `/api/scenarios/${id}`, {}, 400, t.tokens.planner)).error.details).toEqual([{ path: '', message: 'the patch changes nothing', location: 'body' }]);
    expect((await refused('PATCH', `/api/scenarios/${id}`, { blastRadius: 3 }, 400, t.tokens.planner)).paths).toEqual(['blastRadius']);
    expect((await refused('PATCH', `/api/scenarios/${id}`, { key: 'x' }, 400, t.tokens.planner)).paths).toEqual(['key']);
    expect((await refused('PATCH', `/api/scenarios/${id}`, { kind: 'earthquake' }, 400, t.tokens.planner)).paths.every((p) => p.startsWith('params'))).toBe(true);
    expect((await refused('PATCH', `/api/scenarios/${id}`, { params: { gridRegion: '' } }, 400, t.tokens.planner)).paths).toContain('params.gridRegion');
    await refused('PATCH', '/api/scenarios/4242', { name: 'x' }, 404, t.tokens.planner);
    await refused('PATCH', `/api/scenarios/${id}`, { name: 'x' }, 403, t.tokens.officer);
  });
});

describe('PATCH /api/drills/{id}', () => {
  let id: number;
  beforeEach(async () => {
    id = (await ok(t.call('POST', '/api/drills', { token: t.tokens.planner, body: { key: 'alpha-out', name: 'Alpha out', targetAssetIds: [alpha], mode: 'simulated', cron: '0 3 * * 1', timezone: 'UTC' } }), 201)).id;
  });

  it('changes only what it names (no defaults come back), clears with null, and records drill.updated', async () => {
    const before = await ok(t.call('GET', `/api/drills/${id}`));
    const patched = await ok(t.call('PATCH', `/api/drills/${id}`, { token: t.tokens.planner, body: { name: 'Alpha and Bravo out', targetAssetIds: [alpha, bravo], exerciseType: 'tabletop' } }));
    expect(patched).toEqual({ ...before, name: 'Alpha and Bravo out', targetAssetIds: [alpha, bravo], exerciseType: 'tabletop', updatedAt: patched.updatedAt });
    expect(lastEvent('drill.updated')).toMatchObject({ subjectId: id, subjectKey: 'alpha-out', data: JSON.stringify({ changed: ['name', 'exerciseType', 'targetAssetIds'] }) });

    const unscheduled = await ok(t.call('PATCH', `/api/drills/${id}`, { token: t.tokens.planner, body: { cron: null, timezone: null, enabled: false } }));
    expect(unscheduled).toMatchObject({ cron: null, timezone: null, enabled: false, name: 'Alpha and Bravo out' });

    const scenario = (await ok(t.call('POST', '/api/scenarios', { token: t.tokens.planner, body: { key: 'grid', name: 'Grid', kind: 'power', params: { gridRegion: 'NO-4', outageHours: 1 } } }), 201)).id;
    const byScenario = await ok(t.call('PATCH', `/api/drills/${id}`, { token: t.tokens.planner, body: { scenarioId: scenario, targetAssetIds: null } }));
    expect(byScenario).toMatchObject({ scenarioId: scenario, targetAssetIds: null });
  });

  it('refuses an empty patch, an unknown field, the key, a drill that breaks the rules and unknown references', async () => {
    expect((await refused('PATCH', `/api/drills/${id}`, {}, 400, t.tokens.planner)).error.details).toEqual([{ path: '', message: 'the patch changes nothing', location: 'body' }]);
    expect((await refused('PATCH', `/api/drills/${id}`, { name: 'x', colour: 'red' }, 400, t.tokens.planner)).paths).toEqual(['colour']);
    expect((await refused('PATCH', `/api/drills/${id}`, { key: 'other' }, 400, t.tokens.planner)).paths).toEqual(['key']);
    // a scenario as well as targets, and a live drill without hooks
    expect((await refused('PATCH', `/api/drills/${id}`, { scenarioId: 1 }, 400, t.tokens.planner)).paths).toEqual(['scenarioId']);
    expect((await refused('PATCH', `/api/drills/${id}`, { mode: 'live' }, 400, t.tokens.planner)).paths).toEqual(['injectHook']);
    expect((await refused('PATCH', `/api/drills/${id}`, { targetAssetIds: [4242] }, 422, t.tokens.planner)).paths).toEqual(['targetAssetIds.0']);
    await refused('PATCH', '/api/drills/4242', { name: 'x' }, 404, t.tokens.planner);
    await refused('PATCH', `/api/drills/${id}`, { name: 'x' }, 403, t.tokens.officer);
  });

  it('keeps hook header values sent back masked, takes new ones, and refuses a mask with nothing stored', async () => {
    const hook = (token: string) => ({ url: 'http://127.0.0.1:9/inject', headers: { Authorization: token } });
    await ok(t.call('PATCH', `/api/drills/${id}`, { token: t.tokens.planner, body: { mode: 'live', injectHook: hook('Bearer first-secret'), rollbackHook: hook('Bearer first-secret') } }));
    const stored = () => rawClient(t.sqlite).prepare('select inject_hook as inject from drills where id = ?').get(id) as { inject: string };
    const read = await ok(t.call('GET', `/api/drills/${id}`, { token: t.tokens.planner }));
    expect(read.injectHook.headers).toEqual({ Authorization: '********' });

    // The read answer sent back whole (a GET → edit → PATCH round trip) keeps the secret.
    await ok(t.call('PATCH', `/api/drills/${id}`, { token: t.tokens.planner, body: { name: 'Renamed', injectHook: read.injectHook } }));
    expect(JSON.parse(stored().inject).headers).toEqual({ Authorization: 'Bearer first-secret' });

    await ok(t.call('PATCH', `/api/drills/${id}`, { token: t.tokens.planner, body: { injectHook: hook('Bearer second-secret') } }));
    expect(JSON.parse(stored().inject).headers).toEqual({ Authorization: 'Bearer second-secret' });

    const masked = { url: 'http://127.0.0.1:9/inject', headers: { 'X-Key': '********' } };
    expect((await refused('PATCH', `/api/drills/${id}`, { injectHook: masked }, 422, t.tokens.planner)).paths).toEqual(['injectHook.headers.X-Key']);
  });

  it('is refused while a run is in progress', async () => {
    rawClient(t.sqlite).prepare(`insert into drill_runs (drill_id, status, phase, trigger, target_asset_ids, function_ids, started_at, steps) values (?, 'running', 'detecting', 'manual', '[]', '[]', ?, '[]')`).run(id, Date.now());
    const { error } = await refused('PATCH', `/api/drills/${id}`, { name: 'x' }, 409, t.tokens.planner);
    expect(error.message).toMatch(/in progress/);
  });
});

describe('a method a path does not have', () => {
  it('answers 405 with Allow and the error shape; an unknown path or record stays 404', async () => {
    const cases: Array<[string, string, string]> = [
      ['PUT', '/api/drills/1', 'GET, HEAD, PATCH, DELETE'],
      ['PUT', '/api/maintenance/1', 'PATCH, DELETE'],
      ['DELETE', '/api/findings/1', 'PATCH'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['PATCH', '/status/public', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await t.call(method, path, { body: {} });
      const error = expectErrorShape(res, 405);
      expect(error.code, `${method} ${path}`).toBe('method_not_allowed');
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
    }
    expect((await t.call('GET', '/api/drills/4242')).status).toBe(404);
    expect((await t.call('PUT', '/api/nothing-here', { body: {} })).status).toBe(404);
    expect((await t.call('GET', '/nowhere')).status).toBe(404);
  });
});
