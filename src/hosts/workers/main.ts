/// <reference types="@cloudflare/workers-types" />
// The Workers host: the same app with its database built per request from the D1 binding, a
// scheduled handler that runs the engine once per Cron Trigger (see scheduled-tick.ts), and a
// queue handler that delivers webhooks (see deliveries-queue.ts).
import { createFetchSender } from './webhook-sender.js';
import { consumeDeadLetters, consumeDeliveries, DELIVERIES_DLQ, enqueueDeliveries, type DeliveryMessage } from './deliveries-queue.js';
import { WebhookDispatcher } from '../../core/outbox/dispatcher.js';
import { workersClientAddress } from './client-address.js';
import { openD1 } from './d1.js';
import { createApp } from '../../http/app.js';
import { loadConfig, type AppConfig } from '../config.js';
import { SYSTEM_ACTOR } from '../../core/domain/roles.js';
import { refreshElementsFromFeed } from '../../core/services/satellites.js';
import { ensureAdminToken } from '../../core/services/tokens.js';
import { loadEngine, runScheduledTick } from '../../core/services/scheduled-tick.js';
import { createWorkerProbeContext, UNSUPPORTED_ON_WORKERS } from './probes.js';

export interface Env {
  DB: D1Database;
  /** A Workers secret: the first admin token, minted when no usable admin token exists. */
  COOPWATCH_ADMIN_TOKEN?: string;
  /** Webhook deliveries to attempt, by id (wrangler.toml's deliveries queue). */
  DELIVERIES: Queue<DeliveryMessage>;
}

/** The cron (in wrangler.toml) that also prunes history past retention; every other one only ticks. */
const DAILY_CRON = '17 3 * * *';
const TICK_PERIOD_MS = 60_000;
/** A pending delivery this long past due has lost its queue message (the consumer takes one within seconds): the tick enqueues it again. */
const LOST_MESSAGE_GRACE_MS = 3_600_000;
/** Workers allow six simultaneous open connections per invocation. */
const PROBE_CONCURRENCY = 6;

const database = (env: Env) => openD1(env.DB);

let config: AppConfig | undefined;
let bootstrapped: Promise<unknown> | undefined;

/** Configuration from the Worker's vars and secrets (the same COOPWATCH_* names), read once per isolate. */
function configFrom(env: Env): AppConfig {
  const strings = Object.fromEntries(Object.entries(env as object).filter((e): e is [string, string] => typeof e[1] === 'string'));
  config ??= loadConfig(strings);
  return config;
}

/** Mints the admin token from the secret once per isolate (a no-op while an admin token exists). */
function bootstrap(env: Env): Promise<unknown> {
  bootstrapped ??= ensureAdminToken({ db: database(env), actor: SYSTEM_ACTOR, now: Date.now }, configFrom(env).adminToken).catch((err) => {
    bootstrapped = undefined;
    throw err;
  });
  return bootstrapped;
}

const log = (message: string) => console.log(`[coopwatch] ${message}`);

function dispatcherFor(env: Env): WebhookDispatcher {
  const cfg = configFrom(env);
  return new WebhookDispatcher({
    db: database(env),
    send: createFetchSender({ allowPrivate: cfg.webhooks.allowPrivate, timeoutMs: cfg.webhooks.timeoutMs }),
    retryScheduleSeconds: cfg.webhooks.retryScheduleSeconds,
    publicUrl: cfg.publicUrl,
  });
}

let app: ReturnType<typeof createApp> | undefined;

function appFor(env: Env) {
  const cfg = configFrom(env);
  app ??= createApp({
    database: (bindings) => database(bindings as unknown as Env),
    maxBodyBytes: cfg.maxBodyBytes,
    elementsMaxAgeDays: cfg.elementsMaxAgeDays,
    webhooks: { allowPrivate: cfg.webhooks.allowPrivate, wake: (deliveryId, bindings) => enqueueDeliveries((bindings as unknown as Env).DELIVERIES, [deliveryId]) },
    alertmanagerLabel: cfg.alertmanagerLabel,
    // Counted per isolate: a guess spread over many isolates is limited less tightly than on Node.
    failedAttempts: cfg.failedAttempts,
    clientAddress: workersClientAddress,
    unsupportedCheckKinds: UNSUPPORTED_ON_WORKERS,
    // Nothing runs between requests: each call loads the engine, acts, and the next tick goes on.
    drills: {
      startRun: async (ctx, drillId) => (await loadEngine(ctx.db, ctx.now)).runner.startRun(ctx, drillId),
      abortRun: async (ctx, runId, reason) => (await loadEngine(ctx.db, ctx.now)).runner.abortRun(ctx, runId, reason),
    },
  });
  return app;
}

export default {
  async fetch(request, env, ctx) {
    if (configFrom(env).adminToken) await bootstrap(env);
    return appFor(env).fetch(request, env, ctx);
  },

  async scheduled(controller, env) {
    const cfg = configFrom(env);
    if (cfg.adminToken) await bootstrap(env);
    const summary = await runScheduledTick({
      db: database(env),
      now: controller.scheduledTime,
      periodMs: TICK_PERIOD_MS,
      probeContext: createWorkerProbeContext,
      queueDeliveries: async () => {
        const dispatcher = dispatcherFor(env);
        const ids = [...(await dispatcher.fanOut()), ...(await dispatcher.takeOverdue(LOST_MESSAGE_GRACE_MS))];
        await enqueueDeliveries(env.DELIVERIES, ids);
        return ids.length;
      },
      concurrency: PROBE_CONCURRENCY,
      retentionDays: cfg.retentionDays,
      prune: controller.cron === DAILY_CRON,
      log,
    });
    console.log(`[coopwatch] tick ${new Date(controller.scheduledTime).toISOString()}: ${JSON.stringify(summary)}`);
    if (controller.cron === DAILY_CRON && cfg.elementsUrl) {
      const refreshed = await refreshElementsFromFeed({ db: database(env), actor: SYSTEM_ACTOR, now: Date.now }, cfg.elementsUrl);
      console.log(`[coopwatch] orbital elements refreshed from ${cfg.elementsUrl}: ${JSON.stringify(refreshed)}`);
    }
  },

  async queue(batch, env) {
    if (batch.queue === DELIVERIES_DLQ) await consumeDeadLetters(batch, dispatcherFor(env));
    else await consumeDeliveries(batch, dispatcherFor(env), log);
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
