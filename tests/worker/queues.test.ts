// Webhook delivery through Cloudflare Queues: the API and the tick enqueue delivery ids, the
// queue consumer sends each to a real receiver on 127.0.0.1 and retries on the Standard Webhooks
// schedule, and what the queue gives up on shows as failed in the API, ready to redeliver.
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import worker from '../../src/hosts/workers/main.js';
import { DELIVERIES_DLQ, DELIVERIES_QUEUE } from '../../src/hosts/workers/deliveries-queue.js';
import { call, eventually, expectStatus } from './client.js';

const fixture = inject('fixtureUrl');

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

async function receivedAt(path: string): Promise<Received[]> {
  return ((await (await fetch(`${fixture}/received`)).json()) as Received[]).filter((r) => r.path === path);
}

async function answer(path: string, status: number): Promise<void> {
  await (await fetch(`${fixture}/control?hook=${encodeURIComponent(path)}&status=${status}`, { method: 'POST' })).text();
}

async function subscribe(path: string): Promise<number> {
  return (await expectStatus(call('POST', '/api/webhooks', { body: { url: `${fixture}${path}`, events: ['incident.opened'] } }), 201)).id;
}

async function delivery(webhookId: number, deliveryId: number) {
  const { items } = await expectStatus(call('GET', `/api/webhooks/${webhookId}/deliveries`), 200);
  return items.find((d: { id: number }) => d.id === deliveryId);
}

/**
 * Hands the worker's queue handler one message for this delivery, as the queue would. The pool's
 * getQueueResult() does not report a retry's delay, so the delays asked for are read on the way.
 */
async function consume(queue: string, deliveryId: number, attempts = 1) {
  const batch = createMessageBatch<{ deliveryId: number }>(queue, [{ id: `msg-${deliveryId}-${attempts}`, timestamp: new Date(), attempts, body: { deliveryId } }]);
  const delays: Array<number | undefined> = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options) => {
      delays.push(options?.delaySeconds);
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

describe('webhook deliveries through the queue', () => {
  beforeAll(async () => {
    await answer('/hook/q-ok', 200);
    await answer('/hook/q-500', 500);
    await answer('/hook/q-dead', 500);
  });

  it('enqueues a due delivery; the consumer sends it, signed, and marks it delivered on 2xx', async () => {
    const id = await subscribe('/hook/q-ok');
    const ping = await expectStatus(call('POST', `/api/webhooks/${id}/test`), 202);
    const done = await eventually(() => delivery(id, ping.deliveryId), (d) => d.status !== 'pending');
    expect(done).toMatchObject({ status: 'succeeded', lastStatusCode: 200, attempts: [expect.objectContaining({ statusCode: 200 })] });
    const got = await receivedAt('/hook/q-ok');
    expect(got).toHaveLength(1);
    expect(got[0]!.headers['webhook-id']).toBe(ping.messageId);
    expect(got[0]!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
  });

  it('sends nothing for a message whose delivery is already delivered, and acks it', async () => {
    const id = await subscribe('/hook/q-ok');
    const ping = await expectStatus(call('POST', `/api/webhooks/${id}/test`), 202);
    await eventually(() => delivery(id, ping.deliveryId), (d) => d.status === 'succeeded');
    const before = (await receivedAt('/hook/q-ok')).length;

    const result = await consume(DELIVERIES_QUEUE, ping.deliveryId, 2);
    expect(result.explicitAcks).toEqual([`msg-${ping.deliveryId}-2`]);
    expect(result.retryMessages).toEqual([]);
    expect(await receivedAt('/hook/q-ok')).toHaveLength(before);
    expect((await delivery(id, ping.deliveryId)).attempts).toHaveLength(1);
  });

  it('retries a delivery the receiver answers 500 after the schedule\'s first delay, with the attempt recorded', async () => {
    const id = await subscribe('/hook/q-500');
    const ping = await expectStatus(call('POST', `/api/webhooks/${id}/test`), 202);
    const failed = await eventually(() => delivery(id, ping.deliveryId), (d) => d.attempts.length > 0);
    expect(failed).toMatchObject({ status: 'pending', lastStatusCode: 500, attempts: [expect.objectContaining({ statusCode: 500 })] });
    // The first retry of the Standard Webhooks schedule is 5 s (±10 % jitter).
    const wait = Date.parse(failed.nextAttemptAt) - Date.parse(failed.attempts[0].at);
    expect(wait).toBeGreaterThanOrEqual(4_500);
    expect(wait).toBeLessThanOrEqual(5_500);

    // A message for it that arrives now is put back for the rest of that wait, and sends nothing.
    const result = await consume(DELIVERIES_QUEUE, ping.deliveryId);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.delays[0]).toBeGreaterThanOrEqual(1);
    expect(result.delays[0]).toBeLessThanOrEqual(6);
    expect(await receivedAt('/hook/q-500')).toHaveLength(1);

    // The queue brings the message back after the delay: a second attempt.
    const again = await eventually(() => delivery(id, ping.deliveryId), (d) => d.attempts.length > 1, 12_000);
    expect(again.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500]);
    expect(Date.parse(again.attempts[1].at) - Date.parse(again.attempts[0].at)).toBeGreaterThanOrEqual(4_500);
  });

  it('shows a dead-lettered delivery as failed and redelivers it through the queue once', async () => {
    const id = await subscribe('/hook/q-dead');
    const ping = await expectStatus(call('POST', `/api/webhooks/${id}/test`), 202);
    await eventually(() => delivery(id, ping.deliveryId), (d) => d.attempts.length > 0);

    const result = await consume(DELIVERIES_DLQ, ping.deliveryId, 21);
    expect(result.explicitAcks).toHaveLength(1);
    const dead = await delivery(id, ping.deliveryId);
    expect(dead).toMatchObject({ status: 'failed', nextAttemptAt: null, lastError: 'dead-lettered after 21 queue attempts' });

    await answer('/hook/q-dead', 200);
    const queued = await expectStatus(call('POST', `/api/webhooks/${id}/deliveries/${ping.deliveryId}/redeliver`), 202);
    expect(queued.status).toBe('pending');
    const delivered = await eventually(() => delivery(id, ping.deliveryId), (d) => d.status === 'succeeded');
    expect(delivered.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 200]);
    // The first attempt's retry still comes back (about 5 s after it) and finds the delivery done.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const got = await receivedAt('/hook/q-dead');
    expect(got.map((r) => r.headers['webhook-id'])).toEqual([ping.messageId, ping.messageId]);
  });

  it('enqueues again, at the next tick, a pending delivery whose message was lost', async () => {
    const id = await subscribe('/hook/q-lost');
    // A row written without its message (an enqueue that failed after the write), due two hours ago.
    const dueAt = Date.now() - 2 * 3_600_000;
    await env.DB.prepare("insert into webhook_deliveries (webhook_id, event_id, message_id, ordering_key, status, next_attempt_at, created_at) values (?, null, 'msg_lost', 'msg_lost', 'pending', ?, ?)")
      .bind(id, dueAt, dueAt).run();
    const [lost] = (await expectStatus(call('GET', `/api/webhooks/${id}/deliveries`), 200)).items;

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await eventually(() => delivery(id, lost.id), (d) => d.status !== 'pending')).toMatchObject({ status: 'succeeded', lastStatusCode: 200 });
    expect((await receivedAt('/hook/q-lost')).map((r) => r.headers['webhook-id'])).toEqual(['msg_lost']);
  });
});
