// The webhook outbox end to end: a real SQLite database, the real WebhookDispatcher with the
// real undici sender (loopback allowed, 500 ms timeout, a short retry schedule) and a real HTTP
// receiver on 127.0.0.1 that verifies signatures with the `standardwebhooks` package.
import { describe, it, type TestContext } from 'vitest';
import { WebhookDispatcher } from '../../src/core/outbox/dispatcher.js';
import { createWebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { commitAtomically } from '../../src/core/store/client.js';
import type { Severity } from '../../src/core/domain/enums.js';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { recordEvent, type EventSpec } from '../../src/core/store/events.js';
import { createTestApp, rawClient, type TestApp } from '../helpers.js';
import {
  HOOK_PATH,
  ok,
  runDispatcher,
  sleep,
  startWebhookReceiver,
  waitFor,
  withWebhookDeps,
  type DispatcherLoop,
  type ReceivedRequest,
} from '../support/webhook-receiver.js';

const SHORT_SCHEDULE = [0.2, 0.2, 0.2, 0.5];

interface SetupOptions {
  schedule?: number[];
  timeoutMs?: number;
}

async function setup(ctx: TestContext, options: SetupOptions = {}) {
  const base = await createTestApp();
  let loop: DispatcherLoop | undefined;
  let wakes = 0;
  const t: TestApp = withWebhookDeps(base, {
    allowPrivate: true,
    wake: () => {
      wakes++;
      loop?.wake();
    },
  });
  const receiver = await startWebhookReceiver();
  const sender = createWebhookSender({ allowPrivate: true, timeoutMs: options.timeoutMs ?? 500 });
  const dispatcher = new WebhookDispatcher({ db: t.sqlite.db, send: sender.send, retryScheduleSeconds: options.schedule ?? SHORT_SCHEDULE });
  ctx.onTestFinished(async () => {
    await loop?.stop();
    await sender.close();
    await receiver.close();
    base.close();
  });

  const env = {
    t,
    receiver,
    dispatcher,
    get wakes() {
      return wakes;
    },
    start() {
      loop = runDispatcher(dispatcher);
      return loop;
    },
    async subscribe(body: Record<string, unknown>) {
      const created = await ok(t.call('POST', '/api/webhooks', { body: { url: receiver.urlFor(HOOK_PATH), ...body } }), 201);
      return created as { id: number; secret: string } & Record<string, any>;
    },
    async createAsset(key: string, extra: Record<string, unknown> = {}): Promise<number> {
      return (await ok(t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key, ...extra } }), 201)).id;
    },
    async record(...specs: EventSpec[]): Promise<number[]> {
      const client = rawClient(t.sqlite);
      const before = (client.prepare('select coalesce(max(id), 0) as id from events').get() as { id: number }).id;
      // One transaction per event, as the services write them.
      for (const spec of specs) await commitAtomically(t.sqlite.db, [recordEvent(t.ctx, spec)]);
      return (client.prepare('select id from events where id > ? order by id').all(before) as { id: number }[]).map((r) => r.id);
    },
    deliveries: async (webhookId: number) => (await ok(t.call('GET', `/api/webhooks/${webhookId}/deliveries`))).items as any[],
    deliveryRows(webhookId: number) {
      return rawClient(t.sqlite).prepare('select * from webhook_deliveries where webhook_id = ? order by id').all(webhookId) as any[];
    },
    eventsOf(type: string): any[] {
      return rawClient(t.sqlite).prepare('select * from events where type = ? order by id').all(type) as any[];
    },
  };
  return env;
}

/** An asset state change shaped as the monitor records it. */
function assetEvent(assetKey: string, status: 'down' | 'up' | 'degraded', extra: { severity?: Severity; drillRunId?: number } = {}): EventSpec {
  const severity: Severity = status === 'down' ? 'major' : status === 'degraded' ? 'minor' : 'info';
  return {
    type: `asset.${status}`, subjectKind: 'asset', subjectKey: assetKey, severity,
    data: { assetKey, assetName: assetKey, kind: 'ground_station', previous: status === 'up' ? 'down' : 'up', status, reason: null, functionKeys: [] },
    ...extra,
  };
}

const eventIdOf = (r: ReceivedRequest, json: (r: ReceivedRequest) => any) => json(r).data.eventId as number;

