// The Node host: embedded SQLite, the HTTP server, the running monitor, the demo fleet and the
// housekeeping schedule (croner timers).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { asc, isNotNull } from 'drizzle-orm';
import { Cron } from 'croner';
import { createApp } from '../../http/app.js';
import { loadConfig, type AppConfig } from '../config.js';
import type { Db } from '../../core/store/client.js';
import { assets, checks } from '../../core/store/schema/index.js';
import { openSqlite } from './sqlite.js';
import { startDemoFleet, type DemoFleet } from './demo/fleet.js';
import { AppError } from '../../core/domain/errors.js';
import { SYSTEM_ACTOR } from '../../core/domain/roles.js';
import { WebhookDispatcher } from '../../core/outbox/dispatcher.js';
import { createWebhookSender } from './webhook-sender.js';
import { closeInterruptedRuns, DrillRunner } from '../../core/drills/runner.js';
import { pruneHistory, rollUpHistory } from '../../core/monitor/history.js';
import { LiveMonitor } from '../../core/monitor/live-monitor.js';
import { seedIfEmpty } from '../../core/services/bootstrap.js';
import type { ServiceContext } from '../../core/services/context.js';
import { refreshElementsFromFeed } from '../../core/services/satellites.js';
import { ensureAdminToken } from '../../core/services/tokens.js';
import { createNodeMetrics } from './metrics.js';
import { createNodeProbeRuntime } from './probes.js';
import { nodeClientAddress } from './client-address.js';

const log = (message: string) => console.log(`[coopwatch] ${message}`);

