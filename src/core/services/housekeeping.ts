// Housekeeping for a host that runs it on a timer of its own (Workers: the Cron Triggers): history
// rolled up, pruned past retention once a day, and webhook deliveries whose queue message was lost
// handed to the host again. The monitor itself never waits for it.
import { pruneHistory, rollUpHistory } from '../monitor/history.js';
import type { WebhookDispatcher } from '../outbox/dispatcher.js';

export interface HousekeepingOptions {
  now: number;
  retentionDays: number;
  /** Also prune history past retention (once a day is enough). */
  prune: boolean;
  dispatcher: WebhookDispatcher;
  /** Hands deliveries to the host's delivery queue again. */
  requeue: (deliveryIds: number[]) => Promise<void>;
}

/** A pending delivery this long past due has lost its queue message (the consumer takes one within seconds). */
const LOST_MESSAGE_GRACE_MS = 3_600_000;

export async function runHousekeeping(db: Parameters<typeof rollUpHistory>[0], options: HousekeepingOptions) {
  await rollUpHistory(db, options.now);
  if (options.prune) await pruneHistory(db, options.now, options.retentionDays);
  const requeued = await options.dispatcher.takeOverdue(LOST_MESSAGE_GRACE_MS);
  await options.requeue(requeued);
  return { pruned: options.prune, requeued: requeued.length };
}
