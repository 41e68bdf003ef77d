import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, errorPaths, expectErrorShape, tableCounts, type TestApp, refusedWithoutWrites } from '../helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createAsset(body: Record<string, unknown>) {
  const res = await t.call('POST', '/api/assets', { body });
  if (res.status !== 201) throw new Error(`setup: creating ${JSON.stringify(body)} gave ${res.status} ${res.text}`);
  return res.body as { id: number; key: string } & Record<string, any>;
}

const station = (key: string, extra: Record<string, unknown> = {}) => ({ key, kind: 'ground_station', name: `Station ${key}`, ...extra });

const refused = (method: string, url: string, options: Parameters<TestApp['call']>[2], status: number) => refusedWithoutWrites(t, method, url, options, status);

describe('create and get', () => {
  it('creates an asset with 201, returns its fields, and GET by id returns the same asset', async () => {
    const res = await t.call('POST', '/api/assets', {
      body: station('svalsat-sg1', { name: 'SvalSat SG-1', lat: 78.2307, lon: 15.3976, altM: 500, operator: 'KSAT', tags: ['arctic', 'polar'] }),
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      key: 'svalsat-sg1',
      kind: 'ground_station',
      name: 'SvalSat SG-1',
      lat: 78.2307,
      lon: 15.3976,
      altM: 500,
      operator: 'KSAT',
      tags: ['arctic', 'polar'],
      criticality: 'medium',
      link: null,
      firmware: null,
    });
    expect(typeof res.body.id).toBe('number');
    expect(Date.parse(res.body.createdAt)).not.toBeNaN();

    const got = await t.call('GET', `/api/assets/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('records an asset.created event in the same write', async () => {
    const before = tableCounts(t.sqlite).events!;
    const created = await createAsset(station('gs-a'));
    const client = (t.sqlite.db as any).$client;
    const rows = client.prepare(`select type, subject_id as subjectId, subject_key as subjectKey from events where type = 'asset.created'`).all();
    expect(tableCounts(t.sqlite).events).toBe(before + 1);
    expect(rows).toEqual([{ type: 'asset.created', subjectId: created.id, subjectKey: 'gs-a' }]);
  });

  it('creates a network link between two existing assets with its SLA', async () => {
    const a = await createAsset(station('gs-a'));
    const b = await createAsset(station('gs-b'));
    const res = await t.call('POST', '/api/assets', {
      body: { key: 'cable-a-b', kind: 'network_link', name: 'A–B cable', link: { fromAssetId: a.id, toAssetId: b.id, sla: { latencyMs: 12, lossPct: 0.1 } } },
    });
    expect(res.status).toBe(201);
    expect(res.body.link).toEqual({ fromAssetId: a.id, toAssetId: b.id, sla: { latencyMs: 12, jitterMs: null, lossPct: 0.1 }, medium: 'fibre' });
  });
});

describe('list', () => {
  beforeEach(async () => {
    await createAsset(station('gs-ksat', { operator: 'KSAT', tags: ['arctic', 'polar'] }));
    await createAsset(station('gs-ssc', { operator: 'SSC', tags: ['polar'] }));
    await createAsset({ key: 'moc-esoc', kind: 'mission_ops_center', name: 'ESOC', operator: 'ESA', tags: ['arctic'] });
    await createAsset({ key: 'aws-eu-north-1', kind: 'cloud_region', name: 'AWS Stockholm', operator: 'AWS', tags: ['arctic-adjacent'] });
  });
  const keys = (res: { body: any }) => res.body.items.map((a: { key: string }) => a.key);

  it('lists every asset in creation order with nextCursor null when all fit', async () => {
    const res = await t.call('GET', '/api/assets');
    expect(res.status).toBe(200);
    expect(keys(res)).toEqual(['gs-ksat', 'gs-ssc', 'moc-esoc', 'aws-eu-north-1']);
    expect(res.body.nextCursor).toBeNull();
  });

  it('filters by kind', async () => {
    expect(keys(await t.call('GET', '/api/assets?kind=ground_station'))).toEqual(['gs-ksat', 'gs-ssc']);
    expect(keys(await t.call('GET', '/api/assets?kind=cloud_region'))).toEqual(['aws-eu-north-1']);
    expect(keys(await t.call('GET', '/api/assets?kind=service'))).toEqual([]);
  });

  it('refuses an unknown kind with 400 naming kind', async () => {
    const res = await t.call('GET', '/api/assets?kind=spaceship');
    expectErrorShape(res, 400);
    expect(errorPaths(res)).toContain('kind');
  });

  it('filters by tag, matching whole tags only', async () => {
    expect(keys(await t.call('GET', '/api/assets?tag=arctic'))).toEqual(['gs-ksat', 'moc-esoc']);
    expect(keys(await t.call('GET', '/api/assets?tag=polar'))).toEqual(['gs-ksat', 'gs-ssc']);
    expect(keys(await t.call('GET', '/api/assets?tag=arc'))).toEqual([]);
  });

  it('filters by operator', async () => {
    expect(keys(await t.call('GET', '/api/assets?operator=KSAT'))).toEqual(['gs-ksat']);
    expect(keys(await t.call('GET', '/api/assets?operator=Nobody'))).toEqual([]);
  });

  it('combines filters', async () => {
    expect(keys(await t.call('GET', '/api/assets?kind=ground_station&tag=arctic'))).toEqual(['gs-ksat']);
    expect(keys(await t.call('GET', '/api/assets?tag=polar&operator=SSC'))).toEqual(['gs-ssc']);
  });
});

describe('pagination', () => {
  it('walks all items exactly once with limit and nextCursor, ending with nextCursor null', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await createAsset(station(`gs-${i}`))).key);

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/assets?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await t.call('GET', url);
      expect(res.status).toBe(200);
      pageSizes.push(res.body.items.length);
      seen.push(...res.body.items.map((a: { key: string }) => a.key));
      cursor = res.body.nextCursor;
      if (++pages > 10) throw new Error('pagination does not end');
    } while (cursor);

    expect(pageSizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(created);
  });

  it('gives nextCursor null when the last page is exactly full', async () => {
    for (let i = 0; i < 4; i++) await createAsset(station(`gs-${i}`));
    const first = await t.call('GET', '/api/assets?limit=2');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.call('GET', `/api/assets?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((a: { key: string }) => a.key)).toEqual(['gs-2', 'gs-3']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('keeps the filter across pages', async () => {
    for (let i = 0; i < 5; i++) await createAsset(station(`gs-${i}`, { tags: i % 2 === 0 ? ['even'] : [] }));
    const first = await t.call('GET', '/api/assets?tag=even&limit=2');
    expect(first.body.items.map((a: { key: string }) => a.key)).toEqual(['gs-0', 'gs-2']);
    const second = await t.call('GET', `/api/assets?tag=even&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((a: { key: string }) => a.key)).toEqual(['gs-4']);
    expect(second.body.nextCursor).toBeNull();
  });

  it.each([['garbage!!'], ['not-a-cursor'], [btoa('id:abc')], [btoa('hello')]])('refuses the cursor %s with 400 naming cursor', async (cursor) => {
    const res = await t.call('GET', `/api/assets?cursor=${encodeURIComponent(cursor)}`);
    expectErrorShape(res, 400);
    expect(errorPaths(res)).toContain('cursor');
  });

  it.each([['100000'], ['0'], ['-1'], ['ten'], ['2.5']])('refuses limit=%s with 400 naming limit', async (limit) => {
    const res = await t.call('GET', `/api/assets?limit=${limit}`);
    expectErrorShape(res, 400);
    expect(errorPaths(res)).toContain('limit');
  });
});

describe('validation of the body', () => {
  it.each([
    ['latitude 91', station('gs-x', { lat: 91 }), 'lat'],
    ['longitude -181', station('gs-x', { lon: -181 }), 'lon'],
    ['an empty name', station('gs-x', { name: '' }), 'name'],
    ['a blank name', station('gs-x', { name: '   ' }), 'name'],
    ['a missing name', { key: 'gs-x', kind: 'ground_station' }, 'name'],
    ['an unknown kind', { key: 'gs-x', kind: 'spaceship', name: 'X' }, 'kind'],
    ['a key with capitals and spaces', { key: 'Ground Station', kind: 'ground_station', name: 'X' }, 'key'],
    ['lat given as a string', station('gs-x', { lat: '78.2' }), 'lat'],
    ['duplicate tags', station('gs-x', { tags: ['a', 'a'] }), 'tags'],
    ['an unknown criticality', station('gs-x', { criticality: 'extreme' }), 'criticality'],
  ])('refuses %s with 400 naming the field and writes nothing', async (_label, body, field) => {
    const { error, paths } = await refused('POST', '/api/assets', { body }, 400);
    expect(error.code).toBe('invalid_input');
    expect(paths).toContain(field);
  });

  it('refuses an unknown field with 400 naming that field', async () => {
    const { error, paths } = await refused('POST', '/api/assets', { body: station('gs-x', { colour: 'red' }) }, 400);
    expect(error.code).toBe('invalid_input');
    expect(paths).toContain('colour');
  });

  it('refuses malformed JSON with 400 and the error shape', async () => {
    const { error } = await refused('POST', '/api/assets', { raw: '{"key": "gs-x", "kind": ', headers: { 'content-type': 'application/json' } }, 400);
    expect(error.code).toBe('invalid_input');
  });

  it('refuses a body larger than 1 MiB with 413 and the error shape', async () => {
    const body = station('gs-big', { description: 'x'.repeat(1024 * 1024 + 10) });
    const { error } = await refused('POST', '/api/assets', { body }, 413);
    expect(error.code).toBe('payload_too_large');
  });

  it('refuses a network_link without link with 400 on path link', async () => {
    const { paths } = await refused('POST', '/api/assets', { body: { key: 'cable', kind: 'network_link', name: 'Cable' } }, 400);
    expect(paths).toContain('link');
  });

  it('refuses link endpoints on an asset that is not a network_link with 400 on path link', async () => {
    const a = await createAsset(station('gs-a'));
    const b = await createAsset(station('gs-b'));
    const { paths } = await refused('POST', '/api/assets', { body: station('gs-c', { link: { fromAssetId: a.id, toAssetId: b.id } }) }, 400);
    expect(paths).toContain('link');
  });
});

describe('links', () => {
  it('refuses endpoints that do not exist with 422 naming link.fromAssetId', async () => {
    const b = await createAsset(station('gs-b'));
    const { error, paths } = await refused(
      'POST',
      '/api/assets',
      { body: { key: 'cable', kind: 'network_link', name: 'Cable', link: { fromAssetId: 9999, toAssetId: b.id } } },
      422,
    );
    expect(error.code).toBe('unprocessable');
    expect(paths).toEqual(['link.fromAssetId']);
  });

  it('refuses a link whose endpoint is itself a link with 422', async () => {
    const a = await createAsset(station('gs-a'));
    const b = await createAsset(station('gs-b'));
    const c = await createAsset(station('gs-c'));
    const ab = await createAsset({ key: 'cable-ab', kind: 'network_link', name: 'AB', link: { fromAssetId: a.id, toAssetId: b.id } });
    const { paths } = await refused(
      'POST',
      '/api/assets',
      { body: { key: 'cable-x', kind: 'network_link', name: 'X', link: { fromAssetId: c.id, toAssetId: ab.id } } },
      422,
    );
    expect(paths).toEqual(['link.toAssetId']);
  });

  it('refuses a link from an asset to itself with 422', async () => {
    const a = await createAsset(station('gs-a'));
    const { paths } = await refused('POST', '/api/assets', { body: { key: 'loop', kind: 'network_link', name: 'Loop', link: { fromAssetId: a.id, toAssetId: a.id } } }, 422);
    expect(paths).toContain('link.toAssetId');
  });
});

describe('conflicts and unknown ids', () => {
  it('refuses a duplicate key with 409 and keeps the first asset as it was', async () => {
    const first = await createAsset(station('gs-a', { name: 'First' }));
    const { error, paths } = await refused('POST', '/api/assets', { body: station('gs-a', { name: 'Second' }) }, 409);
    expect(error.code).toBe('conflict');
    expect(paths).toContain('key');
    expect((await t.call('GET', `/api/assets/${first.id}`)).body.name).toBe('First');
  });

  it.each([['GET'], ['PATCH'], ['DELETE']])('%s of an unknown id gives 404 with the error shape', async (method) => {
    await createAsset(station('gs-a'));
    const { error } = await refused(method, '/api/assets/4242', method === 'PATCH' ? { body: { name: 'X' } } : {}, 404);
    expect(error.code).toBe('not_found');
  });

  it.each([['abc'], ['1.5'], ['-3'], ['0']])('GET /api/assets/%s gives 400 naming id', async (id) => {
    const res = await t.call('GET', `/api/assets/${id}`);
    expectErrorShape(res, 400);
    expect(errorPaths(res)).toContain('id');
  });
});

describe('PATCH', () => {
  it('changes only the given fields and bumps updatedAt', async () => {
    const before = await createAsset(
      station('gs-a', { lat: 10, lon: 20, operator: 'KSAT', firmware: '1.0', criticality: 'critical', tags: ['arctic', 'polar'] }),
    );
    await sleep(5);
    const res = await t.call('PATCH', `/api/assets/${before.id}`, { body: { firmware: '2.1' } });
    expect(res.status).toBe(200);
    const { firmware, updatedAt, ...rest } = res.body;
    const { firmware: _f, updatedAt: oldUpdatedAt, ...restBefore } = before;
    expect(firmware).toBe('2.1');
    // criticality and tags were not in the patch, so they keep their values
    expect(rest).toEqual(restBefore);
    expect(Date.parse(updatedAt)).toBeGreaterThan(Date.parse(oldUpdatedAt));
    expect((await t.call('GET', `/api/assets/${before.id}`)).body).toEqual(res.body);
  });

  it('changes tags alone without touching criticality', async () => {
    const before = await createAsset(station('gs-a', { criticality: 'high', tags: ['x'] }));
    const res = await t.call('PATCH', `/api/assets/${before.id}`, { body: { tags: ['x', 'y'] } });
    expect(res.status).toBe(200);
    expect(res.body.tags).toEqual(['x', 'y']);
    expect(res.body.criticality).toBe('high');
  });

  it('clears a field set to null and leaves the others', async () => {
    const before = await createAsset(station('gs-a', { operator: 'KSAT', vendor: 'Kongsberg' }));
    const res = await t.call('PATCH', `/api/assets/${before.id}`, { body: { operator: null } });
    expect(res.status).toBe(200);
    expect(res.body.operator).toBeNull();
    expect(res.body.vendor).toBe('Kongsberg');
  });

  it('refuses an empty patch with 400 and writes nothing', async () => {
    const a = await createAsset(station('gs-a'));
    const { error } = await refused('PATCH', `/api/assets/${a.id}`, { body: {} }, 400);
    expect(error.code).toBe('invalid_input');
  });

  it('refuses an invalid value with 400 naming the field and leaves the asset unchanged', async () => {
    const a = await createAsset(station('gs-a', { lat: 10 }));
    const { paths } = await refused('PATCH', `/api/assets/${a.id}`, { body: { lat: 91, name: 'Renamed' } }, 400);
    expect(paths).toContain('lat');
    expect((await t.call('GET', `/api/assets/${a.id}`)).body).toEqual(a);
  });

  it('refuses a change of key', async () => {
    const a = await createAsset(station('gs-a'));
    await refused('PATCH', `/api/assets/${a.id}`, { body: { key: 'gs-b' } }, 400);
    expect((await t.call('GET', `/api/assets/${a.id}`)).body.key).toBe('gs-a');
  });

  it('refuses turning a station into a network_link without endpoints, naming link', async () => {
    const a = await createAsset(station('gs-a'));
    const { paths } = await refused('PATCH', `/api/assets/${a.id}`, { body: { kind: 'network_link' } }, 400);
    expect(paths).toContain('link');
  });

  it('refuses moving a link endpoint onto the link itself or onto a missing asset with 422', async () => {
    const a = await createAsset(station('gs-a'));
    const b = await createAsset(station('gs-b'));
    const ab = await createAsset({ key: 'cable-ab', kind: 'network_link', name: 'AB', link: { fromAssetId: a.id, toAssetId: b.id } });
    const self = await refused('PATCH', `/api/assets/${ab.id}`, { body: { link: { fromAssetId: ab.id, toAssetId: b.id } } }, 422);
    expect(self.paths).toContain('link.fromAssetId');
    const missing = await refused('PATCH', `/api/assets/${ab.id}`, { body: { link: { fromAssetId: a.id, toAssetId: 777 } } }, 422);
    expect(missing.paths).toContain('link.toAssetId');
    expect((await t.call('GET', `/api/assets/${ab.id}`)).body.link.toAssetId).toBe(b.id);
  });
});

describe('DELETE', () => {
  async function functionOn(assetIds: number[]) {
    const res = await t.call('POST', '/api/functions', {
      body: {
        key: 'tt-and-c',
        name: 'Telemetry, tracking and command',
        tier: 'PMEF',
        rtoSeconds: 900,
        mtdSeconds: 3600,
        groups: [{ name: 'stations', k: 1, members: assetIds.map((assetId) => ({ assetId })) }],
      },
    });
    if (res.status !== 201) throw new Error(`setup: ${res.status} ${res.text}`);
    return res.body as { id: number; key: string };
  }

  it('deletes an asset nothing depends on with 204; it is gone afterwards', async () => {
    const a = await createAsset(station('gs-a'));
    const res = await t.call('DELETE', `/api/assets/${a.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectErrorShape(await t.call('GET', `/api/assets/${a.id}`), 404);
  });

  it('refuses with 409 listing the function while a function depends on it; the asset still exists', async () => {
    const a = await createAsset(station('gs-a'));
    const b = await createAsset(station('gs-b'));
    await functionOn([a.id, b.id]);
    const { error } = await refused('DELETE', `/api/assets/${a.id}`, {}, 409);
    expect(error.code).toBe('conflict');
    expect(error.details.map((d) => d.message).join('\n')).toContain('tt-and-c');
    expect((await t.call('GET', `/api/assets/${a.id}`)).status).toBe(200);
  });

  it('deletes with ?force=true (204) and the function group no longer lists it', async () => {
    const a = await createAsset(station('gs-a'));
    const b = await createAsset(station('gs-b'));
    const fn = await functionOn([a.id, b.id]);
    const res = await t.call('DELETE', `/api/assets/${a.id}?force=true`);
    expect(res.status).toBe(204);
    expect((await t.call('GET', `/api/assets/${a.id}`)).status).toBe(404);
    const after = await t.call('GET', `/api/functions/${fn.id}`);
    expect(after.body.groups).toEqual([{ name: 'stations', k: 1, members: [{ assetId: b.id }] }]);
  });

  it('refuses with 409 while a network link ends at the asset', async () => {
    const a = await createAsset(station('gs-a'));
    const b = await createAsset(station('gs-b'));
    await createAsset({ key: 'cable-ab', kind: 'network_link', name: 'AB', link: { fromAssetId: a.id, toAssetId: b.id } });
    const { error } = await refused('DELETE', `/api/assets/${b.id}`, {}, 409);
    expect(error.details.map((d) => d.message).join('\n')).toContain('cable-ab');
  });

  it('refuses ?force=yes with 400 naming force and deletes nothing', async () => {
    const a = await createAsset(station('gs-a'));
    const { paths } = await refused('DELETE', `/api/assets/${a.id}?force=yes`, {}, 400);
    expect(paths).toContain('force');
  });
});