export async function startNode(config: AppConfig) {
  const sqlite = openSqlite(config.databaseFile);
  const { db } = sqlite;
  sqlite.storage.onChange((health, previous) => {
    if (!health.writable) {
      log(`the database cannot be written: ${health.problem}. Reads are still served and /healthz says so; writes are refused with 503 and check results are not recorded until it recovers`);
    } else {
      const seconds = previous.since === null ? 0 : Math.round((Date.now() - previous.since) / 1000);
      log(`the database takes writes again (writes failed for ${seconds} s)`);
    }
  });
  const ctx: ServiceContext = { db, actor: SYSTEM_ACTOR, now: Date.now };
  // On a read-only copy nothing that writes runs: the API and pages serve what was stored.
  const writable = !sqlite.readOnly;
  if (!writable) {
    log(`${sqlite.storage.snapshot().problem}. Serving reads only; checks, drills, webhooks and housekeeping stay off until a restart finds the file writable`);
  }
  const monitoring = config.monitor && writable;

  const minted = writable ? await ensureAdminToken(ctx, config.adminToken) : null;
  if (minted && !config.adminToken) log(`created the first admin token (shown once, keep it safe):\n\n    ${minted}\n`);
  else if (minted) log('created the first admin token from COOPWATCH_ADMIN_TOKEN');

  const demoUrl = `http://127.0.0.1:${config.demoPort}`;
  if (config.seedFile && writable) {
    const seeded = await seedIfEmpty(ctx, fs.readFileSync(config.seedFile, 'utf8'), { DEMO_FLEET_URL: demoUrl });
    if (seeded) {
      const { assets: a, functions: f, checks: c } = seeded.created;
      log(`empty database: loaded ${config.seedFile} (${a.length} assets, ${f.length} mission functions, ${c.length} checks)`);
    }
  }

  const outbox = writable ? startOutbox(db, config) : undefined;
  let fleet: DemoFleet | undefined;
  let runner: DrillRunner | undefined;
  const drillsOf = () => {
    if (!runner) throw new AppError(503, 'unavailable', 'The drill runner is still starting; try again in a moment');
    return runner;
  };
  const metrics = createNodeMetrics();
  const swaggerRoot = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const app = createApp({
    database: () => db,
    maxBodyBytes: config.maxBodyBytes,
    elementsMaxAgeDays: config.elementsMaxAgeDays,
    webhooks: { allowPrivate: config.webhooks.allowPrivate, wake: () => outbox?.wake() },
    alertmanagerLabel: config.alertmanagerLabel,
    failedAttempts: config.failedAttempts,
    clientAddress: nodeClientAddress({ trustForwardedFor: config.trustForwardedFor }),
    metrics: metrics.exposition,
    swaggerAssets: serveStatic({ root: swaggerRoot, rewriteRequestPath: (p) => p.replace(/^\/vendor\/swagger-ui-dist/, '') }),
    ...(monitoring ? { drills: { startRun: (c, id) => drillsOf().startRun(c, id), abortRun: (c, id, why) => drillsOf().abortRun(c, id, why) } } : {}),
    ...(config.demo ? { demoFleet: { setFault: (key, mode) => fleet?.setFault(key, mode), faults: () => fleet?.faults() ?? {} } } : {}),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
      log(`listening on http://${info.address}:${info.port} (database ${config.databaseFile}); API docs at /docs`);
      resolve(s);
    });
  });
  const address = server.address();
  const apiPort = typeof address === 'object' && address ? address.port : config.port;

  if (config.demo) {
    fleet = await startDemoFleetFor(db, config.demoPort, `http://127.0.0.1:${apiPort}`, config.demoFailoverSeconds * 1000);
    log(`demo fleet simulating ${Object.keys(fleet.faults()).length} assets on ${fleet.url} (COOPWATCH_DEMO=0 turns it off)`);
  }

  const probes = createNodeProbeRuntime();
  // A drill cut short by the last stop is rolled back before anything is probed again.
  const settling = monitoring ? await closeInterruptedRuns({ db, log }) : [];
  const live = monitoring
    ? await LiveMonitor.start({ db, probeContext: probes.context, concurrency: config.checkConcurrency, drillMarks: settling, log, ...metrics.hooks })
    : undefined;
  if (live) {
    metrics.attach(live);
    log(`monitoring ${live.scheduler.size} checks`);
    runner = new DrillRunner({ db, live, settling, log });
    runner.start();
  }

  // protect: a run still going when the next is due makes that one skip, not overlap.
  const housekeeping = !writable ? undefined : new Cron('* * * * *', { protect: true }, async () => {
    try {
      await rollUpHistory(db, Date.now());
      await pruneHistory(db, Date.now(), config.retentionDays);
    } catch (err) {
      log(`housekeeping failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });

  const elementsRefresh = config.elementsUrl && writable
    ? new Cron('17 */6 * * *', { protect: true }, async () => {
        try {
          const refreshed = await refreshElementsFromFeed(ctx, config.elementsUrl!);
          log(`orbital elements refreshed from ${config.elementsUrl}: ${JSON.stringify(refreshed)}`);
        } catch (err) {
          log(`orbital elements refresh failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      })
    : undefined;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 5000).unref();
    housekeeping?.stop();
    elementsRefresh?.stop();
    runner?.stop();
    await outbox?.stop();
    await live?.stop();
    await probes.close();
    await fleet?.close();
    server.close(() => {
      sqlite.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  return { server, sqlite, live, fleet, stop };
}

/**
 * The demo fleet plays every asset in the database; push checks get heartbeats from it. A
 * service asset tagged `failover-primary:<key>` and `failover-alternate:<key>` gets failover
 * automation: its traffic moves to the alternate `failoverMs` after the primary goes down.
 */
async function startDemoFleetFor(db: Db, port: number, apiUrl: string, failoverMs: number): Promise<DemoFleet> {
  const rows = await db.select().from(assets).orderBy(asc(assets.id));
  const pushChecks = await db
    .select({ assetId: checks.assetId, token: checks.pushToken, intervalSeconds: checks.intervalSeconds })
    .from(checks)
    .where(isNotNull(checks.pushToken));
  const keyOf = new Map(rows.map((a) => [a.id, a.key]));
  const tagValue = (tags: string[], name: string) => tags.find((t) => t.startsWith(`${name}:`))?.slice(name.length + 1);
  const failover = rows.flatMap((a) => {
    const primary = tagValue(a.tags, 'failover-primary');
    const alternate = tagValue(a.tags, 'failover-alternate');
    return primary && alternate ? [{ functionKey: a.key, primaryAssetKey: primary, alternateAssetKey: alternate, delayMs: failoverMs }] : [];
  });
  return startDemoFleet({
    port,
    failover,
    assets: rows.map((a) => ({
      key: a.key, kind: a.kind, lat: a.lat, lon: a.lon,
      sla: { latencyMs: a.slaLatencyMs, jitterMs: a.slaJitterMs, lossPct: a.slaLossPct },
    })),
    push: pushChecks.flatMap((c) => {
      const key = keyOf.get(c.assetId);
      return key ? [{ assetKey: key, url: `${apiUrl}/api/push/${c.token}`, intervalMs: Math.max(1, Math.floor((c.intervalSeconds ?? 60) / 2)) * 1000 }] : [];
    }),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await startNode(loadConfig(process.env));
  } catch (err) {
    console.error(`[coopwatch] cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

/** Sends webhooks: fans new events out to subscriptions and delivers what is due, a few times a second. */
function startOutbox(db: Db, config: AppConfig) {
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