describe.concurrent('fan-out: which subscriptions get which events', () => {
  it('queues only matching events: type list, minSeverity, assetIds, tags, drills only with includeDrills; never what came before', async (ctx) => {
    const { expect } = ctx;
    const { subscribe, createAsset, record, dispatcher, deliveryRows } = await setup(ctx);
    const north = await createAsset('gs-north', { tags: ['site:north'] });
    await createAsset('gs-south', { tags: ['site:south'] });
    await record(assetEvent('gs-north', 'down')); // before every subscription: never sent

    const all = await subscribe({ events: ['asset.down'] });
    const majorOnly = await subscribe({ events: ['asset.down', 'asset.up'], filters: { minSeverity: 'major' } });
    const byAsset = await subscribe({ events: ['asset.down', 'asset.up'], filters: { assetIds: [north] } });
    const byTag = await subscribe({ events: ['asset.down'], filters: { tags: ['site:north'] } });
    const drills = await subscribe({ events: ['asset.down', 'drill.started'], includeDrills: true });
    const drillsOff = await subscribe({ events: ['drill.started'] });
    expect(drillsOff.includeDrills).toBe(false);

    const [northDown, southDown, northUp, drillDown, drillStarted, incident] = await record(
      assetEvent('gs-north', 'down', { severity: 'major' }),
      assetEvent('gs-south', 'down', { severity: 'minor' }),
      assetEvent('gs-north', 'up'),
      assetEvent('gs-north', 'down', { drillRunId: 7, severity: 'major' }),
      { type: 'drill.started', subjectKind: 'drill_run', subjectKey: 'svalbard-loss', drillRunId: 7, data: { drillId: 2, drillKey: 'svalbard-loss', runId: 7 } },
      { type: 'incident.opened', subjectKind: 'incident', subjectKey: 'ref-1', severity: 'major', data: { incidentRef: 'ref-1', title: 'gs-north is down', assetKey: 'gs-north', functionKeys: [], startedAt: 0, openedAt: 0, ttdMs: 0 } },
    );
    expect(await dispatcher.fanOut()).toHaveLength(2 + 1 + 2 + 1 + 4);
    const queued = (sub: { id: number }) => deliveryRows(sub.id).map((d) => d.event_id);
    expect(queued(all)).toEqual([northDown, southDown]);
    expect(queued(majorOnly)).toEqual([northDown]);
    expect(queued(byAsset)).toEqual([northDown, northUp]);
    expect(queued(byTag)).toEqual([northDown]);
    expect(queued(drills)).toEqual([northDown, southDown, drillDown, drillStarted]);
    expect(queued(drillsOff)).toEqual([]);
    expect([all, majorOnly, byAsset, byTag, drills, drillsOff].flatMap(queued)).not.toContain(incident);
    // Every delivery's webhook-id is stable and tied to its event; a second pass queues nothing more.
    expect(deliveryRows(all.id).map((d) => d.message_id)).toEqual([`msg_${northDown}`, `msg_${southDown}`]);
    expect(await dispatcher.fanOut()).toHaveLength(0);
    expect(deliveryRows(all.id)).toHaveLength(2);
  });
});

