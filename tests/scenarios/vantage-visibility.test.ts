// Scenarios that take vantages down: what the service can no longer see. Checks left with fewer
// vantages than their quorum are blind, assets whose every check is blind are unseen, functions
// that cannot be shown to hold on the assets still seen lose visibility — apart from capability.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorPaths, ok, tableCounts, type TestApp } from '../helpers.js';
import { scenarios } from '../../src/core/store/schema/index.js';
import { seedVantageFleet } from '../support/vantage-fleet.js';

let t: TestApp;

/** A scenario that breaks nothing itself: no asset is in this grid region. */
const QUIET = { kind: 'power', params: { gridRegion: 'nowhere', outageHours: 4 } };

const assess = (vantagesDown: string[]) => ok(t.call('POST', '/api/scenarios/assess', { token: t.tokens.planner, body: { ...QUIET, vantagesDown } }));

beforeAll(async () => {
  t = await createTestApp();
  await seedVantageFleet(t);
});
afterAll(() => t.close());

describe('the visibility part of a what-if', () => {
  it('with two sites cut off, lists the blind checks, the unseen assets and the function that loses visibility, apart from capability', async () => {
    const a = await assess(['svalbard-site', 'tokyo-moc']);
    expect(a.visibility).toEqual({
      // svalbard-ping keeps central only (1 of a majority of 2), svalbard-tls none of 1, troll-ping troll-site only (1 of 2)
      checksBlind: ['svalbard-ping', 'svalbard-tls', 'troll-ping'],
      assetsUnseen: ['gs-svalbard', 'gs-troll'],
      // two of three stations must hold; only Tokyo can still be seen (central alone keeps tokyo-ping's quorum of 1)
      functionsUnseen: ['downlink'],
    });
    expect(a.vantagesDown).toEqual(['svalbard-site', 'tokyo-moc']);
    expect(a.summary.functionsUnseen).toBe(1);
    // capability is untouched: nothing is down, every function operational
    expect(a.summary.functionsLost).toBe(0);
    expect(a.functions.every((f: { status: string }) => f.status === 'operational')).toBe(true);
  });

  it('one site down: a check that keeps its majority still sees its asset, and the function stays in sight', async () => {
    const a = await assess(['svalbard-site']);
    expect(a.visibility).toEqual({ checksBlind: ['svalbard-tls', 'troll-ping'], assetsUnseen: ['gs-troll'], functionsUnseen: [] });
  });

  it('central itself can be taken down: central-only checks go blind', async () => {
    const a = await assess(['central']);
    expect(a.visibility).toEqual({ checksBlind: ['moc-http'], assetsUnseen: ['moc-main'], functionsUnseen: ['operations'] });
  });

  it('no vantage down: nothing is blind', async () => {
    const a = await ok(t.call('POST', '/api/scenarios/assess', { token: t.tokens.planner, body: QUIET }));
    expect(a.visibility).toEqual({ checksBlind: [], assetsUnseen: [], functionsUnseen: [] });
    expect(a.vantagesDown).toEqual([]);
  });

  it('refuses vantages that do not exist (422) or are not names (400), naming the field', async () => {
    const unknown = await t.call('POST', '/api/scenarios/assess', { token: t.tokens.planner, body: { ...QUIET, vantagesDown: ['svalbard-site', 'mars-site'] } });
    expect(unknown.status).toBe(422);
    expect(errorPaths(unknown)).toEqual(['vantagesDown.1']);
    expect(unknown.body.error.message).toContain('mars-site');
    const badName = await t.call('POST', '/api/scenarios/assess', { token: t.tokens.planner, body: { ...QUIET, vantagesDown: ['Svalbard Site'] } });
    expect(badName.status).toBe(400);
    expect(errorPaths(badName)[0]).toMatch(/^vantagesDown/);
    const twice = await t.call('POST', '/api/scenarios/assess', { token: t.tokens.planner, body: { ...QUIET, vantagesDown: ['central', 'central'] } });
    expect(twice.status).toBe(400);
  });
});

