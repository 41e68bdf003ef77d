// `/api/webhooks` through the HTTP API: secrets shown once, validation naming the field,
// destination safety with and without private destinations, the admin-only role matrix, and a
// test ping that reaches a real receiver with a signature the `standardwebhooks` package accepts.
import { describe, it, type TestContext } from 'vitest';
import { WebhookDispatcher } from '../../src/core/outbox/dispatcher.js';
import { createWebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { createTestApp, errorPaths, expectErrorShape, rawClient, type TestApp } from '../helpers.js';
import { HOOK_PATH, ok, runDispatcher, startWebhookReceiver, waitFor, withWebhookDeps, type DispatcherLoop } from '../support/webhook-receiver.js';

async function setup(ctx: TestContext) {
  const base = await createTestApp();
  let loop: DispatcherLoop | undefined;
  let wakes = 0;
  const strict: TestApp = withWebhookDeps(base, { allowPrivate: false });
  const lenient: TestApp = withWebhookDeps(base, {
    allowPrivate: true,
    wake: () => {
      wakes++;
      loop?.wake();
    },
  });
  const cleanups: Array<() => Promise<void> | void> = [];
  ctx.onTestFinished(async () => {
    await loop?.stop();
    for (const fn of cleanups.reverse()) await fn();
    base.close();
  });
  return {
    base,
    strict,
    lenient,
    get wakes() {
      return wakes;
    },
    async receiver() {
      const r = await startWebhookReceiver();
      cleanups.push(() => r.close());
      return r;
    },
    startDispatcher() {
      const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 500 });
      cleanups.push(() => sender.close());
      loop = runDispatcher(new WebhookDispatcher({ db: base.sqlite.db, send: sender.send, retryScheduleSeconds: [0.2, 0.2] }));
      return loop;
    },
  };
}

const PUBLIC_URL = 'https://hooks.example.com/coopwatch';

