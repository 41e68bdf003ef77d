import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, expectErrorShape, rawClient, type TestApp, refusedWithoutWrites } from '../helpers.js';

let t: TestApp;
let assetId: number;

beforeEach(async () => {
  t = await createTestApp();
  const res = await t.call('POST', '/api/assets', { body: { key: 'gs-svalbard', kind: 'ground_station', name: 'Svalbard' } });
  if (res.status !== 201) throw new Error(`setup: ${res.status} ${res.text}`);
  assetId = res.body.id;
});
afterEach(() => t.close());

const httpCheck = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  assetId,
  kind: 'http',
  intervalSeconds: 30,
  timeoutMs: 5_000,
  http: { url: 'https://svalbard.example.net/health', expectStatus: 200 },
  ...extra,
});

async function create(body: Record<string, unknown>) {
  const res = await t.call('POST', '/api/checks', { body });
  if (res.status !== 201) throw new Error(`setup: ${res.status} ${res.text}`);
  return res.body;
}

const refused = (method: string, url: string, options: Parameters<TestApp['call']>[2], status: number) => refusedWithoutWrites(t, method, url, options, status);

function eventTypes(): string[] {
  return (rawClient(t.sqlite).prepare(`select type from events where subject_kind = 'check' order by id`).all() as { type: string }[]).map((r) => r.type);
}