describe('saved scenarios with vantagesDown', () => {
  it('stores them, assesses with them, changes and clears them; an unknown vantage writes nothing', async () => {
    const before = tableCounts(t.sqlite);
    const refused = await t.call('POST', '/api/scenarios', {
      token: t.tokens.planner, body: { key: 'backhaul-cut-bad', name: 'Bad', ...QUIET, vantagesDown: ['atlantis'] },
    });
    expect(refused.status).toBe(422);
    expect(errorPaths(refused)).toEqual(['vantagesDown.0']);
    expect(tableCounts(t.sqlite)).toEqual(before);

    const created = await ok(t.call('POST', '/api/scenarios', {
      token: t.tokens.planner, body: { key: 'arctic-backhaul-cut', name: 'Arctic backhaul cut', ...QUIET, vantagesDown: ['svalbard-site', 'tokyo-moc'] },
    }), 201);
    expect(created.vantagesDown).toEqual(['svalbard-site', 'tokyo-moc']);
    expect((await ok(t.call('GET', `/api/scenarios/${created.id}`))).vantagesDown).toEqual(['svalbard-site', 'tokyo-moc']);
    const saved = await ok(t.call('POST', `/api/scenarios/${created.id}/assess`, { token: t.tokens.planner }));
    expect(saved.visibility.functionsUnseen).toEqual(['downlink']);

    const badPatch = await t.call('PATCH', `/api/scenarios/${created.id}`, { token: t.tokens.planner, body: { vantagesDown: ['nowhere-site'] } });
    expect(badPatch.status).toBe(422);
    expect(errorPaths(badPatch)).toEqual(['vantagesDown.0']);
    const [row] = await t.sqlite.db.select().from(scenarios).where(eq(scenarios.id, created.id));
    expect(row!.vantagesDown).toEqual(['svalbard-site', 'tokyo-moc']);

    const central = await ok(t.call('PATCH', `/api/scenarios/${created.id}`, { token: t.tokens.planner, body: { vantagesDown: ['central'] } }));
    expect(central.vantagesDown).toEqual(['central']);
    expect((await ok(t.call('POST', `/api/scenarios/${created.id}/assess`, { token: t.tokens.planner }))).visibility.assetsUnseen).toEqual(['moc-main']);
    const cleared = await ok(t.call('PATCH', `/api/scenarios/${created.id}`, { token: t.tokens.planner, body: { vantagesDown: null } }));
    expect(cleared.vantagesDown).toEqual([]);
    expect((await ok(t.call('POST', `/api/scenarios/${created.id}/assess`, { token: t.tokens.planner }))).visibility.checksBlind).toEqual([]);
  });

  it('travels through inventory export and apply; apply refuses an unknown vantage by its place in the file', async () => {
    await ok(t.call('POST', '/api/scenarios', {
      token: t.tokens.planner, body: { key: 'svalbard-isolated', name: 'Svalbard isolated', ...QUIET, vantagesDown: ['svalbard-site'] },
    }), 201);
    const exported = (await t.call('GET', '/api/inventory', { headers: { accept: 'application/yaml' } })).text;
    expect(exported).toMatch(/key: svalbard-isolated[\s\S]*?vantagesDown:\s*\n\s*- svalbard-site/);
    const again = await ok(t.call('POST', '/api/inventory/apply', { raw: exported, headers: { 'content-type': 'application/yaml' } }));
    expect(again.updated.scenarios).toEqual([]);

    const file = 'scenarios:\n  - { key: cut-from-file, name: From a file, kind: power, params: { gridRegion: nowhere, outageHours: 1 }, vantagesDown: [tokyo-moc, atlantis] }\n';
    const refused = await t.call('POST', '/api/inventory/apply', { raw: file, headers: { 'content-type': 'application/yaml' } });
    expect(refused.status).toBe(422);
    expect(errorPaths(refused)).toEqual(['scenarios.0.vantagesDown.1']);
    const applied = await ok(t.call('POST', '/api/inventory/apply', { raw: file.replace(', atlantis', ''), headers: { 'content-type': 'application/yaml' } }));
    expect(applied.created.scenarios).toEqual(['cut-from-file']);
    const [row] = await t.sqlite.db.select().from(scenarios).where(eq(scenarios.key, 'cut-from-file'));
    expect(row!.vantagesDown).toEqual(['tokyo-moc']);
  });
});
