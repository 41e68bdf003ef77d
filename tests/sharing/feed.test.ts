// Allied sharing through the API: markings in and out, partners and their tokens, the shared feed
// (only what the marking releases to the partner's country, redacted), the audit of every item
// sent, retraction when a marking gets more restrictive, and revocation stopping the feed at once.
import { describe, it } from 'vitest';
import { parse } from 'yaml';
import { errorPaths, expectErrorShape, ok, waitFor } from '../helpers.js';
import { startTargetServer } from '../support/target-server.js';
import { sharingSetup } from './harness.js';

const REL_US_JP = { tlp: 'AMBER', relTo: ['USA', 'JPN'] };

describe('markings', () => {
  it('are stored, shown sorted, exported and applied; unmarked reads null; a bad one is refused naming the field', async (ctx) => {
    const { expect } = ctx;
    const { t } = await sharingSetup(ctx);
    const created = await ok(t.call('POST', '/api/assets', { body: { key: 'gs-a', kind: 'ground_station', name: 'A', marking: REL_US_JP } }), 201);
    expect(created.marking).toEqual({ tlp: 'AMBER', relTo: ['JPN', 'USA'] });
    const plain = await ok(t.call('POST', '/api/assets', { body: { key: 'gs-b', kind: 'ground_station', name: 'B' } }), 201);
    expect(plain.marking).toBeNull();

    for (const [marking, path] of [[{ tlp: 'PURPLE', relTo: [] }, 'marking.tlp'], [{ tlp: 'GREEN', relTo: ['JP'] }, 'marking.relTo.0'], [{ tlp: 'GREEN', relTo: ['USA', 'USA'] }, 'marking.relTo']] as const) {
      const res = await t.call('PATCH', `/api/assets/${created.id}`, { body: { marking } });
      expectErrorShape(res, 400);
      expect(errorPaths(res)).toContain(path);
    }

    const asJson = parse((await t.call('GET', '/api/inventory')).text);
    expect(asJson.assets.find((a: any) => a.key === 'gs-a').marking).toEqual({ tlp: 'AMBER', relTo: ['JPN', 'USA'] });
    expect(asJson.assets.find((a: any) => a.key === 'gs-b').marking).toBeUndefined();

    const applied = await ok(t.call('POST', '/api/inventory/apply', {
      body: { assets: [{ key: 'gs-a', kind: 'ground_station', name: 'A', marking: { tlp: 'GREEN', relTo: ['USA'] } }, { key: 'gs-b', kind: 'ground_station', name: 'B' }] },
    }));
    expect(applied.updated.assets).toEqual(['gs-a']);
    expect((await ok(t.call('GET', `/api/assets/${created.id}`))).marking).toEqual({ tlp: 'GREEN', relTo: ['USA'] });
  });

  it("an incident's marking defaults to the most restrictive of what it touches; an officer can set one", async (ctx) => {
    const { expect } = ctx;
    const { t } = await sharingSetup(ctx);
    const a = (await ok(t.call('POST', '/api/assets', { body: { key: 'a', kind: 'ground_station', name: 'A', marking: { tlp: 'GREEN', relTo: ['USA', 'JPN', 'KOR'] } } }), 201)).id;
    const b = (await ok(t.call('POST', '/api/assets', { body: { key: 'b', kind: 'ground_station', name: 'B', marking: { tlp: 'AMBER', relTo: ['USA', 'JPN'] } } }), 201)).id;
    const c = (await ok(t.call('POST', '/api/assets', { body: { key: 'c', kind: 'ground_station', name: 'C' } }), 201)).id;
    const both = await ok(t.call('POST', '/api/incidents', { body: { title: 'Both', severity: 'major', assetId: a } }), 201);
    const edited = await ok(t.call('PATCH', `/api/incidents/${both.id}`, { body: { affected: { assets: [a, b], functions: [] } } }));
    expect(edited.marking).toEqual({ tlp: 'AMBER', relTo: ['JPN', 'USA'] });
    expect(edited.markingDerived).toBe(true);
    const withUnmarked = await ok(t.call('PATCH', `/api/incidents/${both.id}`, { body: { affected: { assets: [a, b, c], functions: [] } } }));
    expect(withUnmarked.marking).toBeNull();
    const set = await ok(t.call('PATCH', `/api/incidents/${both.id}`, { body: { marking: { tlp: 'GREEN', relTo: ['USA'] } } }));
    expect(set.marking).toEqual({ tlp: 'GREEN', relTo: ['USA'] });
    expect(set.markingDerived).toBe(false);
  });
});

