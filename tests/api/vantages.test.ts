import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import type { AgentBatch, BatchReceipt, VantageIntake } from '../../src/core/monitor/vantage-intake.js';
import { clientFor, createTestApp, errorPaths, expectErrorShape, rawClient, refusedWithoutWrites, type TestApp } from '../helpers.js';

let t: TestApp;
let assetId: number;

beforeEach(async () => {
  t = await createTestApp();
  const res = await t.call('POST', '/api/assets', { body: { key: 'gs-svalbard', kind: 'ground_station', name: 'Svalbard', lat: 78.23, lon: 15.4 } });
  if (res.status !== 201) throw new Error(`setup: ${res.status} ${res.text}`);
  assetId = res.body.id;
});
afterEach(() => t.close());

async function ok(method: string, url: string, body?: unknown, status = method === 'POST' ? 201 : 200) {
  const res = await t.call(method, url, { body });
  if (res.status !== status) throw new Error(`${method} ${url}: ${res.status} ${res.text}`);
  return res.body;
}

async function probeToken(vantage: string, name = `probe-${vantage}`): Promise<{ id: number; secret: string }> {
  return ok('POST', '/api/tokens', { name, role: 'probe', vantage });
}

function vantageEvents(): Array<{ type: string; subject_key: string; data: string }> {
  return rawClient(t.sqlite).prepare(`select type, subject_key, data from events where subject_kind = 'vantage' order by id`).all() as never;
}

