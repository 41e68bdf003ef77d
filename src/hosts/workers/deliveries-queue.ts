/// <reference types="@cloudflare/workers-types" />
// Webhook delivery through Cloudflare Queues. A message carries one delivery's id; the outbox row
// stays the truth (what was sent, each attempt, the state). The consumer makes one attempt through
// the dispatcher the Node host uses and retries the message on the dispatcher's Standard Webhooks
// schedule; what the queue gives up on lands in the dead-letter queue, whose consumer marks the
// delivery failed so the API shows it and can redeliver it.
import type { WebhookDispatcher } from '../../core/outbox/dispatcher.js';

export interface DeliveryMessage {
  deliveryId: number;
}

/** Must match the queue names in wrangler.toml. */
export const DELIVERIES_QUEUE = 'coopwatch-deliveries';
export const DELIVERIES_DLQ = 'coopwatch-deliveries-dlq';

/** A message's longest delay (miniflare's QueueMessageDelaySchema in cloudflare/workers-sdk, packages/miniflare/src/workers/queues/schemas.ts); a longer wait is taken in steps. */
const MAX_DELAY_SECONDS = 86_400;
/** `sendBatch` takes at most 100 messages. */
const SEND_BATCH = 100;

export async function enqueueDeliveries(queue: Queue<DeliveryMessage>, ids: readonly number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += SEND_BATCH) {
    await queue.sendBatch(ids.slice(i, i + SEND_BATCH).map((deliveryId) => ({ body: { deliveryId }, contentType: 'json' as const })));
  }
}

/** One attempt per message, in the batch's order; a message whose row is no longer pending is acked unsent. */
export async function consumeDeliveries(batch: MessageBatch<DeliveryMessage>, dispatcher: WebhookDispatcher, log: (message: string) => void): Promise<void> {
  for (const message of batch.messages) {
    try {
      const outcome = await dispatcher.attemptById(message.body.deliveryId);
      if (outcome.done) message.ack();
      else message.retry({ delaySeconds: Math.min(Math.ceil(outcome.retryInMs / 1000), MAX_DELAY_SECONDS) });
    } catch (err) {
      log(`delivery ${message.body.deliveryId}: ${err instanceof Error ? err.message : String(err)}`);
      message.retry();
    }
  }
}

/** The queue gave up on these deliveries: they read as failed until someone redelivers them. */
export async function consumeDeadLetters(batch: MessageBatch<DeliveryMessage>, dispatcher: WebhookDispatcher): Promise<void> {
  for (const message of batch.messages) {
    await dispatcher.giveUp(message.body.deliveryId, `dead-lettered after ${message.attempts} queue attempts`);
    message.ack();
  }
}