describe('create, read, update, delete', () => {
  it('creates an http check with defaults, its settings under its kind, status unknown until it runs', async () => {
    const res = await t.call('POST', '/api/checks', { body: httpCheck('svalbard-health', { http: { url: 'https://svalbard.example.net/health' } }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      key: 'svalbard-health', assetId, kind: 'http', enabled: true, intervalSeconds: 30, cron: null, timezone: null, timeoutMs: 5_000,
      failureThreshold: 3, successThreshold: 2, status: 'unknown', statusSince: null, message: null,
      http: { url: 'https://svalbard.example.net/health', method: 'GET', headers: {}, conditions: [], maxRedirects: 0 },
    });
    expect(res.body.pushUrl).toBeUndefined();
    expect(typeof res.body.id).toBe('number');

    const got = await t.call('GET', `/api/checks/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    // the running monitor learns of it from the events
    expect(eventTypes()).toEqual(['check.created']);
  });

  it('lists checks, filtered by asset and kind, paginated', async () => {
    const other = (await t.call('POST', '/api/assets', { body: { key: 'gs-troll', kind: 'ground_station', name: 'Troll' } })).body.id;
    await create(httpCheck('a-http'));
    await create({ key: 'a-tcp', assetId, kind: 'tcp', tcp: { host: '10.0.0.1', port: 22 } });
    await create({ key: 'b-http', assetId: other, kind: 'http', http: { url: 'http://troll.example.net/' } });

    const all = await t.call('GET', '/api/checks', { token: t.tokens.viewer });
    expect(all.status).toBe(200);
    expect(all.body.items.map((c: { key: string }) => c.key)).toEqual(['a-http', 'a-tcp', 'b-http']);
    const byAsset = await t.call('GET', `/api/checks?assetId=${assetId}`);
    expect(byAsset.body.items.map((c: { key: string }) => c.key)).toEqual(['a-http', 'a-tcp']);
    const byKind = await t.call('GET', '/api/checks?kind=http');
    expect(byKind.body.items.map((c: { key: string }) => c.key)).toEqual(['a-http', 'b-http']);
    const page = await t.call('GET', '/api/checks?limit=2');
    expect(page.body.items).toHaveLength(2);
    expect(page.body.nextCursor).toBeTruthy();
    const rest = await t.call('GET', `/api/checks?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(rest.body.items.map((c: { key: string }) => c.key)).toEqual(['b-http']);
  });

  it('patches schedule and settings, switches between interval and cron, deletes', async () => {
    const check = await create(httpCheck('svalbard-health'));
    const patched = await t.call('PATCH', `/api/checks/${check.id}`, {
      body: { failureThreshold: 5, http: { url: 'https://svalbard.example.net/v2/health', expectStatus: [200, 204] } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ failureThreshold: 5, intervalSeconds: 30, http: { url: 'https://svalbard.example.net/v2/health', expectStatus: [200, 204] } });

    const toCron = await t.call('PATCH', `/api/checks/${check.id}`, { body: { intervalSeconds: null, cron: '*/5 * * * *', timezone: 'Europe/Oslo' } });
    expect(toCron.status).toBe(200);
    expect(toCron.body).toMatchObject({ intervalSeconds: null, cron: '*/5 * * * *', timezone: 'Europe/Oslo' });

    const del = await t.call('DELETE', `/api/checks/${check.id}`);
    expect(del.status).toBe(204);
    expectErrorShape(await t.call('GET', `/api/checks/${check.id}`), 404);
    expectErrorShape(await t.call('DELETE', `/api/checks/${check.id}`), 404);
    expect(eventTypes()).toEqual(['check.created', 'check.updated', 'check.updated', 'check.deleted']);
  });
});

describe('validation', () => {
  it('refuses a settings block of another kind, naming the field', async () => {
    const { paths } = await refused('POST', '/api/checks', { body: { ...httpCheck('x'), tcp: { host: 'h', port: 1 } } }, 400);
    expect(paths).toContain('tcp');
  });

  it('refuses a check without the settings block for its kind', async () => {
    const { paths } = await refused('POST', '/api/checks', { body: { key: 'x', assetId, kind: 'tcp' } }, 400);
    expect(paths).toContain('tcp');
    const { paths: dnsPaths } = await refused('POST', '/api/checks', { body: { key: 'x', assetId, kind: 'dns', http: { url: 'http://a.example/' } } }, 400);
    expect(dnsPaths).toEqual(expect.arrayContaining(['dns', 'http']));
  });

  it('refuses invalid settings inside the block, naming the nested field', async () => {
    const { paths } = await refused('POST', '/api/checks', { body: httpCheck('x', { http: { url: 'ftp://files.example/' } }) }, 400);
    expect(paths).toContain('http.url');
    const { paths: portPaths } = await refused('POST', '/api/checks', { body: { key: 'x', assetId, kind: 'tcp', tcp: { host: 'h', port: 70_000 } } }, 400);
    expect(portPaths).toContain('tcp.port');
  });

  it('refuses both intervalSeconds and cron', async () => {
    const { paths } = await refused('POST', '/api/checks', { body: httpCheck('x', { cron: '*/5 * * * *' }) }, 400);
    expect(paths).toContain('cron');
  });

  it('refuses a bad cron expression, naming cron', async () => {
    const { error, paths } = await refused('POST', '/api/checks', { body: httpCheck('x', { intervalSeconds: undefined, cron: 'every five minutes' }) }, 400);
    expect(paths).toEqual(['cron']);
    expect(error.details[0]!.message).toMatch(/cron expression/);
  });

  it('refuses a time zone without a cron schedule, and an unknown time zone', async () => {
    expect((await refused('POST', '/api/checks', { body: httpCheck('x', { timezone: 'Europe/Oslo' }) }, 400)).paths).toContain('timezone');
    expect(
      (await refused('POST', '/api/checks', { body: httpCheck('x', { intervalSeconds: undefined, cron: '0 * * * *', timezone: 'Mars/Olympus' }) }, 400)).paths,
    ).toContain('timezone');
  });

  it('refuses a bad Gatus condition, naming http.conditions.<index>', async () => {
    const { error, paths } = await refused(
      'POST',
      '/api/checks',
      { body: httpCheck('x', { http: { url: 'https://a.example/', conditions: ['[STATUS] =!= 200', '[RESPONSE_TIME] < 300'] } }) },
      400,
    );
    expect(paths).toEqual(['http.conditions.0']);
    expect(error.details[0]!.message).toMatch(/condition/);
    // a good set is accepted
    const ok = await t.call('POST', '/api/checks', {
      body: httpCheck('y', { http: { url: 'https://a.example/', conditions: ['[STATUS] == 200', '[RESPONSE_TIME] < 300', '[BODY].state == nominal'] } }),
    });
    expect(ok.status).toBe(201);
  });

  it('refuses out-of-range schedule fields and unknown fields', async () => {
    expect((await refused('POST', '/api/checks', { body: httpCheck('x', { intervalSeconds: 0 }) }, 400)).paths).toContain('intervalSeconds');
    expect((await refused('POST', '/api/checks', { body: httpCheck('x', { timeoutMs: 10 }) }, 400)).paths).toContain('timeoutMs');
    expect((await refused('POST', '/api/checks', { body: httpCheck('x', { failureThreshold: 0 }) }, 400)).paths).toContain('failureThreshold');
    await refused('POST', '/api/checks', { body: httpCheck('x', { colour: 'red' }) }, 400);
    expect((await refused('POST', '/api/checks', { body: httpCheck('Bad Key') }, 400)).paths).toContain('key');
  });

  it('an unknown assetId is 422, naming assetId', async () => {
    const { error, paths } = await refused('POST', '/api/checks', { body: httpCheck('x', { assetId: 9999 }) }, 422);
    expect(paths).toEqual(['assetId']);
    expect(error.code).toBe('unprocessable');
  });

  it('a duplicate key is 409', async () => {
    await create(httpCheck('svalbard-health'));
    const { paths } = await refused('POST', '/api/checks', { body: httpCheck('svalbard-health') }, 409);
    expect(paths).toEqual(['key']);
  });

  it('a patch cannot change the kind of settings, set cron beside an interval, or change nothing', async () => {
    const check = await create(httpCheck('svalbard-health'));
    expect((await refused('PATCH', `/api/checks/${check.id}`, { body: { tcp: { host: 'h', port: 1 } } }, 400)).paths).toContain('tcp');
    expect((await refused('PATCH', `/api/checks/${check.id}`, { body: { cron: '*/5 * * * *' } }, 400)).paths).toContain('cron');
    await refused('PATCH', `/api/checks/${check.id}`, { body: {} }, 400);
    await refused('PATCH', `/api/checks/${check.id}`, { body: { kind: 'tcp' } }, 400);
    expect((await refused('PATCH', `/api/checks/${check.id}`, { body: { http: { url: 'https://a.example/', conditions: ['[STATUS] ~ 2'] } } }, 400)).paths).toEqual([
      'http.conditions.0',
    ]);
    expectErrorShape(await t.call('PATCH', '/api/checks/9999', { body: { enabled: false } }), 404);
  });
});

describe('push checks', () => {
  it('get a generated secret token and the URL to send heartbeats to', async () => {
    const res = await t.call('POST', '/api/checks', { body: { key: 'terminal-heartbeat', assetId, kind: 'push', intervalSeconds: 60 } });
    expect(res.status).toBe(201);
    expect(res.body.push.token).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
    expect(res.body.push.graceSeconds).toBe(10);
    expect(res.body.pushUrl).toBe(`/api/push/${res.body.push.token}`);

    const second = await t.call('POST', '/api/checks', { body: { key: 'terminal-2-heartbeat', assetId, kind: 'push', push: { graceSeconds: 30 } } });
    expect(second.status).toBe(201);
    expect(second.body.push.token).not.toBe(res.body.push.token);
    expect(second.body.push.graceSeconds).toBe(30);

    // the URL works
    const beat = await t.call('POST', res.body.pushUrl, { token: null });
    expect(beat.body).toEqual({ ok: true, check: 'terminal-heartbeat' });
  });

  it('keep a token given by the operator; the same token twice is a conflict', async () => {
    const token = 'operator-chosen-token-0001';
    const res = await t.call('POST', '/api/checks', { body: { key: 'p1', assetId, kind: 'push', push: { token } } });
    expect(res.status).toBe(201);
    expect(res.body.pushUrl).toBe(`/api/push/${token}`);
    await refused('POST', '/api/checks', { body: { key: 'p2', assetId, kind: 'push', push: { token } } }, 409);
  });
});

describe('secrets', () => {
  it('show only in the answer that creates the check; GET, list and PATCH answers read ********', async () => {
    const token = 'operator-chosen-token-0002';
    const push = await create({ key: 'p1', assetId, kind: 'push', push: { token } });
    const http = await create(httpCheck('with-auth', { http: { url: 'https://svalbard.example.net/health', headers: { Authorization: 'Bearer station-secret-1' } } }));
    expect([push.push.token, push.pushUrl, http.http.headers.Authorization]).toEqual([token, `/api/push/${token}`, 'Bearer station-secret-1']);
    const answers = [
      await t.call('GET', `/api/checks/${push.id}`, { token: t.tokens.viewer }),
      await t.call('GET', `/api/checks/${http.id}`, { token: t.tokens.admin }),
      await t.call('GET', '/api/checks', { token: t.tokens.officer }),
      await t.call('PATCH', `/api/checks/${push.id}`, { body: { enabled: false } }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(token);
      expect(res.text).not.toContain('station-secret-1');
    }
    expect([answers[0]!.body.push.token, answers[0]!.body.pushUrl, answers[1]!.body.http.headers]).toEqual(['********', '/api/push/********', { Authorization: '********' }]);
  });

  it('PATCH keeps the stored ones it leaves out or sends back masked, and changes those it gives', async () => {
    const token = 'operator-chosen-token-0003';
    const push = await create({ key: 'p1', assetId, kind: 'push', push: { token } });
    const http = await create(httpCheck('with-auth', { http: { url: 'https://svalbard.example.net/health', headers: { Authorization: 'Bearer old', 'X-Station': 'svalbard' } } }));
    const stored = (id: number) => JSON.parse((rawClient(t.sqlite).prepare('select settings from checks where id = ?').get(id) as { settings: string }).settings);

    expect((await t.call('PATCH', `/api/checks/${push.id}`, { body: { push: { graceSeconds: 30 } } })).status).toBe(200);
    expect(stored(push.id)).toEqual({ token, graceSeconds: 30 });
    expect((await t.call('POST', `/api/push/${token}`, { token: null })).status).toBe(200);

    const masked = { url: 'https://svalbard.example.net/health', headers: { authorization: '********', 'X-Station': 'svalbard-2' } };
    expect((await t.call('PATCH', `/api/checks/${http.id}`, { body: { http: masked } })).status).toBe(200);
    expect(stored(http.id).headers).toEqual({ authorization: 'Bearer old', 'X-Station': 'svalbard-2' });
    expect((await t.call('PATCH', `/api/checks/${http.id}`, { body: { http: { ...masked, headers: { Authorization: 'Bearer new' } } } })).status).toBe(200);
    expect(stored(http.id).headers).toEqual({ Authorization: 'Bearer new' });

    const { paths } = await refused('PATCH', `/api/checks/${http.id}`, { body: { http: { ...masked, headers: { 'X-Other': '********' } } } }, 422);
    expect(paths).toEqual(['http.headers.X-Other']);
  });
});

describe('roles', () => {
  it('viewers read; only admins write; no token is 401', async () => {
    const check = await create(httpCheck('svalbard-health'));
    for (const role of ['viewer', 'officer', 'planner', 'admin'] as const) {
      expect((await t.call('GET', '/api/checks', { token: t.tokens[role] })).status).toBe(200);
      expect((await t.call('GET', `/api/checks/${check.id}`, { token: t.tokens[role] })).status).toBe(200);
    }
    for (const role of ['viewer', 'officer', 'planner'] as const) {
      const token = t.tokens[role];
      expect((await refused('POST', '/api/checks', { token, body: httpCheck(`by-${role}`) }, 403)).error.code).toBe('forbidden');
      await refused('PATCH', `/api/checks/${check.id}`, { token, body: { enabled: false } }, 403);
      await refused('DELETE', `/api/checks/${check.id}`, { token }, 403);
    }
    await refused('GET', '/api/checks', { token: null }, 401);
    await refused('POST', '/api/checks', { token: null, body: httpCheck('anon') }, 401);

    expect((await t.call('POST', '/api/checks', { token: t.tokens.admin, body: httpCheck('by-admin') })).status).toBe(201);
    expect((await t.call('PATCH', `/api/checks/${check.id}`, { token: t.tokens.admin, body: { enabled: false } })).body.enabled).toBe(false);
    expect((await t.call('DELETE', `/api/checks/${check.id}`, { token: t.tokens.admin })).status).toBe(204);
  });
});

describe('vantages and quorum', () => {
  beforeEach(async () => {
    for (const name of ['svalbard-site', 'tokyo-moc']) expect((await t.call('POST', '/api/vantages', { body: { name } })).status).toBe(201);
  });

  it('runs from central alone unless it lists vantages; the view shows vantages, quorum and no votes', async () => {
    const plain = await create(httpCheck('sval-plain'));
    expect(plain).toMatchObject({ vantages: null, quorum: null, votes: [] });
    const multi = await create(httpCheck('sval-multi', { vantages: ['central', 'svalbard-site', 'tokyo-moc'], quorum: 2 }));
    expect(multi).toMatchObject({ vantages: ['central', 'svalbard-site', 'tokyo-moc'], quorum: 2, votes: [] });
    expect((await t.call('GET', `/api/checks/${multi.id}`)).body).toMatchObject({ vantages: ['central', 'svalbard-site', 'tokyo-moc'], quorum: 2 });
  });

  it("shows each listed vantage's vote, in the check and in the list", async () => {
    const check = await create(httpCheck('sval-multi', { vantages: ['central', 'svalbard-site'] }));
    const at = Date.UTC(2026, 11, 4, 12);
    rawClient(t.sqlite)
      .prepare(`insert into check_votes (check_id, vantage_id, status, at) select ?, id, case name when 'central' then 'up' else 'down' end, ? from vantages`)
      .run(check.id, at);
    const votes = [
      { vantage: 'central', status: 'up', at: new Date(at).toISOString() },
      { vantage: 'svalbard-site', status: 'down', at: new Date(at).toISOString() },
    ];
    // tokyo-moc voted once but the check does not list it: not shown
    expect((await t.call('GET', `/api/checks/${check.id}`)).body.votes).toEqual(votes);
    expect((await t.call('GET', '/api/checks')).body.items[0].votes).toEqual(votes);
  });

  it.each([
    [{ vantages: ['nowhere'] }, 'vantages.0'],
    [{ vantages: ['central', 'svalbard-site'], quorum: 3 }, 'quorum'],
    [{ quorum: 2 }, 'quorum'],
  ])('refuses %j with 422 naming %s and writes nothing', async (extra, field) => {
    const { paths } = await refused('POST', '/api/checks', { body: httpCheck('bad', extra) }, 422);
    expect(paths).toEqual([field]);
  });

  it.each([
    [{ vantages: [] }, 'vantages'],
    [{ vantages: ['Svalbard Site'] }, 'vantages.0'],
    [{ vantages: ['central', 'central'] }, 'vantages'],
    [{ vantages: ['central'], quorum: 0 }, 'quorum'],
  ])('refuses malformed %j with 400 naming %s', async (extra, field) => {
    const { paths } = await refused('POST', '/api/checks', { body: httpCheck('bad', extra) }, 400);
    expect(paths).toContain(field);
  });

  it.each(['push', 'external'])('runs a %s check from central only', async (kind) => {
    const { paths } = await refused('POST', '/api/checks', { body: { key: 'beat', assetId, kind, vantages: ['central', 'svalbard-site'] } }, 422);
    expect(paths).toEqual(['vantages']);
    expect((await t.call('POST', '/api/checks', { body: { key: 'beat', assetId, kind, vantages: ['central'] } })).status).toBe(201);
  });

  it('checks a change against the stored check, and records that vantages and quorum changed', async () => {
    const check = await create(httpCheck('sval-multi', { vantages: ['central', 'svalbard-site', 'tokyo-moc'], quorum: 3 }));
    const { paths } = await refused('PATCH', `/api/checks/${check.id}`, { body: { vantages: ['central', 'svalbard-site'] } }, 422);
    expect(paths).toEqual(['quorum']);
    const res = await t.call('PATCH', `/api/checks/${check.id}`, { body: { vantages: ['central', 'svalbard-site'], quorum: null } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ vantages: ['central', 'svalbard-site'], quorum: null });
    const [last] = rawClient(t.sqlite).prepare(`select type, data from events where subject_kind = 'check' order by id desc limit 1`).all() as { type: string; data: string }[];
    expect(last).toEqual({ type: 'check.updated', data: JSON.stringify({ changed: ['vantages', 'quorum'] }) });
  });
});