describe('the registry', () => {
  it('lists central from the start, live', async () => {
    const res = await t.call('GET', '/api/vantages', { token: t.tokens.viewer });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { name: 'central', kind: 'central', locationHint: null, status: 'live', lastSeenAt: null, since: expect.any(String), graceSeconds: 60, description: null, checks: 0 },
    ]);
  });

  it('registers an agent as pending, records the event, and counts the checks that list it', async () => {
    const created = await ok('POST', '/api/vantages', { name: 'svalbard-site', description: 'Rack B', graceSeconds: 120 });
    expect(created).toMatchObject({ name: 'svalbard-site', kind: 'agent', status: 'pending', lastSeenAt: null, graceSeconds: 120, description: 'Rack B', checks: 0 });
    expect(vantageEvents()).toEqual([{ type: 'vantage.created', subject_key: 'svalbard-site', data: JSON.stringify({ kind: 'agent', locationHint: null }) }]);

    await ok('POST', '/api/checks', { key: 'sval-tcp', assetId, kind: 'tcp', tcp: { host: 'svalbard.example', port: 22 }, vantages: ['central', 'svalbard-site'] });
    await ok('POST', '/api/checks', { key: 'sval-push', assetId, kind: 'push' });
    const items = (await ok('GET', '/api/vantages')).items;
    expect(items.map((v: { name: string; checks: number }) => [v.name, v.checks])).toEqual([['central', 2], ['svalbard-site', 1]]);
    expect(await ok('GET', '/api/vantages/svalbard-site')).toMatchObject({ name: 'svalbard-site', checks: 1, votes: [] });
  });

  it('shows each vote of the vantage with its check and asset', async () => {
    await ok('POST', '/api/vantages', { name: 'tokyo-moc' });
    const check = await ok('POST', '/api/checks', { key: 'sval-tcp', assetId, kind: 'tcp', tcp: { host: 'svalbard.example', port: 22 }, vantages: ['central', 'tokyo-moc'] });
    const at = Date.UTC(2026, 11, 4, 12);
    rawClient(t.sqlite).prepare(`insert into check_votes (check_id, vantage_id, status, at) select ?, id, 'down', ? from vantages where name = 'tokyo-moc'`).run(check.id, at);
    expect((await ok('GET', '/api/vantages/tokyo-moc')).votes).toEqual([{ checkKey: 'sval-tcp', assetKey: 'gs-svalbard', status: 'down', at: new Date(at).toISOString() }]);
  });

  it('registers a region by its location hint: probed by the Workers shards placed there, pending on Node', async () => {
    const created = await ok('POST', '/api/vantages', { name: 'weur', locationHint: 'weur' });
    expect(created).toMatchObject({ name: 'weur', kind: 'region', locationHint: 'weur', status: 'pending' });
    expect(vantageEvents()).toEqual([{ type: 'vantage.created', subject_key: 'weur', data: JSON.stringify({ kind: 'region', locationHint: 'weur' }) }]);
    // A region cannot be handed a probe token: nothing but its shards speaks for it.
    const token = await t.call('POST', '/api/tokens', { body: { name: 'weur-probe', role: 'probe', vantage: 'weur' } });
    expect(token.status).toBe(422);
  });

  it('refuses a bad name, grace or location hint with 400 naming the field, and writes nothing', async () => {
    for (const [body, field] of [
      [{ name: 'Svalbard Site' }, 'name'], [{ name: 'ok-site', graceSeconds: 5 }, 'graceSeconds'], [{ name: 'ok-site', kind: 'central' }, 'kind'], [{ name: 'ok-site', locationHint: 'mars' }, 'locationHint'],
    ] as const) {
      const { paths } = await refusedWithoutWrites(t, 'POST', '/api/vantages', { body }, 400);
      expect(paths).toContain(field);
    }
  });

  it('refuses a second vantage of the same name and another central with 409', async () => {
    await ok('POST', '/api/vantages', { name: 'svalbard-site' });
    expect(errorPaths((await refusedWithoutWrites(t, 'POST', '/api/vantages', { body: { name: 'svalbard-site' } }, 409)).res)).toEqual(['name']);
    await refusedWithoutWrites(t, 'POST', '/api/vantages', { body: { name: 'central' } }, 409);
    await refusedWithoutWrites(t, 'DELETE', '/api/vantages/central', {}, 409);
  });

  it('lets only an admin change the registry', async () => {
    for (const role of ['viewer', 'officer', 'planner'] as const) {
      await refusedWithoutWrites(t, 'POST', '/api/vantages', { token: t.tokens[role], body: { name: 'x-site' } }, 403);
    }
    await ok('POST', '/api/vantages', { name: 'x-site' });
    await refusedWithoutWrites(t, 'PATCH', '/api/vantages/x-site', { token: t.tokens.planner, body: { graceSeconds: 30 } }, 403);
    await refusedWithoutWrites(t, 'DELETE', '/api/vantages/x-site', { token: t.tokens.planner }, 403);
  });

  it('changes description and grace, and records what changed', async () => {
    await ok('POST', '/api/vantages', { name: 'svalbard-site' });
    expect(await ok('PATCH', '/api/vantages/svalbard-site', { graceSeconds: 300 })).toMatchObject({ graceSeconds: 300, description: null });
    expect(vantageEvents().at(-1)).toEqual({ type: 'vantage.updated', subject_key: 'svalbard-site', data: JSON.stringify({ changed: ['graceSeconds'] }) });
    expect(errorPaths(await t.call('PATCH', '/api/vantages/svalbard-site', { body: { name: 'renamed' } }))).toContain('name');
    expectErrorShape(await t.call('PATCH', '/api/vantages/nowhere', { body: { graceSeconds: 30 } }), 404);
  });

  it('refuses to delete a vantage checks still use, naming them; once free, deletes it and revokes its probe tokens', async () => {
    await ok('POST', '/api/vantages', { name: 'svalbard-site' });
    const check = await ok('POST', '/api/checks', { key: 'sval-tcp', assetId, kind: 'tcp', tcp: { host: 'svalbard.example', port: 22 }, vantages: ['svalbard-site'] });
    const token = await probeToken('svalbard-site');
    const { error } = await refusedWithoutWrites(t, 'DELETE', '/api/vantages/svalbard-site', {}, 409);
    expect(error.message).toContain('sval-tcp');

    await ok('PATCH', `/api/checks/${check.id}`, { vantages: null });
    expect((await t.call('DELETE', '/api/vantages/svalbard-site')).status).toBe(204);
    expect((await t.call('GET', '/api/vantages/svalbard-site/assignment', { token: token.secret })).status).toBe(401);
    expect(vantageEvents().at(-1)).toEqual({ type: 'vantage.deleted', subject_key: 'svalbard-site', data: JSON.stringify({ tokensRevoked: 1 }) });
    expect((await ok('GET', '/api/tokens')).items.find((i: { id: number }) => i.id === token.id).revokedAt).not.toBeNull();
    expect((await t.call('GET', '/api/vantages/svalbard-site')).status).toBe(404);
  });
});

describe('probe tokens', () => {
  beforeEach(async () => {
    await ok('POST', '/api/vantages', { name: 'svalbard-site' });
    await ok('POST', '/api/vantages', { name: 'tokyo-moc' });
  });

  it('read nothing else: not assets, not checks, not the registry', async () => {
    const { secret } = await probeToken('svalbard-site');
    for (const url of ['/api/assets', '/api/checks', '/api/vantages', '/api/vantages/svalbard-site', '/api/inventory']) {
      expectErrorShape(await t.call('GET', url, { token: secret }), 403);
    }
  });

  it("are refused another vantage's assignment and results, and an admin is refused both", async () => {
    const sval = await probeToken('svalbard-site');
    expectErrorShape(await t.call('GET', '/api/vantages/tokyo-moc/assignment', { token: sval.secret }), 403);
    expectErrorShape(await t.call('POST', '/api/vantages/tokyo-moc/results', { token: sval.secret, body: { batchId: 'b1', sentAt: 1, results: [] } }), 403);
    expectErrorShape(await t.call('GET', '/api/vantages/nowhere/assignment', { token: sval.secret }), 403);
    expectErrorShape(await t.call('GET', '/api/vantages/svalbard-site/assignment'), 403);
    expectErrorShape(await t.call('POST', '/api/vantages/svalbard-site/results', { body: { batchId: 'b1', sentAt: 1, results: [] } }), 403);
  });

  it('stop working on the next request once revoked', async () => {
    const { id, secret } = await probeToken('svalbard-site');
    expect((await t.call('GET', '/api/vantages/svalbard-site/assignment', { token: secret })).status).toBe(200);
    await ok('DELETE', `/api/tokens/${id}`, undefined, 200);
    expectErrorShape(await t.call('GET', '/api/vantages/svalbard-site/assignment', { token: secret }), 401);
  });
});

