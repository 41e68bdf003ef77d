// Function JSON names its single points of failure and lists each group's members with their status.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { assetStates } from '../../src/core/store/schema/index.js';
import { createTestApp, type TestApp } from '../helpers.js';

let t: TestApp;
const ids: Record<string, number> = {};

beforeEach(async () => {
  t = await createTestApp();
  for (const key of ['moc-a', 'moc-b', 'gs-1', 'gs-2']) {
    const res = await t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: `Asset ${key}` } });
    ids[key] = res.body.id;
    await t.sqlite.db.insert(assetStates).values({ assetId: res.body.id, status: 'up', since: Date.now() });
  }
});
afterEach(() => t.close());

async function createFunction(key: string, groups: unknown[]) {
  const res = await t.call('POST', '/api/functions', { body: { key, name: `Function ${key}`, tier: 'MEF', rtoSeconds: 600, mtdSeconds: 3600, groups } });
  expect(res.status).toBe(201);
  return res.body;
}

describe('function JSON: single points of failure and group members', () => {
  it('a k = n group names every member as a SPOF; a group with a spare names none; both list their assets with status', async () => {
    const fn = await createFunction('tt-and-c', [
      { name: 'control centres', k: 2, members: [{ assetId: ids['moc-a'] }, { assetId: ids['moc-b'] }] },
      { name: 'stations', k: 1, members: [{ assetId: ids['gs-1'] }, { assetId: ids['gs-2'] }] },
    ]);
    const got = (await t.call('GET', `/api/functions/${fn.id}`)).body;
    expect(got).toMatchObject({ redundancy: 'N', sparesLeft: 0, continuity: 'N' });
    expect(got.singlePointsOfFailure).toEqual([
      { assetId: ids['moc-a'], key: 'moc-a', name: 'Asset moc-a', group: 'control centres' },
      { assetId: ids['moc-b'], key: 'moc-b', name: 'Asset moc-b', group: 'control centres' },
    ]);
    expect(got.standing).toEqual([
      {
        name: 'control centres', k: 2, n: 2, available: 2, sparesLeft: 0, continuity: 'N',
        members: [
          { assetId: ids['moc-a'], key: 'moc-a', name: 'Asset moc-a', status: 'up', singlePointOfFailure: true },
          { assetId: ids['moc-b'], key: 'moc-b', name: 'Asset moc-b', status: 'up', singlePointOfFailure: true },
        ],
      },
      {
        name: 'stations', k: 1, n: 2, available: 2, sparesLeft: 1, continuity: 'N+1',
        members: [
          { assetId: ids['gs-1'], key: 'gs-1', name: 'Asset gs-1', status: 'up', singlePointOfFailure: false },
          { assetId: ids['gs-2'], key: 'gs-2', name: 'Asset gs-2', status: 'up', singlePointOfFailure: false },
        ],
      },
    ]);
    // the groups as written stay as they were (they round-trip into PATCH)
    expect(got.groups[0]).toEqual({ name: 'control centres', k: 2, members: [{ assetId: ids['moc-a'] }, { assetId: ids['moc-b'] }] });
  });

  it('with a spare left no SPOF is named; once the spare is down the survivor is, and the list shows who is down', async () => {
    const fn = await createFunction('downlink', [{ name: 'stations', k: 1, members: [{ assetId: ids['gs-1'] }, { assetId: ids['gs-2'] }] }]);
    const list = (await t.call('GET', '/api/functions')).body.items.find((f: { id: number }) => f.id === fn.id);
    expect(list).toMatchObject({ sparesLeft: 1, continuity: 'N+1', singlePointsOfFailure: [] });

    await t.sqlite.db.update(assetStates).set({ status: 'down' }).where(eq(assetStates.assetId, ids['gs-2']!));
    const got = (await t.call('GET', `/api/functions/${fn.id}`)).body;
    expect(got).toMatchObject({ sparesLeft: 0, continuity: 'N' });
    expect(got.singlePointsOfFailure).toEqual([{ assetId: ids['gs-1'], key: 'gs-1', name: 'Asset gs-1', group: 'stations' }]);
    expect(got.standing[0].members.map((m: { key: string; status: string }) => `${m.key} ${m.status}`)).toEqual(['gs-1 up', 'gs-2 down']);

    await t.sqlite.db.update(assetStates).set({ status: 'maintenance' }).where(eq(assetStates.assetId, ids['gs-1']!));
    const lost = (await t.call('GET', `/api/functions/${fn.id}`)).body;
    expect(lost).toMatchObject({ sparesLeft: -1, continuity: 'N-1', singlePointsOfFailure: [] });
  });

  it('a member function is named as the SPOF of the function that depends on it alone', async () => {
    const contact = await createFunction('contact', [{ name: 'stations', k: 1, members: [{ assetId: ids['gs-1'] }, { assetId: ids['gs-2'] }] }]);
    const fn = await createFunction('ops', [{ name: 'upstream', k: 1, members: [{ functionId: contact.id }] }]);
    const got = (await t.call('GET', `/api/functions/${fn.id}`)).body;
    expect(got.singlePointsOfFailure).toEqual([{ functionId: contact.id, key: 'contact', name: 'Function contact', group: 'upstream' }]);
    expect(got.standing[0].members[0]).toMatchObject({ functionId: contact.id, status: 'operational', singlePointOfFailure: true });
  });
});