describe.concurrent('webhook subscriptions API', () => {
  it('returns the secret once on create; GET, list and the event log never contain it', async (ctx) => {
    const { expect } = ctx;
    const { strict: t, base } = await setup(ctx);
    const created = await ok(t.call('POST', '/api/webhooks', { body: { url: PUBLIC_URL, events: ['asset.down', 'incident.opened'], format: 'standard' } }), 201);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created).toMatchObject({ url: PUBLIC_URL, events: ['asset.down', 'incident.opened'], format: 'standard', includeDrills: false, enabled: true, disabledReason: null });
    const keyPart = created.secret.slice('whsec_'.length);

    const own = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
    const second = await ok(t.call('POST', '/api/webhooks', { body: { url: PUBLIC_URL, events: ['asset.up'], secret: own, format: 'pagerduty', routingKey: 'PD-ROUTING-123-00000000000000000' } }), 201);
    expect(second.secret).toBe(own);
    expect(second.hasRoutingKey).toBe(true);

    const one = await t.call('GET', `/api/webhooks/${created.id}`);
    const list = await t.call('GET', '/api/webhooks');
    const patched = await t.call('PATCH', `/api/webhooks/${created.id}`, { body: { name: 'ops room' } });
    expect([one.status, list.status, patched.status]).toEqual([200, 200, 200]);
    expect(list.body.items).toHaveLength(2);
    for (const res of [one, list, patched]) {
      for (const view of res.body.items ?? [res.body]) expect(view.secret).toBe('********');
      for (const s of [created.secret, keyPart, own, own.slice(6)]) expect(res.text).not.toContain(s);
      expect(res.text).not.toContain('PD-ROUTING-123-00000000000000000');
      expect(res.text).not.toMatch(/whsec_/);
    }
    expect(patched.body.name).toBe('ops room');
    // Nor written to the event log.
    const log = JSON.stringify(rawClient(base.sqlite).prepare('select * from events').all());
    expect(log).toContain('webhook.created');
    for (const s of [keyPart, own.slice(6), 'PD-ROUTING-123-00000000000000000']) expect(log).not.toContain(s);
  });

  it('refuses invalid input with 400 naming the field', async (ctx) => {
    const { expect } = ctx;
    const { strict: t, base } = await setup(ctx);
    const good = { url: PUBLIC_URL, events: ['asset.down'], format: 'standard' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, url: 'not a url' }, 'url'],
      [{ ...good, url: 'ftp://hooks.example.com/x' }, 'url'],
      [{ ...good, url: 'https://user:pw@hooks.example.com/x' }, 'url'],
      [{ ...good, events: ['asset.exploded'] }, 'events.0'],
      [{ ...good, events: ['asset.down', 'webhook.disabled'] }, 'events.1'],
      [{ ...good, events: [] }, 'events'],
      [{ ...good, format: 'pagerduty' }, 'routingKey'],
      [{ ...good, format: 'carrier-pigeon' }, 'format'],
      [{ ...good, secret: 'whsec_short' }, 'secret'],
      [{ ...good, secret: 'not-a-secret-at-all-but-long-enough-000000000' }, 'secret'],
      [{ ...good, filters: { minSeverity: 'apocalyptic' } }, 'filters.minSeverity'],
      [{ ...good, includeDrills: 'yes' }, 'includeDrills'],
      [{ ...good, surprise: true }, 'surprise'],
      [{ events: ['asset.down'] }, 'url'],
    ];
    for (const [body, field] of cases) {
      const res = await t.call('POST', '/api/webhooks', { body });
      expectErrorShape(res, 400);
      expect(errorPaths(res), JSON.stringify(body)).toContain(field);
    }
    // A patch that would leave a pagerduty subscription without its routing key.
    const pd = await ok(t.call('POST', '/api/webhooks', { body: { ...good, format: 'pagerduty', routingKey: 'RK000000000000000000000000000000' } }), 201);
    const res = await t.call('PATCH', `/api/webhooks/${pd.id}`, { body: { routingKey: null } });
    expectErrorShape(res, 400);
    expect(errorPaths(res)).toContain('routingKey');
    expect(errorPaths(await t.call('PATCH', `/api/webhooks/${pd.id}`, { body: { url: 'http://169.254.169.254/latest' } }))).toContain('url');
    expect((await t.call('GET', '/api/webhooks/99999')).status).toBe(404);
    expect(rawClient(base.sqlite).prepare('select count(*) as n from webhooks').get()).toEqual({ n: 1 });
  });

  it('destination safety: metadata and link-local always refused; private and loopback only when allowed', async (ctx) => {
    const { expect } = ctx;
    const { strict, lenient } = await setup(ctx);
    const create = (t: TestApp, url: string) => t.call('POST', '/api/webhooks', { body: { url, events: ['asset.down'] } });
    for (const url of ['http://169.254.169.254/', 'http://[fe80::1]/', 'http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/', 'http://[::ffff:169.254.169.254]/', 'http://0.0.0.0/']) {
      for (const t of [strict, lenient]) {
        const res = await create(t, url);
        const error = expectErrorShape(res, 400);
        expect(errorPaths(res), url).toContain('url');
        expect(error.details.find((d) => d.path === 'url')!.message).toMatch(/always refused/);
      }
    }
    for (const url of ['http://10.0.0.5/hook', 'http://127.0.0.1:9/', 'http://192.168.1.20/hook', 'http://localhost:8080/hook']) {
      const refused = await create(strict, url);
      expectErrorShape(refused, 400);
      expect(refused.body.error.details.find((d: { path: string }) => d.path === 'url').message).toMatch(/COOPWATCH_WEBHOOK_ALLOW_PRIVATE/);
      // Accepted when private destinations are allowed (validation only: no dispatcher runs here).
      const accepted = await create(lenient, url);
      expect(accepted.status, url).toBe(201);
      expect(accepted.body.url).toBe(url);
    }
    expect((await create(strict, PUBLIC_URL)).status).toBe(201);
  });

  it('is admin only: viewer, officer and planner get 403, no token 401', async (ctx) => {
    const { expect } = ctx;
    const { strict: t } = await setup(ctx);
    const sub = await ok(t.call('POST', '/api/webhooks', { body: { url: PUBLIC_URL, events: ['asset.down'] } }), 201);
    const ping = await ok(t.call('POST', `/api/webhooks/${sub.id}/test`), 202);
    const requests: Array<[string, string, unknown?]> = [
      ['GET', '/api/webhooks'],
      ['GET', `/api/webhooks/${sub.id}`],
      ['POST', '/api/webhooks', { url: PUBLIC_URL, events: ['asset.down'] }],
      ['PATCH', `/api/webhooks/${sub.id}`, { name: 'x' }],
      ['DELETE', `/api/webhooks/${sub.id}`],
      ['POST', `/api/webhooks/${sub.id}/test`],
      ['GET', `/api/webhooks/${sub.id}/deliveries`],
      ['POST', `/api/webhooks/${sub.id}/deliveries/${ping.deliveryId}/redeliver`],
    ];
    for (const [method, url, body] of requests) {
      for (const role of ['viewer', 'officer', 'planner'] as const) {
        const res = await t.call(method, url, { token: t.tokens[role], body });
        expect(res.status, `${role} ${method} ${url}`).toBe(403);
      }
      expect((await t.call(method, url, { token: null, body })).status, `anonymous ${method} ${url}`).toBe(401);
      expect((await t.call(method, url, { token: 'cw_not-a-real-token', body })).status, `bad token ${method} ${url}`).toBe(401);
    }
    // Nothing changed, nothing more was queued.
    expect(await ok(t.call('GET', `/api/webhooks/${sub.id}`))).toMatchObject({ name: sub.name, enabled: true });
    expect((await ok(t.call('GET', `/api/webhooks/${sub.id}/deliveries`))).items).toHaveLength(1);
    expect((await ok(t.call('GET', '/api/webhooks'))).items).toHaveLength(1);
    // The admin can do each of them.
    expect((await t.call('DELETE', `/api/webhooks/${sub.id}`)).status).toBe(204);
    expect((await t.call('GET', `/api/webhooks/${sub.id}`)).status).toBe(404);
  });

  it('POST /{id}/test queues a signed ping that reaches a real receiver and verifies', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const t = env.lenient;
    const receiver = await env.receiver();
    const sub = await ok(t.call('POST', '/api/webhooks', { body: { url: receiver.urlFor(HOOK_PATH), events: ['asset.down'] } }), 201);
    receiver.setSecrets([sub.secret]);
    env.startDispatcher();
    const wakes = env.wakes;
    const queued = await ok(t.call('POST', `/api/webhooks/${sub.id}/test`), 202);
    expect(queued).toEqual({ deliveryId: expect.any(Number), messageId: expect.stringMatching(/^msg_/) });
    expect(env.wakes).toBe(wakes + 1);

    const [req] = await receiver.waitForRequests(1, { acceptedOnly: true, timeoutMs: 3_000 });
    expect(req!.verified).toBe(true);
    expect(receiver.verify(req!, sub.secret)).toBe(true);
    expect(req!.webhookId).toBe(queued.messageId);
    const body = receiver.json(req!);
    expect(body).toMatchObject({ type: 'ping', data: { webhookId: sub.id } });
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);

    await waitFor('the ping succeeded', async () => (await ok(t.call('GET', `/api/webhooks/${sub.id}/deliveries`))).items[0]?.status === 'succeeded');
    const [d] = (await ok(t.call('GET', `/api/webhooks/${sub.id}/deliveries`))).items;
    expect(d).toMatchObject({ id: queued.deliveryId, eventId: null, messageId: queued.messageId, status: 'succeeded', lastStatusCode: 204 });
    expect(d.attempts).toEqual([expect.objectContaining({ statusCode: 204, error: null, nextRetryAt: null, latencyMs: expect.any(Number) })]);

    // Two pings are two messages: different webhook-ids.
    const again = await ok(t.call('POST', `/api/webhooks/${sub.id}/test`), 202);
    expect(again.messageId).not.toBe(queued.messageId);
    const [, second] = await receiver.waitForRequests(2, { acceptedOnly: true, timeoutMs: 3_000 });
    expect(second!.webhookId).toBe(again.messageId);
    expect((await t.call('POST', '/api/webhooks/424242/test')).status).toBe(404);
  });
});