describe('the assignment', () => {
  const SECRET_A = 'Bearer svalbard-only-secret-4d1f';
  const SECRET_B = 'tokyo-only-secret-9a7c';
  let sval: string;
  let tokyo: string;
  let checkIds: Record<string, number>;

  beforeEach(async () => {
    await ok('POST', '/api/vantages', { name: 'svalbard-site', graceSeconds: 90 });
    await ok('POST', '/api/vantages', { name: 'tokyo-moc' });
    const tokyoAsset = await ok('POST', '/api/assets', { key: 'moc-tokyo', kind: 'mission_ops_center', name: 'Tokyo MOC' });
    const other = await ok('POST', '/api/assets', { key: 'gs-troll', kind: 'ground_station', name: 'Troll' });
    const created = await Promise.all([
      ok('POST', '/api/checks', { key: 'sval-api', assetId, kind: 'http', http: { url: 'https://sval.example/health', headers: { Authorization: SECRET_A } }, vantages: ['central', 'svalbard-site'], quorum: 2 }),
      ok('POST', '/api/checks', { key: 'tokyo-api', assetId: tokyoAsset.id, kind: 'http', http: { url: 'https://tokyo.example/health', headers: { 'X-Key': SECRET_B } }, vantages: ['tokyo-moc'] }),
      ok('POST', '/api/checks', { key: 'sval-off', assetId, kind: 'tcp', enabled: false, tcp: { host: 'sval.example', port: 22 }, vantages: ['svalbard-site'] }),
      ok('POST', '/api/checks', { key: 'troll-central', assetId: other.id, kind: 'tcp', tcp: { host: 'troll.example', port: 22 } }),
    ]);
    checkIds = Object.fromEntries(created.map((c) => [c.key, c.id]));
    sval = (await probeToken('svalbard-site')).secret;
    tokyo = (await probeToken('tokyo-moc')).secret;
  });

  it("holds only the vantage's enabled checks and their assets, secrets resolved, and no other vantage's", async () => {
    const a = await t.call('GET', '/api/vantages/svalbard-site/assignment', { token: sval });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ vantage: 'svalbard-site', graceSeconds: 90, version: expect.any(String) });
    expect(a.body.checks).toEqual([
      {
        id: checkIds['sval-api'], key: 'sval-api', assetId, kind: 'http', intervalSeconds: null, cron: null, timezone: null, timeoutMs: 10_000, failureThreshold: 3, successThreshold: 2,
        settings: expect.objectContaining({ url: 'https://sval.example/health', headers: { Authorization: SECRET_A } }),
      },
    ]);
    expect(a.body.assets).toEqual([{ id: assetId, key: 'gs-svalbard', lat: 78.23, lon: 15.4, altM: null, slaLatencyMs: null, slaJitterMs: null, slaLossPct: null }]);
    expect(a.text).not.toContain(SECRET_B);
    expect(a.text).not.toContain('troll');

    const b = await t.call('GET', '/api/vantages/tokyo-moc/assignment', { token: tokyo });
    expect(b.body.checks.map((c: { key: string }) => c.key)).toEqual(['tokyo-api']);
    expect(b.body.assets.map((x: { key: string }) => x.key)).toEqual(['moc-tokyo']);
    expect(b.body.checks[0].settings.headers).toEqual({ 'X-Key': SECRET_B });
    expect(b.text).not.toContain(SECRET_A);
    expect(b.text).not.toContain('gs-svalbard');
  });

  it('answers 304 to its ETag until the assignment changes', async () => {
    const first = await t.call('GET', '/api/vantages/svalbard-site/assignment', { token: sval });
    const etag = first.headers.get('etag')!;
    expect(etag).toBe(`"${first.body.version}"`);
    const again = await t.call('GET', '/api/vantages/svalbard-site/assignment', { token: sval, headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');

    await ok('PATCH', `/api/checks/${checkIds['sval-off']}`, { enabled: true });
    const changed = await t.call('GET', '/api/vantages/svalbard-site/assignment', { token: sval, headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.body.version).not.toBe(first.body.version);
    expect(changed.body.checks.map((c: { key: string }) => c.key)).toEqual(['sval-api', 'sval-off']);
  });
});

/** The route's boundary: an intake that records what reaches it. */
class RecordingIntake implements VantageIntake {
  batches: AgentBatch[] = [];
  async submitBatch(batch: AgentBatch): Promise<BatchReceipt> {
    this.batches.push(batch);
    return { batchId: batch.batchId, duplicate: false, accepted: batch.results.length, late: 0, ignored: 0 };
  }
}

describe('results', () => {
  let intake: RecordingIntake;
  let call: TestApp['call'];
  let token: string;
  let vantageId: number;
  const result = (over: Record<string, unknown> = {}) => ({ checkId: 1, at: 1_764_000_000_000, status: 'down', latencyMs: 12.5, message: 'connection refused', ...over });

  beforeEach(async () => {
    intake = new RecordingIntake();
    const app = createApp({ database: () => t.sqlite.db, vantageIntake: intake });
    vantageId = (await ok('POST', '/api/vantages', { name: 'svalbard-site' })) && (rawClient(t.sqlite).prepare(`select id from vantages where name = 'svalbard-site'`).get() as { id: number }).id;
    token = (await probeToken('svalbard-site')).secret;
    call = clientFor(app, { ...t.tokens, probe: token }, 'probe');
  });

  it("hands a valid batch to the intake with the token's vantage and answers its receipt", async () => {
    const body = { batchId: 'sval-2026-12-04T12:00:00.000Z-1', sentAt: 1_764_000_001_000, results: [result(), result({ checkId: 2, status: 'up', latencyMs: null, message: null, metrics: { rttMs: 3 } })] };
    const res = await call('POST', '/api/vantages/svalbard-site/results', { body });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ batchId: body.batchId, duplicate: false, accepted: 2, late: 0, ignored: 0 });
    expect(intake.batches).toEqual([{ vantageId, ...body }]);
  });

  it('takes a batch larger than the general body limit', async () => {
    const results = Array.from({ length: 20_000 }, (_, i) => result({ checkId: i + 1, message: 'x'.repeat(60) }));
    const res = await call('POST', '/api/vantages/svalbard-site/results', { body: { batchId: 'big', sentAt: 1, results } });
    expect(res.status).toBe(200);
    expect(intake.batches[0]!.results).toHaveLength(20_000);
  });

  it.each([
    [{ sentAt: 1, results: [] }, 'batchId'],
    [{ batchId: 'has space', sentAt: 1, results: [] }, 'batchId'],
    [{ batchId: 'b', sentAt: 1.5, results: [] }, 'sentAt'],
    [{ batchId: 'b', sentAt: 1, results: [result({ status: 'sideways' })] }, 'results.0.status'],
    [{ batchId: 'b', sentAt: 1, results: [result(), result({ checkId: 'one' })] }, 'results.1.checkId'],
    [{ batchId: 'b', sentAt: 1, results: [result({ latencyMs: undefined })] }, 'results.0.latencyMs'],
    [{ batchId: 'b', sentAt: 1, results: Array.from({ length: 20_001 }, () => result()) }, 'results'],
  ])('refuses %# with 400 naming %s, and nothing reaches the intake', async (body, field) => {
    const res = await call('POST', '/api/vantages/svalbard-site/results', { body });
    expectErrorShape(res, 400);
    expect(errorPaths(res)).toContain(field);
    expect(intake.batches).toEqual([]);
  });

  it('refuses a batch over 8 MB with 413', async () => {
    const res = await call('POST', '/api/vantages/svalbard-site/results', { raw: JSON.stringify({ batchId: 'huge', sentAt: 1, results: [result({ message: 'x'.repeat(9 * 1024 * 1024) })] }), headers: { 'content-type': 'application/json' } });
    expectErrorShape(res, 413);
    expect(intake.batches).toEqual([]);
  });

  it('answers 501 on a host without an intake', async () => {
    const res = await t.call('POST', '/api/vantages/svalbard-site/results', { token, body: { batchId: 'b', sentAt: 1, results: [result()] } });
    expect(expectErrorShape(res, 501).code).toBe('not_available');
  });
});

describe('the API description', () => {
  it('lists every vantage route', async () => {
    const doc = await ok('GET', '/openapi.json');
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/vantages')).sort()).toEqual([
      '/api/vantages', '/api/vantages/{name}', '/api/vantages/{name}/assignment', '/api/vantages/{name}/results',
    ]);
  });
});