describe('partners and the shared feed', () => {
  it('registers partners (admin only, validated) and refuses a partner token everywhere but the shared routes', async (ctx) => {
    const { expect } = ctx;
    const env = await sharingSetup(ctx);
    const { t } = env;
    expectErrorShape(await t.call('POST', '/api/partners', { token: t.tokens.planner, body: { key: 'jp', name: 'JP', country: 'JPN' } }), 403);
    const bad = await t.call('POST', '/api/partners', { body: { key: 'jp', name: 'JP', country: 'Japan' } });
    expectErrorShape(bad, 400);
    expect(errorPaths(bad)).toContain('country');
    const token = await env.partner('jp', 'JPN');
    expectErrorShape(await t.call('POST', '/api/partners', { body: { key: 'jp', name: 'again', country: 'JPN' } }), 409);
    expectErrorShape(await t.call('GET', '/api/assets', { token }), 403);
    expectErrorShape(await t.call('GET', '/api/sharing/audit', { token }), 403);
    expectErrorShape(await t.call('GET', '/api/sharing/feed', { token: t.tokens.admin }), 403);
    expectErrorShape(await t.call('GET', '/api/sharing/feed?cursor=abc', { token }), 400);
    const noPartner = await t.call('POST', '/api/tokens', { body: { name: 'x', role: 'partner' } });
    expect(errorPaths(noPartner)).toContain('partner');
  });

  it('a fault on a shared asset reaches the partner redacted; an unshared one never does; each item sent is audited; a revoked partner gets 401', async (ctx) => {
    const { expect } = ctx;
    const env = await sharingSetup(ctx);
    const { t } = env;
    const hidden = await startTargetServer('healthy');
    ctx.onTestFinished(() => hidden.close());
    const shared = await env.asset('gs-shared', REL_US_JP, { firmware: 'fw-9.9-SECRET', managementNetwork: '10.9.9.0/24', description: 'host mgmt-gs1.internal' });
    const unshared = await env.asset('gs-hidden', null, {}, hidden);
    await env.fn('relay', [shared], { tlp: 'AMBER', relTo: ['JPN', 'USA'] });
    await env.fn('internal-fn', [unshared, shared], null);
    const jp = await env.partner('jp', 'JPN');
    const kr = await env.partner('kr', 'KOR');
    await env.startMonitor();
    await waitFor('both up', async () => (await ok(t.call('GET', '/api/assets'))).items.every((a: any) => a.status === 'up'));
    env.target.setMode('failing');
    hidden.setMode('failing');
    const down = await waitFor('the shared fault in the feed', async () => (await env.feed(jp)).items.find((e) => e.type === 'asset.down'));
    expect(down.subject).toEqual({ kind: 'asset', key: 'gs-shared' });
    expect(down.data).toMatchObject({ assetKey: 'gs-shared', assetName: 'Station gs-shared', status: 'down' });
    expect(down.data.functionKeys).toEqual(['relay']);
    expect(down.drill).toBe(false);
    await waitFor('the hidden asset down here', async () => (await ok(t.call('GET', `/api/assets/${unshared}`))).status === 'down');
    const all = await env.feed(jp);
    const text = JSON.stringify(all) + JSON.stringify(await ok(t.call('GET', '/api/sharing/objects', { token: jp })));
    for (const secret of ['gs-hidden', 'internal-fn', 'fw-9.9-SECRET', '10.9.9.0', 'mgmt-gs1', hidden.url, env.target.url, '127.0.0.1']) expect(text).not.toContain(secret);
    expect((await env.feed(kr)).items).toEqual([]);

    const audit = await ok(t.call('GET', '/api/sharing/audit?partner=jp'));
    expect(audit.items.length).toBeGreaterThan(0);
    expect(audit.items.find((a: any) => a.eventId === down.id)).toMatchObject({ partner: 'jp', country: 'JPN', channel: 'feed', action: 'sent', item: { kind: 'asset', key: 'gs-shared' }, marking: { tlp: 'AMBER', relTo: ['JPN', 'USA'] } });
    expect(audit.items.every((a: any) => a.partner === 'jp')).toBe(true);

    await ok(t.call('DELETE', '/api/partners/jp'));
    expectErrorShape(await t.call('GET', '/api/sharing/feed', { token: jp }), 401);
    expectErrorShape(await t.call('GET', '/api/sharing/objects', { token: jp }), 401);
  });

  it('a marking made more restrictive sends a retraction to the countries that lose it, and nothing more of the item crosses', async (ctx) => {
    const { expect } = ctx;
    const env = await sharingSetup(ctx);
    const { t } = env;
    const id = await env.asset('gs-1', REL_US_JP);
    const jp = await env.partner('jp', 'JPN');
    const us = await env.partner('us', 'USA');
    await env.startMonitor();
    await waitFor('up in the feed', async () => (await env.feed(jp)).items.some((e) => e.type === 'asset.up'));
    const { cursor } = await env.feed(jp);
    await ok(t.call('PATCH', `/api/assets/${id}`, { body: { marking: { tlp: 'AMBER', relTo: ['USA'] } } }));
    const after = await env.feed(jp, cursor);
    expect(after.items.map((e) => [e.type, e.subject])).toEqual([['sharing.retracted', { kind: 'asset', key: 'gs-1' }]]);
    expect((await env.feed(us)).items.some((e) => e.type === 'sharing.retracted')).toBe(false);
    env.target.setMode('failing');
    await waitFor('down for the US partner', async () => (await env.feed(us)).items.some((e) => e.type === 'asset.down'));
    expect((await env.feed(jp, after.cursor)).items).toEqual([]);
    const audit = await ok(t.call('GET', '/api/sharing/audit?partner=jp'));
    expect(audit.items[0]).toMatchObject({ action: 'retracted', item: { kind: 'asset', key: 'gs-1' } });
  });
});
