// The Node host: embedded SQLite, the HTTP server, the running monitor, the demo fleet and the
// housekeeping schedule (croner timers).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Cron } from 'croner';
import { createApp, type AppDeps } from '../../http/app.js';
import { loadConfig, type AppConfig } from '../config.js';
import { asc } from 'drizzle-orm';
import type { Db } from '../../core/store/client.js';
import { statusPages } from '../../core/store/schema/index.js';
import { openSqlite, WRITER_PAGE_CACHE_KIB } from './sqlite.js';
import type { DemoFleet } from './demo/fleet.js';
import { startDemoFleetFor } from './demo/fleet-from-store.js';
import { startOutbox } from './outbox-loop.js';
import { AppError } from '../../core/domain/errors.js';
import { SYSTEM_ACTOR } from '../../core/domain/roles.js';
import { closeInterruptedRuns, DrillRunner } from '../../core/drills/runner.js';
import { LiveMonitor } from '../../core/monitor/live-monitor.js';
import { AgentIntake } from '../../core/monitor/agent-intake.js';
import { startDemoAgents } from './demo/site-agents.js';
import { seedIfEmpty } from '../../core/services/bootstrap.js';
import type { ServiceContext } from '../../core/services/context.js';
import { refreshElementsFromFeed } from '../../core/services/satellites.js';
import { ensureAdminToken } from '../../core/services/tokens.js';
import { createNodeMetrics } from './metrics.js';
import { everyMinuteAfterStart, startHistoryHousekeeper } from './history-housekeeping.js';
import { createNodeProbeRuntime } from './probes.js';
import { nodeClientAddress } from './client-address.js';
import { closeAfterRefusedBody } from './refused-body.js';
import { startAlliedFollower } from './allied-follower.js';
import { defaultProbeThreads, NodeProbeThreads } from './probe-threads/pool.js';

const log = (message: string) => console.log(`[coopwatch] ${message}`);

