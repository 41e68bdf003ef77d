/// <reference types="@cloudflare/workers-types" />
// The Worker's bindings (wrangler.toml), its COOPWATCH_* vars and secrets, and what the fetch,
// queue and scheduled handlers and the Durable Objects build from them.
import { WebhookDispatcher } from '../../core/outbox/dispatcher.js';
import type { Db } from '../../core/store/client.js';
import { loadConfig, type AppConfig } from '../config.js';
import type { CheckShard } from './check-shard.js';
import type { Coordinator } from './coordinator.js';
import { openD1 } from './d1.js';
import type { DeliveryMessage } from './deliveries-queue.js';
import { createFetchSender } from './webhook-sender.js';

export interface Env {
  DB: D1Database;
  /** A Workers secret: the first admin token, minted when no usable admin token exists. */
  COOPWATCH_ADMIN_TOKEN?: string;
  /** Webhook deliveries to attempt, by id (wrangler.toml's deliveries queue). */
  DELIVERIES: Queue<DeliveryMessage>;
  /** The one coordinator: the monitor's state, its writes to D1, drills and webhook fan-out. */
  COORDINATOR: DurableObjectNamespace<Coordinator>;
  /** The check shards: each probes its slice of one vantage's checks, woken by its alarm. */
  SHARDS: DurableObjectNamespace<CheckShard>;
}

export const database = (env: Env): Db => openD1(env.DB);

export const log = (message: string) => console.log(`[coopwatch] ${message}`);

let config: AppConfig | undefined;

/** Configuration from the Worker's vars and secrets (the same COOPWATCH_* names), read once per isolate. */
export function configFrom(env: Env): AppConfig {
  const strings = Object.fromEntries(Object.entries(env as object).filter((e): e is [string, string] => typeof e[1] === 'string'));
  config ??= loadConfig(strings);
  return config;
}

export function dispatcherFor(env: Env): WebhookDispatcher {
  const cfg = configFrom(env);
  return new WebhookDispatcher({
    db: database(env),
    send: createFetchSender({ allowPrivate: cfg.webhooks.allowPrivate, timeoutMs: cfg.webhooks.timeoutMs }),
    retryScheduleSeconds: cfg.webhooks.retryScheduleSeconds,
    publicUrl: cfg.publicUrl,
  });
}

/** The coordinator's stub (one object for the whole deployment). */
export function coordinatorOf(env: Env): DurableObjectStub<Coordinator> {
  return env.COORDINATOR.get(env.COORDINATOR.idFromName('coordinator'));
}
