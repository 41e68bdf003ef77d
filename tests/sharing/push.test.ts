// Pushed signed events between two real coopwatch processes on 127.0.0.1: US pushes its shared feed
// to JPN (Standard Webhooks, through US's webhook outbox). JPN's pull runs once an hour here, so
// whatever shows on its allied tiles came by push. Forged or old signatures are refused with 401
// and change nothing; a late push never moves a tile back; an unshared asset is never pushed; a
// revoked partner gets nothing more, not even deliveries queued before its revocation.
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { api, freePort, peek, sleep, startService, waitFor, type Service } from '../reliability/faults/harness.js';
import { assetWithCheck, instancesDir, startTarget } from './instances.js';

const dir = instancesDir('coopwatch-push-');

/** A push as US would send it, signed with `secret` at `at` (unix seconds). */
function signedPush(secret: string, item: Record<string, unknown>, at = Math.floor(Date.now() / 1000)) {
  const body = JSON.stringify({ type: item.type, timestamp: item.at, data: item });
  const id = `msg_forged_${item.id}_${at}`;
  const signature = new Webhook(secret).sign(id, new Date(at * 1000), body);
  return { body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signature } };
}

describe('US pushing its shared feed to a JPN coopwatch', () => {
  it('lands shared faults at once without a pull, refuses forged pushes, never rolls back, never pushes the unshared, and stops on revocation', async () => {
    const target = await startTarget();
    const jpFile = path.join(dir, 'jp.db');
    const jpPort = await freePort();
    const us: Service = await startService({ COOPWATCH_DB: path.join(dir, 'us.db'), COOPWATCH_ORG_NAME: 'US Space Ops', COOPWATCH_WEBHOOK_RETRY_SCHEDULE: '1s,1s,1s,1s,1s,1s,1s,1s' });
    const jpEnv = { COOPWATCH_DB: jpFile, COOPWATCH_ORG_NAME: 'JPN Space Ops', COOPWATCH_FOLLOW_INTERVAL_MS: '3600000' };
    let jp: Service = await startService(jpEnv, { port: jpPort });
    const usApi = api(us.base);
    const jpApi = api(jp.base);

    const asset = (key: string, marking: unknown) => assetWithCheck(usApi, target.base, key, marking);
    const shared = await asset('gs-shared', { tlp: 'AMBER', relTo: ['JPN', 'USA'] });
    const hidden = await asset('gs-hidden', { tlp: 'AMBER', relTo: ['USA'] });
    const usStatus = async (id: number) => (await usApi('GET', `/api/assets/${id}`)).body.status as string;
    await waitFor('both assets up at US', async () => (await usStatus(shared)) === 'up' && (await usStatus(hidden)) === 'up');

    // Pairing: US registers JPN, mints its token and points the push at JPN; JPN follows US with the same secret.
    expect((await usApi('POST', '/api/partners', { key: 'jp', name: 'JPN Space Ops', country: 'JPN' })).status).toBe(201);
    const token = (await usApi('POST', '/api/tokens', { name: 'jp-follower', role: 'partner', partner: 'jp' })).body.secret as string;
    expect((await usApi('PUT', '/api/partners/jp/push', { url: 'ftp://x' })).body.error.details[0].path).toBe('url');
    const pairing = await usApi('PUT', '/api/partners/jp/push', { url: `${jp.base}/api/sharing/push` });
    expect(pairing.status).toBe(200);
    const secret = pairing.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const source = await jpApi('POST', '/api/sharing/sources', { name: 'US Space Ops', url: us.base, token, pushSecret: secret });
    expect(source.status).toBe(201);
    expect(source.body.takesPushes).toBe(true);

    const picture = async () => (await api(jp.base)('GET', '/api/sharing/allied')).body.sources[0];
    const tile = async (key: string) => (await picture()).items.find((i: { key: string }) => i.key === key) as { status: string } | undefined;

    // A fault on the shared asset is on JPN's tiles within seconds, and no pull has run (the cursor is where it started).
    target.fail('/gs-shared');
    await waitFor('US records the fault', async () => (await usStatus(shared)) === 'down', 10_000, 20);
    await waitFor('JPN shows it, pushed', async () => (await tile('gs-shared'))?.status === 'down', 5_000, 20);
    expect((await picture()).cursor).toBe(0);
    expect(JSON.stringify(await picture())).not.toContain('fw-gs-shared');

    // The unshared asset fails too: US's outbox never sends it, and JPN never shows it.
    target.fail('/gs-hidden');
    await waitFor('US sees the hidden asset down', async () => (await usStatus(hidden)) === 'down');
    await sleep(1_500);
    expect(JSON.stringify(await picture())).not.toContain('gs-hidden');
    const audit = (await usApi('GET', '/api/sharing/audit?partner=jp&limit=200')).body.items as Array<{ channel: string; item: { key: string } }>;
    expect(audit.filter((a) => a.channel === 'push').map((a) => a.item.key)).toContain('gs-shared');
    expect(audit.map((a) => a.item.key)).not.toContain('gs-hidden');

    // Forged (another secret) and stale (a signature older than 5 minutes) pushes: 401 with a JSON body, and nothing changes.
    const downId = (peek(jpFile, (db) => db.prepare("select remote_event_id as id from allied_items where key = 'gs-shared'").get()) as { id: number }).id;
    const upItem = { id: downId + 1000, type: 'asset.up', at: new Date().toISOString(), subject: { kind: 'asset', key: 'gs-shared' }, drill: false, marking: { tlp: 'AMBER', relTo: ['JPN', 'USA'] }, data: { assetKey: 'gs-shared', assetName: 'Station gs-shared', status: 'up' } };
    const jpPush = (p: { body: string; headers: Record<string, string> }) => fetch(`${jp.base}/api/sharing/push`, { method: 'POST', ...p });
    for (const forged of [signedPush(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, upItem), signedPush(secret, upItem, Math.floor(Date.now() / 1000) - 600)]) {
      const res = await jpPush(forged);
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('unauthenticated');
    }
    expect((await tile('gs-shared'))?.status).toBe('down');

    // A late push (an older feed id than the tile holds), however often it comes, never moves the tile back.
    const late = { ...upItem, id: downId - 1 };
    for (let i = 0; i < 2; i++) expect((await jpPush(signedPush(secret, late))).status).toBe(200);
    expect((await tile('gs-shared'))?.status).toBe('down');
    // A body that is not a feed item is refused naming the field.
    const bad = await jpPush(signedPush(secret, { ...upItem, subject: { kind: 'planet', key: 'x' } }));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(((await bad.json()) as any).error.details)).toContain('data.subject.kind');

    // JPN goes away; the asset heals and its push waits in US's outbox, retrying; US revokes JPN meanwhile.
    await jp.kill9();
    target.heal('/gs-shared');
    await waitFor('US sees it up', async () => (await usStatus(shared)) === 'up');
    const pushSub = (await usApi('GET', '/api/webhooks')).body.items.find((w: { name: string }) => w.name === 'push to partner jp');
    const deliveries = async () => (await usApi('GET', `/api/webhooks/${pushSub.id}/deliveries?limit=100`)).body.items as Array<{ status: string; attempts: unknown[] }>;
    await waitFor('a push pending, refused by the absent JPN', async () => (await deliveries()).some((d) => d.status === 'pending' && d.attempts.length > 0));
    expect((await usApi('DELETE', '/api/partners/jp')).status).toBe(200);
    const revokedAt = Date.now();
    jp = await startService(jpEnv, { port: jpPort });
    await sleep(3_000);
    expect((await tile('gs-shared'))?.status).toBe('down');
    // Nothing queued for it is left to send, and nothing it was sent arrived after the revocation.
    expect((await deliveries()).filter((d) => d.status === 'pending')).toEqual([]);
    const after = (await usApi('GET', '/api/sharing/audit?partner=jp&limit=200')).body.items as Array<{ at: string }>;
    expect(after.filter((a) => Date.parse(a.at) >= revokedAt)).toEqual([]);
    await target.close();
  }, 120_000);
});
