import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, errorPaths, expectErrorShape, tableCounts, type TestApp, refusedWithoutWrites } from '../helpers.js';

let t: TestApp;
let a1: number;
let a2: number;
let a3: number;

beforeEach(async () => {
  t = await createTestApp();
  const ids: number[] = [];
  for (const key of ['gs-svalbard', 'gs-troll', 'gs-inuvik']) {
    const res = await t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key } });
    if (res.status !== 201) throw new Error(`setup: ${res.status} ${res.text}`);
    ids.push(res.body.id);
  }
  [a1, a2, a3] = ids as [number, number, number];
});
afterEach(() => t.close());

type Group = { name: string; k: number; members: Array<{ assetId: number } | { functionId: number }> };

const fnBody = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  name: `Function ${key}`,
  tier: 'MEF',
  rtoSeconds: 600,
  mtdSeconds: 3600,
  ...extra,
});

async function createFunction(key: string, extra: Record<string, unknown> = {}) {
  const res = await t.call('POST', '/api/functions', { body: fnBody(key, extra) });
  if (res.status !== 201) throw new Error(`setup: creating ${key} gave ${res.status} ${res.text}`);
  return res.body as { id: number; key: string; groups: Group[] } & Record<string, any>;
}

const refused = (method: string, url: string, options: Parameters<TestApp['call']>[2], status: number) => refusedWithoutWrites(t, method, url, options, status);

