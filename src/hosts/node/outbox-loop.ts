import type { AppConfig } from '../config.js';
import type { Db } from '../../core/store/client.js';
import { WebhookDispatcher } from '../../core/outbox/dispatcher.js';
import { createWebhookSender } from './webhook-sender.js';

/** Sends webhooks: fans new events out to subscriptions and delivers what is due, a few times a second. */
export function startOutbox(db: Db, config: AppConfig, log: (message: string) => void) {
  const sender = createWebhookSender({ allowPrivate: config.webhooks.allowPrivate, timeoutMs: config.webhooks.timeoutMs });
  const dispatcher = new WebhookDispatcher({
    db,
    send: sender.send,
    retryScheduleSeconds: config.webhooks.retryScheduleSeconds,
    concurrency: config.webhooks.concurrency,
    publicUrl: config.publicUrl,
  });
  let running: Promise<void> = Promise.resolve();
  let again = false;
  // After a failed pass (the database refusing writes, say), wait longer before the next one: an
  // attempt that was sent but could not be recorded is sent again (same webhook-id) on the next
  // pass, so retrying every 250 ms would flood the receiver and the log.
  let failures = 0;
  let resumeAt = 0;
  let lastError = '';
  const pass = () => {
    if (again || Date.now() < resumeAt) return;
    again = true;
    running = running.then(async () => {
      again = false;
      try {
        await dispatcher.fanOut();
        await dispatcher.deliverDue();
        if (failures) log(`webhook delivery resumed after ${failures} failed passes`);
        failures = 0;
        lastError = '';
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        failures++;
        resumeAt = Date.now() + Math.min(250 * 2 ** Math.min(failures, 10), 30_000);
        if (message !== lastError) log(`webhook delivery: ${message} (retrying with backoff)`);
        lastError = message;
      }
    });
  };
  const timer = setInterval(pass, 250);
  return {
    wake: pass,
    async stop() {
      clearInterval(timer);
      await running;
      await sender.close?.();
    },
  };
}