export async function startNode(config: AppConfig) {
  const { sqlite, db, ctx, writable } = openDatabase(config);
  const monitoring = config.monitor && writable;

  const demoUrl = `http://127.0.0.1:${config.demoPort}`;
  if (writable) await prepareData(ctx, config, demoUrl);

  const outbox = writable ? startOutbox(db, config, log) : undefined;
  let fleet: DemoFleet | undefined;
  const ports = monitorPorts();
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
    organisation: config.organisation,
    swaggerAssets: serveStatic({ root: swaggerRoot, rewriteRequestPath: (p) => p.replace(/^\/vendor\/swagger-ui-dist/, '') }),
    ...(monitoring ? ports.deps : {}),
    ...(config.demo ? { demoFleet: { setFault: (key, mode) => fleet?.setFault(key, mode), faults: () => fleet?.faults() ?? {} } } : {}),
  });
  const statusPath = await statusPagePath(db);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: closeAfterRefusedBody(app.fetch), port: config.port, hostname: config.host }, (info) => {
      const base = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
      const pages = [`sign in at ${base}/login`, ...(statusPath ? [`status page ${base}${statusPath}`] : []), `API docs at ${base}/docs`];
      log(`listening on ${base} (database ${config.databaseFile}); ${pages.join(', ')}`);
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
  const { live, runner } = monitoring ? await startMonitoring(db, config, probes, metrics) : {};
  ports.started.runner = runner;
  if (live) ports.started.intake = new AgentIntake(live, Date.now);
  const agents = config.demo && monitoring
    ? await startDemoAgents(ctx, `http://127.0.0.1:${apiPort}`, path.dirname(path.resolve(config.databaseFile)), log)
    : undefined;
  if (agents?.names.length) log(`demo probe agents ${agents.names.join(', ')} running on this machine (see "Running a probe agent at a site" in the README)`);

  const housekeeping = writable ? startHousekeeping(ctx, sqlite, config) : undefined;
  const follower = writable ? startAlliedFollower(ctx, { intervalMs: config.followIntervalMs, log }) : undefined;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 5000).unref();
    await housekeeping?.stop();
    await follower?.stop();
    runner?.stop();
    await agents?.stop();
    await outbox?.stop();
    await live?.stop();
    await probes.close();
    await fleet?.close();
    server.close(async () => {
      // The checkpoint thread's connection closes first, so this one is the last: SQLite then
      // merges the WAL and removes it and its -shm, leaving the database one file.
      await sqlite.checkpointer?.stop();
      sqlite.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  return { server, sqlite, live, fleet, stop };
}

/** The SQLite file, with its storage problems logged as they come and go. */
function openDatabase(config: AppConfig) {
  const sqlite = openSqlite(config.databaseFile, { checkpointThread: true, pageCacheKiB: WRITER_PAGE_CACHE_KIB, log });
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
  return { sqlite, db, ctx, writable };
}

/** The first admin token, and the seed in an empty database. */
async function prepareData(ctx: ServiceContext, config: AppConfig, demoUrl: string): Promise<void> {
  const minted = await ensureAdminToken(ctx, config.adminToken);
  if (minted && !config.adminToken) log(`created the first admin token (shown once, keep it safe):\n\n    ${minted}\n`);
  else if (minted) log('created the first admin token from COOPWATCH_ADMIN_TOKEN');

  if (config.seedFile) {
    const seeded = await seedIfEmpty(ctx, fs.readFileSync(config.seedFile, 'utf8'), { DEMO_FLEET_URL: demoUrl });
    if (seeded) {
      const { assets: a, functions: f, checks: c } = seeded.created;
      log(`empty database: loaded ${config.seedFile} (${a.length} assets, ${f.length} mission functions, ${c.length} checks)`);
    }
  }
}

/** The monitor's ports for the app, built before the monitor starts: they answer 503 until it has. */
function monitorPorts() {
  const started: { runner?: DrillRunner; intake?: AgentIntake } = {};
  const ready = <T>(value: T | undefined, what: string): T => {
    if (!value) throw new AppError(503, 'unavailable', `${what} is still starting; try again in a moment`);
    return value;
  };
  const deps: Pick<AppDeps, 'drills' | 'vantageIntake'> = {
    drills: {
      startRun: (c, id) => ready(started.runner, 'The drill runner').startRun(c, id),
      abortRun: (c, id, why) => ready(started.runner, 'The drill runner').abortRun(c, id, why),
    },
    vantageIntake: { submitBatch: (batch) => ready(started.intake, 'The monitor').submitBatch(batch) },
  };
  return { started, deps };
}

/** Drills cut short by the last stop are rolled back, then the monitor and the drill runner start. */
async function startMonitoring(db: Db, config: AppConfig, probes: ReturnType<typeof createNodeProbeRuntime>, metrics: ReturnType<typeof createNodeMetrics>) {
  const settling = await closeInterruptedRuns({ db, log });
  const threads = config.probeThreads ?? defaultProbeThreads();
  const probeThreads = threads > 0 ? new NodeProbeThreads({ threads, concurrency: config.checkConcurrency, log }) : undefined;
  const live = await LiveMonitor.start({ db, probeContext: probes.context, probeThreads, concurrency: config.checkConcurrency, drillMarks: settling, log, ...metrics.hooks });
  metrics.attach(live, probeThreads);
  log(`monitoring ${live.checksScheduled} checks${probeThreads ? ` (network probes on ${threads} probe thread${threads === 1 ? '' : 's'}; COOPWATCH_PROBE_THREADS)` : ''}`);
  const runner = new DrillRunner({ db, live, settling, log });
  runner.start();
  return { live, runner };
}

/** Rollups and pruning every minute; orbital elements from their feed every six hours, if one is set. */
function startHousekeeping(ctx: ServiceContext, database: { db: Db; file: string }, config: AppConfig): { stop(): Promise<void> } {
  const historyKeeper = startHistoryHousekeeper(database, { retentionDays: config.retentionDays, retentionMaxBytes: config.retentionMaxBytes, log });
  const history = everyMinuteAfterStart(async () => {
    try {
      await historyKeeper.run();
    } catch (err) {
      log(`housekeeping failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });

  const elementsRefresh = config.elementsUrl
    ? new Cron('17 */6 * * *', { protect: true }, async () => {
        try {
          const refreshed = await refreshElementsFromFeed(ctx, config.elementsUrl!);
          log(`orbital elements refreshed from ${config.elementsUrl}: ${JSON.stringify(refreshed)}`);
        } catch (err) {
          log(`orbital elements refresh failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      })
    : undefined;

  return {
    async stop() {
      history.stop();
      elementsRefresh?.stop();
      await historyKeeper.stop();
    },
  };
}

/** The status page the startup log points at: `public` when there is one, else the first. */
async function statusPagePath(db: Db): Promise<string | null> {
  const slugs = (await db.select({ slug: statusPages.slug }).from(statusPages).orderBy(asc(statusPages.id))).map((page) => page.slug);
  const slug = slugs.includes('public') ? 'public' : slugs[0];
  return slug === undefined ? null : `/status/${slug}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await startNode(loadConfig(process.env));
  } catch (err) {
    console.error(`[coopwatch] cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