describe('create and get with inline groups', () => {
  it('stores groups with asset and function members, in order, and GET returns them', async () => {
    const ground = await createFunction('ground-contact', { groups: [{ name: 'polar stations', k: 1, members: [{ assetId: a1 }, { assetId: a2 }] }] });
    const groups: Group[] = [
      { name: 'stations', k: 2, members: [{ assetId: a3 }, { assetId: a1 }, { assetId: a2 }] },
      { name: 'upstream', k: 1, members: [{ functionId: ground.id }] },
    ];
    const res = await t.call('POST', '/api/functions', {
      body: fnBody('tt-and-c', { tier: 'PMEF', rtoSeconds: 900, rpoSeconds: 60, mtdSeconds: 7200, owner: 'Flight ops', groups }),
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: 'tt-and-c', tier: 'PMEF', rtoSeconds: 900, rpoSeconds: 60, mtdSeconds: 7200, owner: 'Flight ops' });
    expect(res.body.groups).toEqual(groups);

    const got = await t.call('GET', `/api/functions/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('creates a function without groups as groups: []', async () => {
    const fn = await createFunction('no-deps');
    expect(fn.groups).toEqual([]);
  });

  it('refuses a duplicate key with 409', async () => {
    await createFunction('dup');
    const { error } = await refused('POST', '/api/functions', { body: fnBody('dup') }, 409);
    expect(error.code).toBe('conflict');
  });

  it('gives 404 with the error shape for an unknown id', async () => {
    const { error } = await refused('GET', '/api/functions/999', {}, 404);
    expect(error.code).toBe('not_found');
  });
});

describe('validation', () => {
  it('refuses k greater than the number of members with 400 on groups.0.k', async () => {
    const { paths } = await refused('POST', '/api/functions', { body: fnBody('f', { groups: [{ name: 'g', k: 3, members: [{ assetId: a1 }, { assetId: a2 }] }] }) }, 400);
    expect(paths).toContain('groups.0.k');
  });

  it('refuses k = 0 with 400 on groups.0.k', async () => {
    const { paths } = await refused('POST', '/api/functions', { body: fnBody('f', { groups: [{ name: 'g', k: 0, members: [{ assetId: a1 }] }] }) }, 400);
    expect(paths).toContain('groups.0.k');
  });

  it('refuses duplicate group names with 400 naming the second group', async () => {
    const groups = [
      { name: 'stations', k: 1, members: [{ assetId: a1 }] },
      { name: 'stations', k: 1, members: [{ assetId: a2 }] },
    ];
    const { paths } = await refused('POST', '/api/functions', { body: fnBody('f', { groups }) }, 400);
    expect(paths).toContain('groups.1.name');
  });

  it('refuses a member listed twice in one group with 400', async () => {
    const groups = [{ name: 'g', k: 1, members: [{ assetId: a1 }, { assetId: a1 }] }];
    const { paths } = await refused('POST', '/api/functions', { body: fnBody('f', { groups }) }, 400);
    expect(paths).toContain('groups.0.members.1');
  });

  it('refuses a member that names both an asset and a function with 400', async () => {
    const groups = [{ name: 'g', k: 1, members: [{ assetId: a1, functionId: 1 }] }];
    const { paths } = await refused('POST', '/api/functions', { body: fnBody('f', { groups }) }, 400);
    expect(paths.some((p) => p.startsWith('groups.0.members.0'))).toBe(true);
  });

  it('refuses mtdSeconds < rtoSeconds with 400 on mtdSeconds', async () => {
    const { paths } = await refused('POST', '/api/functions', { body: fnBody('f', { rtoSeconds: 3600, mtdSeconds: 600 }) }, 400);
    expect(paths).toContain('mtdSeconds');
  });

  it('refuses an unknown tier with 400 on tier', async () => {
    const { paths } = await refused('POST', '/api/functions', { body: fnBody('f', { tier: 'critical' }) }, 400);
    expect(paths).toContain('tier');
  });

  it('refuses a member asset id that does not exist with 422 on groups.0.members.0.assetId', async () => {
    const groups = [{ name: 'g', k: 1, members: [{ assetId: 9999 }, { assetId: a1 }] }];
    const { error, paths } = await refused('POST', '/api/functions', { body: fnBody('f', { groups }) }, 422);
    expect(error.code).toBe('unprocessable');
    expect(paths).toEqual(['groups.0.members.0.assetId']);
  });

  it('refuses a member function id that does not exist with 422 on its path', async () => {
    const groups = [
      { name: 'g', k: 1, members: [{ assetId: a1 }] },
      { name: 'h', k: 1, members: [{ assetId: a2 }, { functionId: 4242 }] },
    ];
    const { paths } = await refused('POST', '/api/functions', { body: fnBody('f', { groups }) }, 422);
    expect(paths).toEqual(['groups.1.members.1.functionId']);
  });
});

describe('cycles', () => {
  it('refuses a PATCH that would close a cycle (A→B, then B→A) with 422 and leaves B unchanged', async () => {
    const b = await createFunction('b', { groups: [{ name: 'stations', k: 1, members: [{ assetId: a1 }] }] });
    const a = await createFunction('a', { groups: [{ name: 'upstream', k: 1, members: [{ functionId: b.id }] }] });
    const { error } = await refused(
      'PATCH',
      `/api/functions/${b.id}`,
      { body: { name: 'B renamed', groups: [{ name: 'loop', k: 1, members: [{ functionId: a.id }] }] } },
      422,
    );
    expect(error.code).toBe('unprocessable');
    expect(error.message).toMatch(/\ba\b.*\bb\b|\bb\b.*\ba\b/);
    expect((await t.call('GET', `/api/functions/${b.id}`)).body).toEqual(b);
  });

  it('refuses a longer cycle A→B→C→A with 422', async () => {
    const c = await createFunction('c');
    const b = await createFunction('b', { groups: [{ name: 'g', k: 1, members: [{ functionId: c.id }] }] });
    const a = await createFunction('a', { groups: [{ name: 'g', k: 1, members: [{ functionId: b.id }] }] });
    await refused('PATCH', `/api/functions/${c.id}`, { body: { groups: [{ name: 'g', k: 1, members: [{ functionId: a.id }] }] } }, 422);
    expect((await t.call('GET', `/api/functions/${c.id}`)).body.groups).toEqual([]);
  });

  it('refuses a function depending on itself via PATCH with 422', async () => {
    const a = await createFunction('a', { groups: [{ name: 'stations', k: 1, members: [{ assetId: a1 }] }] });
    await refused('PATCH', `/api/functions/${a.id}`, { body: { groups: [{ name: 'self', k: 1, members: [{ functionId: a.id }] }] } }, 422);
    expect((await t.call('GET', `/api/functions/${a.id}`)).body).toEqual(a);
  });

  it('accepts a diamond (A→B, A→C, B→D, C→D): shared dependencies are not cycles', async () => {
    const d = await createFunction('d');
    const b = await createFunction('b', { groups: [{ name: 'g', k: 1, members: [{ functionId: d.id }] }] });
    const c = await createFunction('c', { groups: [{ name: 'g', k: 1, members: [{ functionId: d.id }] }] });
    const res = await t.call('POST', '/api/functions', { body: fnBody('a', { groups: [{ name: 'g', k: 2, members: [{ functionId: b.id }, { functionId: c.id }] }] }) });
    expect(res.status).toBe(201);
  });
});

describe('PATCH', () => {
  it('replaces all groups when groups is given', async () => {
    const fn = await createFunction('f', {
      groups: [
        { name: 'one', k: 1, members: [{ assetId: a1 }] },
        { name: 'two', k: 1, members: [{ assetId: a2 }] },
      ],
    });
    const res = await t.call('PATCH', `/api/functions/${fn.id}`, { body: { groups: [{ name: 'three', k: 1, members: [{ assetId: a3 }, { assetId: a1 }] }] } });
    expect(res.status).toBe(200);
    expect(res.body.groups).toEqual([{ name: 'three', k: 1, members: [{ assetId: a3 }, { assetId: a1 }] }]);
    expect((await t.call('GET', `/api/functions/${fn.id}`)).body.groups).toEqual(res.body.groups);
  });

  it('keeps groups and other fields when only the owner changes', async () => {
    const fn = await createFunction('f', { owner: 'Ops', rpoSeconds: 30, groups: [{ name: 'one', k: 1, members: [{ assetId: a1 }] }] });
    const res = await t.call('PATCH', `/api/functions/${fn.id}`, { body: { owner: 'Network team' } });
    expect(res.status).toBe(200);
    const { owner, updatedAt, ...rest } = res.body;
    const { owner: _o, updatedAt: _u, ...restBefore } = fn;
    expect(owner).toBe('Network team');
    expect(rest).toEqual(restBefore);
  });

  it('clears all groups with groups: []', async () => {
    const fn = await createFunction('f', { groups: [{ name: 'one', k: 1, members: [{ assetId: a1 }] }] });
    const res = await t.call('PATCH', `/api/functions/${fn.id}`, { body: { groups: [] } });
    expect(res.status).toBe(200);
    expect(res.body.groups).toEqual([]);
  });

  it('refuses an MTD below the stored RTO, naming mtdSeconds, and leaves the function unchanged', async () => {
    const fn = await createFunction('f', { rtoSeconds: 900, mtdSeconds: 3600 });
    const before = tableCounts(t.sqlite);
    const res = await t.call('PATCH', `/api/functions/${fn.id}`, { body: { mtdSeconds: 300 } });
    expect([400, 422]).toContain(res.status);
    expectErrorShape(res, res.status);
    expect(errorPaths(res)).toContain('mtdSeconds');
    expect(tableCounts(t.sqlite)).toEqual(before);
    expect((await t.call('GET', `/api/functions/${fn.id}`)).body.mtdSeconds).toBe(3600);
  });

  it('refuses an empty patch with 400', async () => {
    const fn = await createFunction('f');
    await refused('PATCH', `/api/functions/${fn.id}`, { body: {} }, 400);
  });

  it('refuses a patch whose member does not exist with 422 and keeps the old groups', async () => {
    const fn = await createFunction('f', { groups: [{ name: 'one', k: 1, members: [{ assetId: a1 }] }] });
    const { paths } = await refused('PATCH', `/api/functions/${fn.id}`, { body: { groups: [{ name: 'x', k: 1, members: [{ assetId: 5555 }] }] } }, 422);
    expect(paths).toEqual(['groups.0.members.0.assetId']);
    expect((await t.call('GET', `/api/functions/${fn.id}`)).body.groups).toEqual(fn.groups);
  });
});

describe('DELETE', () => {
  it('refuses to delete a function another depends on with 409 naming the dependant', async () => {
    const base = await createFunction('base');
    await createFunction('top', { groups: [{ name: 'g', k: 1, members: [{ functionId: base.id }] }] });
    const { error } = await refused('DELETE', `/api/functions/${base.id}`, {}, 409);
    expect(error.code).toBe('conflict');
    expect(error.details.map((d) => d.message).join('\n')).toContain('top');
    expect((await t.call('GET', `/api/functions/${base.id}`)).status).toBe(200);
  });

  it('deletes with ?force=true (204); the dependant no longer lists it', async () => {
    const base = await createFunction('base');
    const top = await createFunction('top', { groups: [{ name: 'g', k: 1, members: [{ assetId: a1 }, { functionId: base.id }] }] });
    const res = await t.call('DELETE', `/api/functions/${base.id}?force=true`);
    expect(res.status).toBe(204);
    expect((await t.call('GET', `/api/functions/${base.id}`)).status).toBe(404);
    expect((await t.call('GET', `/api/functions/${top.id}`)).body.groups).toEqual([{ name: 'g', k: 1, members: [{ assetId: a1 }] }]);
  });

  it('deletes a function nobody depends on, and its groups with it; its assets stay', async () => {
    const fn = await createFunction('f', { groups: [{ name: 'g', k: 1, members: [{ assetId: a1 }] }] });
    const res = await t.call('DELETE', `/api/functions/${fn.id}`);
    expect(res.status).toBe(204);
    const counts = tableCounts(t.sqlite);
    expect(counts.dependency_groups).toBe(0);
    expect(counts.group_members).toBe(0);
    expect((await t.call('GET', `/api/assets/${a1}`)).status).toBe(200);
  });
});

describe('list', () => {
  it('filters by tier and pages with limit/nextCursor', async () => {
    await createFunction('p1', { tier: 'PMEF' });
    await createFunction('m1', { tier: 'MEF' });
    await createFunction('p2', { tier: 'PMEF' });
    await createFunction('s1', { tier: 'supporting' });
    const keys = (res: { body: any }) => res.body.items.map((f: { key: string }) => f.key);

    expect(keys(await t.call('GET', '/api/functions?tier=PMEF'))).toEqual(['p1', 'p2']);
    expect(keys(await t.call('GET', '/api/functions?tier=supporting'))).toEqual(['s1']);
    expect(keys(await t.call('GET', '/api/functions'))).toEqual(['p1', 'm1', 'p2', 's1']);

    const first = await t.call('GET', '/api/functions?limit=3');
    expect(keys(first)).toEqual(['p1', 'm1', 'p2']);
    const second = await t.call('GET', `/api/functions?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(keys(second)).toEqual(['s1']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('includes each function’s groups in the list', async () => {
    await createFunction('f', { groups: [{ name: 'g', k: 1, members: [{ assetId: a2 }] }] });
    const res = await t.call('GET', '/api/functions');
    expect(res.body.items[0].groups).toEqual([{ name: 'g', k: 1, members: [{ assetId: a2 }] }]);
  });

  it('refuses an unknown tier with 400 naming tier', async () => {
    const res = await t.call('GET', '/api/functions?tier=gold');
    expectErrorShape(res, 400);
    expect(errorPaths(res)).toContain('tier');
  });
});