describe.concurrent('delivery to a real receiver', () => {
  it('signs per Standard Webhooks: the package verifies it, a tampered body does not; standard body shape', async (ctx) => {
    const { expect } = ctx;
    const { subscribe, record, receiver, start, deliveries } = await setup(ctx);
    const sub = await subscribe({ events: ['asset.down'] });
    expect(sub.secret).toMatch(/^whsec_/);
    receiver.setSecrets([sub.secret]);
    const [eventId] = await record(assetEvent('gs-kiruna', 'down'));
    start();
    const [req] = await receiver.waitForRequests(1, { acceptedOnly: true });
    expect(req!.verified).toBe(true);
    expect(receiver.verify(req!, sub.secret)).toBe(true);
    expect(req!.method).toBe('POST');
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    expect(req!.headers['webhook-id']).toBe(`msg_${eventId}`);
    expect(req!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    const ts = Number(req!.headers['webhook-timestamp']);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(10);
    // The same message with one byte changed, or under another secret, fails.
    expect(receiver.verify({ ...req!, rawBody: req!.rawBody.replace('gs-kiruna', 'gs-kiruno') }, sub.secret)).toBe(false);
    expect(receiver.verify(req!, 'whsec_' + Buffer.alloc(32, 1).toString('base64'))).toBe(false);

    const body = receiver.json(req!);
    expect(body).toMatchObject({ type: 'asset.down', data: { assetKey: 'gs-kiruna', eventId, severity: 'major', drill: false } });
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    await waitFor('succeeded', async () => (await deliveries(sub.id))[0]?.status === 'succeeded');
    const [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ eventId, messageId: `msg_${eventId}`, status: 'succeeded', lastStatusCode: 204 });
  });

  it('a receiver that is down, then up, gets everything, in order per asset, each webhook-id accepted once', async (ctx) => {
    const { expect } = ctx;
    const { subscribe, record, receiver, start, deliveries } = await setup(ctx, { schedule: [0.2, 0.3, 0.5, 1, 1, 1, 1] });
    const sub = await subscribe({ events: ['asset.down', 'asset.up', 'asset.degraded'] });
    receiver.setSecrets([sub.secret]);
    await receiver.setMode('down');
    start();
    const ids = await record(
      assetEvent('gs-a', 'down'), assetEvent('gs-b', 'down'), assetEvent('gs-a', 'up'), assetEvent('gs-c', 'degraded'),
      assetEvent('gs-b', 'up'), assetEvent('gs-a', 'degraded'), assetEvent('gs-c', 'up'), assetEvent('gs-a', 'up'),
    );
    // Attempts fail while the port refuses; later events of one asset wait behind the first.
    await waitFor('failed attempts recorded', async () => (await deliveries(sub.id)).some((d) => d.attempts.length >= 2));
    const during = await deliveries(sub.id);
    expect(during.every((d) => d.status === 'pending')).toBe(true);
    const tried = during.filter((d) => d.attempts.length > 0);
    expect(tried.map((d) => d.eventId).sort((a, b) => a - b)).toEqual([ids[0], ids[1], ids[3]]); // heads of gs-a, gs-b, gs-c only
    expect(tried[0].attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/ECONNREFUSED|refused/i) });
    expect(receiver.requests).toHaveLength(0);

    await sleep(300);
    await receiver.setMode('ok');
    const got = await receiver.waitForRequests(ids.length, { acceptedOnly: true });
    await sleep(300); // nothing more should come
    expect(receiver.requests).toHaveLength(ids.length);
    expect(got.every((r) => r.verified)).toBe(true);
    // Each webhook-id once, each for one event, and all events.
    const webhookIds = got.map((r) => r.webhookId);
    expect(new Set(webhookIds).size).toBe(ids.length);
    expect(got.map((r) => eventIdOf(r, receiver.json)).sort((a, b) => a - b)).toEqual(ids);
    for (const r of got) expect(r.webhookId).toBe(`msg_${eventIdOf(r, receiver.json)}`);
    // Per asset, in the order the events happened.
    for (const key of ['gs-a', 'gs-b', 'gs-c']) {
      const seen = got.filter((r) => receiver.json(r).data.assetKey === key).map((r) => eventIdOf(r, receiver.json));
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
    expect(got.filter((r) => receiver.json(r).data.assetKey === 'gs-a').map((r) => receiver.json(r).type)).toEqual(['asset.down', 'asset.up', 'asset.degraded', 'asset.up']);
    await waitFor('all succeeded', async () => (await deliveries(sub.id)).every((d) => d.status === 'succeeded'));
  });

  it.for([429, 503])('%i with Retry-After: 1 → the next attempt at least a second later, same webhook-id', async (status, ctx) => {
    const { expect } = ctx;
    const { subscribe, record, receiver, start, deliveries } = await setup(ctx);
    const sub = await subscribe({ events: ['asset.down'] });
    await receiver.setMode(`status:${status}`, { headers: { 'retry-after': '1' }, body: 'slow down' });
    await record(assetEvent('gs-a', 'down'));
    start();
    await receiver.waitForRequests(1);
    await receiver.setMode('ok');
    const [first, second] = await receiver.waitForRequests(2);
    expect(first!.answeredStatus).toBe(status);
    expect(second!.answeredStatus).toBe(204);
    expect(second!.webhookId).toBe(first!.webhookId);
    expect(receiver.verify(first!, sub.secret) && receiver.verify(second!, sub.secret)).toBe(true);
    await waitFor('succeeded', async () => (await deliveries(sub.id))[0]?.status === 'succeeded');
    const [d] = await deliveries(sub.id);
    expect(d.attempts[0]).toMatchObject({ statusCode: status, responseSnippet: 'slow down' });
    // Without Retry-After the schedule says 0.2 s (±10 %); the receiver asked for 1 s. The delivery
    // log's attempt times carry no arrival noise, so the second attempt is a full second later.
    expect(Date.parse(d.attempts[0].nextRetryAt) - Date.parse(d.attempts[0].at)).toBe(1000);
    expect(Date.parse(d.attempts[1].at) - Date.parse(d.attempts[0].at)).toBeGreaterThanOrEqual(1000);
  });

  it('410 Gone disables the subscription once, with a reason and a webhook.disabled event; nothing more is sent', async (ctx) => {
    const { expect } = ctx;
    const { t, subscribe, record, receiver, start, deliveries, eventsOf, dispatcher } = await setup(ctx);
    const sub = await subscribe({ events: ['asset.down', 'asset.up'] });
    await receiver.setMode('status:410');
    // Two assets: two deliveries first in line at the same time.
    await record(assetEvent('gs-a', 'down'), assetEvent('gs-b', 'down'), assetEvent('gs-a', 'up'));
    const loop = start();
    const disabled = await waitFor('disabled', async () => {
      const w = await ok(t.call('GET', `/api/webhooks/${sub.id}`));
      return w.enabled === false ? w : null;
    });
    expect(disabled.disabledReason).toMatch(/410/);
    await waitFor('no pending deliveries', async () => (await deliveries(sub.id)).every((d) => d.status !== 'pending'));
    const list = await deliveries(sub.id);
    expect(list.every((d) => d.status === 'failed')).toBe(true);
    expect(list.some((d) => /410/.test(d.lastError))).toBe(true);
    const gone = eventsOf('webhook.disabled');
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatchObject({ subject_kind: 'webhook', subject_id: sub.id });
    const sentBefore = receiver.requests.length;
    expect(sentBefore).toBeLessThanOrEqual(2);

    await receiver.setMode('ok');
    await record(assetEvent('gs-c', 'down'));
    await sleep(300);
    await loop.stop();
    expect(await dispatcher.fanOut()).toHaveLength(0);
    expect(receiver.requests.length).toBe(sentBefore);
  });

  it('a 302 is a failure: Location is never followed, the attempt says so, and it is retried', async (ctx) => {
    const { expect } = ctx;
    const { subscribe, record, receiver, start, deliveries } = await setup(ctx);
    const sub = await subscribe({ events: ['asset.down'] });
    await receiver.setMode('status:302', { headers: { location: receiver.urlFor('/elsewhere') } });
    await record(assetEvent('gs-a', 'down'));
    start();
    await receiver.waitForRequests(2);
    await receiver.setMode('ok');
    await waitFor('succeeded', async () => (await deliveries(sub.id))[0]?.status === 'succeeded');
    expect(receiver.requestsTo('/elsewhere')).toHaveLength(0);
    expect(receiver.requests.every((r) => r.path === HOOK_PATH)).toBe(true);
    const [d] = await deliveries(sub.id);
    expect(d.attempts[0]).toMatchObject({ statusCode: 302, error: expect.stringMatching(/redirect.*\/elsewhere.*not followed/) });
    expect(d.attempts[0].nextRetryAt).not.toBeNull();
    expect(d.attempts.at(-1)).toMatchObject({ statusCode: 204, error: null, nextRetryAt: null });
    expect(new Set(receiver.requests.map((r) => r.webhookId)).size).toBe(1);
  });

  it('a receiver slower than the timeout: the attempt records an error and is retried with the same webhook-id', async (ctx) => {
    const { expect } = ctx;
    const { subscribe, record, receiver, start, deliveries } = await setup(ctx);
    const sub = await subscribe({ events: ['asset.down'] });
    await receiver.setMode('slow:1500');
    await record(assetEvent('gs-a', 'down'));
    const startedAt = Date.now();
    start();
    await waitFor('a timed-out attempt', async () => (await deliveries(sub.id))[0]?.attempts.length >= 1);
    expect(Date.now() - startedAt).toBeLessThan(1400); // gave up at ~500 ms, did not wait for the answer
    await receiver.setMode('ok');
    await waitFor('succeeded', async () => (await deliveries(sub.id))[0]?.status === 'succeeded');
    const [d] = await deliveries(sub.id);
    expect(d.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/timed out after 500 ms/) });
    expect(d.attempts[0].nextRetryAt).not.toBeNull();
    expect(d.attempts.at(-1).statusCode).toBe(204);
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(receiver.requests.map((r) => r.webhookId))).toEqual(new Set([d.messageId]));
  });

  it('gives up when the schedule is exhausted: the delivery fails after 1 + schedule-length attempts, spaced by the backoff', async (ctx) => {
    const { expect } = ctx;
    const { subscribe, record, receiver, start, deliveries } = await setup(ctx);
    const sub = await subscribe({ events: ['asset.down'] });
    await receiver.setMode('status:500', { body: 'internal error' });
    await record(assetEvent('gs-a', 'down'));
    start();
    await waitFor('failed', async () => (await deliveries(sub.id))[0]?.status === 'failed', 6_000);
    await sleep(300);
    const [d] = await deliveries(sub.id);
    expect(d.attempts).toHaveLength(SHORT_SCHEDULE.length + 1);
    expect(d.attempts.every((a: any) => a.statusCode === 500 && a.responseSnippet === 'internal error')).toBe(true);
    expect(d.attempts.at(-1).nextRetryAt).toBeNull();
    expect(d.nextAttemptAt).toBeNull();
    expect(d.lastStatusCode).toBe(500);
    const got = receiver.requestsTo();
    expect(got).toHaveLength(SHORT_SCHEDULE.length + 1);
    expect(new Set(got.map((r) => r.webhookId)).size).toBe(1);
    // Backoff with ±10 % jitter: each attempt at least 90 % of its scheduled wait after the one
    // before, as the delivery log records when each was made (arrival times at the receiver also
    // carry the machine's scheduling noise).
    const madeAt = d.attempts.map((a: any) => Date.parse(a.at));
    for (let i = 1; i < madeAt.length; i++) expect(madeAt[i] - madeAt[i - 1]).toBeGreaterThanOrEqual(SHORT_SCHEDULE[i - 1]! * 900);
    // Different timestamps across attempts, each signature valid for its own.
    expect(got.every((r) => receiver.verify(r, sub.secret))).toBe(true);
  });

  it('secret rotation: during the grace period both secrets verify the same message; with no grace only the new one', async (ctx) => {
    const { expect } = ctx;
    const { t, subscribe, record, receiver, start } = await setup(ctx);
    const sub = await subscribe({ events: ['asset.down'] });
    const oldSecret = sub.secret;
    const rotated = await ok(t.call('PATCH', `/api/webhooks/${sub.id}`, { body: { rotateSecret: true } }));
    const newSecret = rotated.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.rotatingUntil).not.toBeNull();
    const got = await ok(t.call('GET', `/api/webhooks/${sub.id}`));
    expect(JSON.stringify(got)).not.toContain(newSecret.slice(6));

    receiver.setSecrets([oldSecret]); // a receiver that has not updated yet keeps accepting
    await record(assetEvent('gs-a', 'down'));
    start();
    const [req] = await receiver.waitForRequests(1, { acceptedOnly: true });
    expect(req!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(receiver.verify(req!, oldSecret)).toBe(true);
    expect(receiver.verify(req!, newSecret)).toBe(true);

    // A second rotation with no grace period: only the newest secret signs.
    const again = await ok(t.call('PATCH', `/api/webhooks/${sub.id}`, { body: { rotateSecret: true, graceHours: 0 } }));
    receiver.setSecrets([again.secret]);
    await record(assetEvent('gs-b', 'down'));
    const [, second] = await receiver.waitForRequests(2, { acceptedOnly: true });
    expect(second!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(receiver.verify(second!, again.secret)).toBe(true);
    expect(receiver.verify(second!, newSecret)).toBe(false);
    expect(receiver.verify(second!, oldSecret)).toBe(false);
  });

  it('PagerDuty: an incident from the monitor triggers, acknowledges and resolves under one dedup_key, in order even after an outage', async (ctx) => {
    const { expect } = ctx;
    const { t, subscribe, createAsset, receiver, start } = await setup(ctx, { schedule: [0.2, 0.3, 0.5, 1, 2, 2] });
    const sub = await subscribe({
      format: 'pagerduty', routingKey: 'R0UT1NGKEY0000000000000000000000', events: ['incident.opened', 'incident.acknowledged', 'incident.updated', 'incident.resolved'],
    });
    receiver.setSecrets([sub.secret]);
    const assetId = await createAsset('gs-usuda', { criticality: 'high', name: 'JAXA Usuda' });
    const check = await ok(t.call('POST', '/api/checks', { body: { key: 'usuda-ext', assetId, kind: 'external', intervalSeconds: 60, failureThreshold: 1, successThreshold: 1 } }), 201);
    let now = Date.now();
    const monitor = await Monitor.load(t.sqlite.db, now);
    const observe = async (status: 'up' | 'down') => {
      now = Math.max(now + 1, Date.now());
      await commitAtomically(t.sqlite.db, monitor.planObservations(t.sqlite.db, [{ checkId: check.id, at: now, observation: { status, latencyMs: null, message: status === 'down' ? 'dish fault' : null } }], now));
    };
    await commitAtomically(t.sqlite.db, monitor.planReassessment(t.sqlite.db, now));
    await observe('up');

    // The endpoint is unreachable while the incident happens.
    await receiver.setMode('down');
    const loop = start();
    await observe('down');
    const [incident] = (await ok(t.call('GET', '/api/incidents'))).items;
    expect(incident).toMatchObject({ state: 'open', assetId });
    await ok(t.call('POST', `/api/incidents/${incident.id}/ack`, { token: t.tokens.officer }));
    await ok(t.call('POST', `/api/incidents/${incident.id}/updates`, { token: t.tokens.officer, body: { status: 'identified', message: 'dish motor' } }), 201);
    await observe('up');
    await sleep(700); // attempts fail meanwhile
    await receiver.setMode('ok');
    const got = await receiver.waitForRequests(3, { acceptedOnly: true });
    await sleep(300);
    await loop.stop();
    expect(got.every((r) => r.verified)).toBe(true);
    const bodies = receiver.accepted().map((r) => receiver.json(r));
    // incident.updated means nothing to PagerDuty: skipped, not sent.
    expect(bodies.map((b) => b.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(bodies.every((b) => b.dedup_key === incident.ref && b.routing_key === 'R0UT1NGKEY0000000000000000000000')).toBe(true);
    expect(bodies[0].payload).toMatchObject({ severity: expect.stringMatching(/^(critical|error|warning|info)$/), source: 'gs-usuda', class: 'incident.opened' });
    expect(bodies[0].payload.summary).toMatch(/Incident opened: JAXA Usuda is down/);
  });

  it('the deliveries list shows every attempt (status, latency, snippet, next retry); redeliver sends again with the same webhook-id', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const { t, subscribe, record, receiver, start, deliveries } = env;
    const sub = await subscribe({ events: ['asset.down'] });
    await receiver.setMode('status:500', { body: 'overloaded, try later' });
    const [eventId] = await record(assetEvent('gs-a', 'down'));
    start();
    await receiver.waitForRequests(1);
    await receiver.setMode('ok');
    await waitFor('succeeded', async () => (await deliveries(sub.id))[0]?.status === 'succeeded');
    const [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ eventId, messageId: `msg_${eventId}`, status: 'succeeded', nextAttemptAt: null, lastStatusCode: 204, lastError: null });
    expect(d.attempts).toHaveLength(2);
    const [first, last] = d.attempts;
    expect(first).toMatchObject({ statusCode: 500, responseSnippet: 'overloaded, try later', error: null });
    expect(first.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(first.nextRetryAt)).toBeGreaterThan(Date.parse(first.at));
    expect(last).toMatchObject({ statusCode: 204, nextRetryAt: null });
    expect(typeof last.latencyMs).toBe('number');
    expect(d.completedAt).not.toBeNull();

    // Admin only; a finished delivery is queued again at once (and the dispatcher woken).
    expect((await t.call('POST', `/api/webhooks/${sub.id}/deliveries/${d.id}/redeliver`, { token: t.tokens.officer })).status).toBe(403);
    const wakesBefore = env.wakes;
    const again = await ok(t.call('POST', `/api/webhooks/${sub.id}/deliveries/${d.id}/redeliver`), 202);
    expect(again).toMatchObject({ id: d.id, messageId: d.messageId, status: 'pending' });
    expect(env.wakes).toBe(wakesBefore + 1);
    const got = await receiver.waitForRequests(3, { acceptedOnly: false });
    expect(got.at(-1)!.webhookId).toBe(d.messageId);
    expect(receiver.verify(got.at(-1)!, sub.secret)).toBe(true);
    expect(got.at(-1)!.rawBody).toBe(got[1]!.rawBody);
    await waitFor('redelivered', async () => (await deliveries(sub.id))[0]?.attempts.length === 3 && (await deliveries(sub.id))[0]?.status === 'succeeded');
    expect((await t.call('POST', `/api/webhooks/${sub.id}/deliveries/999999/redeliver`)).status).toBe(404);
    expect(rawClient(t.sqlite).prepare("select count(*) as n from events where type = 'webhook.redelivery_requested'").get()).toEqual({ n: 1 });
  });
});
