/// <reference types="@cloudflare/workers-types" />
// The Workers host: the same app with its database built per request from the D1 binding; the
// monitor in Durable Objects (coordinator.ts holds its state, check-shard.ts probes, each shard on
// its own alarm); a queue handler that delivers webhooks (deliveries-queue.ts); and Cron Triggers
// for housekeeping only (rollups, pruning, orbital elements, lost queue messages).
import { consumeDeadLetters, consumeDeliveries, DELIVERIES_DLQ, enqueueDeliveries, type DeliveryMessage } from './deliveries-queue.js';
import { workersClientAddress } from './client-address.js';
import { createApp } from '../../http/app.js';
import { SYSTEM_ACTOR } from '../../core/domain/roles.js';
import { refreshElementsFromFeed } from '../../core/services/satellites.js';
import { ensureAdminToken } from '../../core/services/tokens.js';
import { runHousekeeping } from '../../core/services/housekeeping.js';
import { UNSUPPORTED_ON_WORKERS } from './probes.js';
import { configFrom, coordinatorOf, database, dispatcherFor, log, type Env } from './env.js';

export { CheckShard } from './check-shard.js';
export { Coordinator } from './coordinator.js';

/** The cron (in wrangler.toml) that also prunes history and refreshes elements; every other one rolls up. */
const DAILY_CRON = '17 3 * * *';
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Data coming in, not definitions: heartbeats and alerts, often many a second, need not wake the coordinator. */
const DATA_PATHS = /^\/api\/(push|ingest)\//;

let bootstrapped: Promise<unknown> | undefined;

/** Mints the admin token from the secret once per isolate (a no-op while an admin token exists). */
function bootstrap(env: Env): Promise<unknown> {
  bootstrapped ??= ensureAdminToken({ db: database(env), actor: SYSTEM_ACTOR, now: Date.now }, configFrom(env).adminToken).catch((err) => {
    bootstrapped = undefined;
    throw err;
  });
  return bootstrapped;
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
    organisation: cfg.organisation,
    // Counted per isolate: a guess spread over many isolates is limited less tightly than on Node.
    failedAttempts: cfg.failedAttempts,
    clientAddress: workersClientAddress,
    unsupportedCheckKinds: UNSUPPORTED_ON_WORKERS,
    // The coordinator runs the drills, beside the monitor whose marks they set.
    drills: {
      startRun: (ctx, drillId) => coordinatorOf(env).startDrill(ctx.actor, drillId),
      abortRun: (ctx, runId, reason) => coordinatorOf(env).abortDrill(ctx.actor, runId, reason),
    },
  });
  return app;
}

export default {
  async fetch(request, env, ctx) {
    if (configFrom(env).adminToken) await bootstrap(env);
    const response = await appFor(env).fetch(request, env, ctx);
    // A write may have changed what is monitored: the coordinator reloads and reassigns its shards now.
    const write = !READS.has(request.method) && !DATA_PATHS.test(new URL(request.url).pathname);
    if (write && response.status < 400) ctx.waitUntil(coordinatorOf(env).definitionsChanged());
    return response;
  },

  async scheduled(controller, env, ctx) {
    const cfg = configFrom(env);
    if (cfg.adminToken) await bootstrap(env);
    // The monitor runs in the coordinator; the trigger only makes sure it is awake.
    ctx.waitUntil(coordinatorOf(env).wake());
    const daily = controller.cron === DAILY_CRON;
    const summary = await runHousekeeping(database(env), {
      now: controller.scheduledTime,
      retentionDays: cfg.retentionDays,
      prune: daily,
      dispatcher: dispatcherFor(env),
      requeue: (ids) => enqueueDeliveries(env.DELIVERIES, ids),
    });
    log(`housekeeping ${new Date(controller.scheduledTime).toISOString()}: ${JSON.stringify(summary)}`);
    if (daily && cfg.elementsUrl) {
      const refreshed = await refreshElementsFromFeed({ db: database(env), actor: SYSTEM_ACTOR, now: Date.now }, cfg.elementsUrl);
      log(`orbital elements refreshed from ${cfg.elementsUrl}: ${JSON.stringify(refreshed)}`);
    }
  },

  async queue(batch, env) {
    if (batch.queue === DELIVERIES_DLQ) await consumeDeadLetters(batch, dispatcherFor(env));
    else await consumeDeliveries(batch, dispatcherFor(env), log);
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
