// Two real coopwatch processes on 127.0.0.1, a US one and a JPN one: JPN follows US. A fault on
// a shared asset reaches JPN's watch floor within 2 s of US recording it; an unshared asset's
// fault never shows; kill -9 of either side loses no shared event; revoking the partner gets
// its next request a 401, and JPN's tiles go stale.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN, api, freePort, peek, sleep, startService, waitFor, type Service } from '../reliability/faults/harness.js';
import { assetWithCheck, instancesDir, startTarget } from './instances.js';

const dir = instancesDir('coopwatch-allies-');

describe('a JPN coopwatch following a US one', () => {
  it('shows shared faults within 2 s, never unshared ones, loses nothing across kill -9 of either side, and stops on revocation', async () => {
    const target = await startTarget();
    const usFile = path.join(dir, 'us.db');
    const jpFile = path.join(dir, 'jp.db');
    const usPort = await freePort();
    const jpPort = await freePort();
    let us: Service = await startService({ COOPWATCH_DB: usFile, COOPWATCH_ORG_NAME: 'US Space Ops' }, { port: usPort });
    let jp: Service = await startService({ COOPWATCH_DB: jpFile, COOPWATCH_ORG_NAME: 'JPN Space Ops', COOPWATCH_FOLLOW_INTERVAL_MS: '300' }, { port: jpPort });
    const usApi = api(us.base);
    const jpApi = api(jp.base);

    const asset = (key: string, marking: unknown) => assetWithCheck(usApi, target.base, key, marking);
    const shared = await asset('gs-shared', { tlp: 'AMBER', relTo: ['USA', 'JPN'] });
    const hidden = await asset('gs-hidden', null);
    expect((await usApi('POST', '/api/functions', { key: 'relay', name: 'Bilateral relay', tier: 'MEF', rtoSeconds: 60, mtdSeconds: 60, marking: { tlp: 'AMBER', relTo: ['JPN', 'USA'] }, groups: [{ name: 'sites', k: 1, members: [{ assetId: shared }] }] })).status).toBe(201);
    expect((await usApi('POST', '/api/partners', { key: 'jp', name: 'JPN Space Ops', country: 'JPN' })).status).toBe(201);
    const minted = await usApi('POST', '/api/tokens', { name: 'jp-follower', role: 'partner', partner: 'jp' });
    expect(minted.status).toBe(201);
    const partnerToken = minted.body.secret as string;
    expect((await jpApi('POST', '/api/sharing/sources', { name: 'US Space Ops', url: us.base, token: partnerToken })).status).toBe(201);

    const alliedItem = async (key: string) => {
      const picture = (await jpApi('GET', '/api/sharing/allied')).body;
      return picture.sources[0]?.items.find((i: { key: string }) => i.key === key) as { status: string; drill: boolean } | undefined;
    };
    await waitFor('the shared asset up on the JPN floor', async () => (await alliedItem('gs-shared'))?.status === 'up');
    expect((await alliedItem('relay'))?.status).toBe('operational');

    // A fault on the shared asset: from US recording it to JPN showing it, at most 2 s.
    target.fail('/gs-shared');
    const usDown = await waitFor('US records it', async () => {
      const a = (await usApi('GET', `/api/assets/${shared}`)).body;
      return a.status === 'down' ? Date.now() : undefined;
    }, 10_000, 20);
    const jpDown = await waitFor('JPN shows it', async () => ((await alliedItem('gs-shared'))?.status === 'down' ? Date.now() : undefined), 10_000, 20);
    expect(jpDown - usDown).toBeLessThanOrEqual(2_000);

    // On JPN's watch floor page, as an allied tile naming its owner.
    const signIn = await fetch(`${jp.base}/login`, { method: 'POST', body: new URLSearchParams({ token: ADMIN, next: '/' }), redirect: 'manual' });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const floor = await (await fetch(`${jp.base}/`, { headers: { cookie } })).text();
    expect(floor).toContain('Allied (read-only)');
    expect(floor).toMatch(/data-subject="allied-asset" data-key="gs-shared" data-status="down"/);
    expect(floor).toContain('Owner: US Space Ops');

    // The unshared asset fails too: US sees it, JPN never does.
    target.fail('/gs-hidden');
    await waitFor('US sees the hidden asset down', async () => (await usApi('GET', `/api/assets/${hidden}`)).body.status === 'down');
    await sleep(1_500);
    const picture = JSON.stringify((await jpApi('GET', '/api/sharing/allied')).body);
    expect(picture).not.toContain('gs-hidden');
    expect(picture).not.toContain('fw-gs-shared');

    // kill -9 JPN; US moves on; JPN restarts and catches up.
    await jp.kill9();
    target.heal('/gs-shared');
    await waitFor('US sees it up', async () => (await usApi('GET', `/api/assets/${shared}`)).body.status === 'up');
    jp = await startService({ COOPWATCH_DB: jpFile, COOPWATCH_ORG_NAME: 'JPN Space Ops', COOPWATCH_FOLLOW_INTERVAL_MS: '300' }, { port: jpPort });
    await waitFor('JPN caught up after its restart', async () => (await alliedItem('gs-shared'))?.status === 'up');

    // kill -9 US after another fault; it restarts and JPN carries on from its cursor.
    target.fail('/gs-shared');
    await waitFor('US records the second fault', async () => (await usApi('GET', `/api/assets/${shared}`)).body.status === 'down');
    await us.kill9();
    await waitFor('JPN notes the feed is unreachable', async () => JSON.stringify((await jpApi('GET', '/api/sharing/allied')).body).includes('lastError":"'));
    us = await startService({ COOPWATCH_DB: usFile, COOPWATCH_ORG_NAME: 'US Space Ops' }, { port: usPort });
    target.heal('/gs-shared');
    await waitFor('JPN sees it up again', async () => (await alliedItem('gs-shared'))?.status === 'up');

    // Every shared event US has is at JPN, once.
    const usFeed: number[] = [];
    for (let cursor = '0'; ;) {
      const res = await fetch(`${us.base}/api/sharing/feed?cursor=${cursor}&limit=500`, { headers: { authorization: `Bearer ${partnerToken}` } });
      const page: any = await res.json();
      usFeed.push(...page.items.map((e: { id: number }) => e.id));
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    // JPN started from US's shared objects (a snapshot), then the feed: every event after that is there, once.
    const atJpn = () => peek(jpFile, (db) => (db.prepare('select remote_id from allied_events order by remote_id').all() as Array<{ remote_id: number }>).map((r) => r.remote_id));
    await waitFor('JPN has every shared event since it started following', () => {
      const ids = atJpn();
      return ids.length > 0 && ids.join() === usFeed.filter((id) => id >= ids[0]!).join();
    });
    expect(atJpn().length).toBeGreaterThanOrEqual(4);

    // Revoked: the next request is refused, and JPN's floor says the feed is stale-bound.
    expect((await api(us.base)('DELETE', '/api/partners/jp')).status).toBe(200);
    expect((await fetch(`${us.base}/api/sharing/feed`, { headers: { authorization: `Bearer ${partnerToken}` } })).status).toBe(401);
    await waitFor('JPN records the 401', async () => JSON.stringify((await jpApi('GET', '/api/sharing/allied')).body).includes('answered 401'));
    // With the feed quiet past 15 s, JPN's tiles say the picture is stale.
    await waitFor('JPN marks the feed stale', async () => (await jpApi('GET', '/api/sharing/allied')).body.sources[0].stale === true, 25_000);
    const signedIn = await fetch(`${jp.base}/login`, { method: 'POST', body: new URLSearchParams({ token: ADMIN, next: '/' }), redirect: 'manual' });
    const stalePage = await (await fetch(`${jp.base}/`, { headers: { cookie: signedIn.headers.get('set-cookie')!.split(';')[0]! } })).text();
    expect(stalePage).toMatch(/data-role="stale">STALE: no news since/);
    await target.close();
  }, 120_000);
});
