// One scheduled pass of the whole engine, for a host that keeps nothing in memory between runs
// (Workers: every Cron Trigger starts afresh). It loads the monitor from the database, takes up
// drills in progress, runs the checks that are due, records what they saw in one batch, advances
// the drills, rolls history up and hands new webhook deliveries to the host (Workers: a Queue)
// — the same services the Node host runs continuously.
import { eq } from 'drizzle-orm';
import type { ProbeContext } from '../../../checks/types.js';
import { commitAtomically, type Db } from '../store/client.js';
import { externalAlerts, pushHeartbeats, satellites } from '../store/schema/index.js';
import { DrillRunner } from '../drills/runner.js';
import { createCheckRunner } from '../monitor/check-runner.js';
import { nextCronTime } from '../domain/schedules.js';
import { ABORT_GRACE_MS } from '../monitor/scheduler.js';
import { DEFAULT_INTERVAL_SECONDS } from '../domain/checks.js';
import { pruneHistory, rollUpHistory } from '../monitor/history.js';
import type { CheckDefinition, ObservationRecord } from '../monitor/check-definition.js';
import { Monitor } from '../monitor/monitor.js';
import { PassCalendar } from '../monitor/pass-calendar.js';
import { forEachConcurrently } from '../domain/pool.js';

export interface ScheduledTickOptions {
  db: Db;
  /** The time the tick was scheduled for. */
  now: number;
  /** How often ticks come; a check due before the next one runs in this one. */
  periodMs: number;
  probeContext: (signal: AbortSignal) => ProbeContext;
  /** Fans new events out into deliveries and hands them to the host's delivery queue; answers how many. */
  queueDeliveries: () => Promise<number>;
  /** Checks probed at once (Workers allow six open connections per invocation). */
  concurrency: number;
  retentionDays: number;
  /** Also prune history past retention (once a day is enough). */
  prune?: boolean;
  log?: (message: string) => void;
}

export interface TickSummary {
  checksRun: number;
  drillsInProgress: number;
  deliveriesQueued: number;
}

/**
 * The monitor as the database has it, with the drills in progress taken up (their marks set
 * before anything is evaluated, so a drill's outage never reads as a real one).
 */
export async function loadEngine(db: Db, clock: () => number, options: { schedulesCheckedUntil?: number; log?: (message: string) => void } = {}) {
  const monitor = await Monitor.load(db, clock());
  const handle = { monitor, reassess: () => commitAtomically(db, monitor.planReassessment(db, clock())) };
  const runner = new DrillRunner({ db, live: handle, now: clock, ...options });
  await runner.resumeRunning();
  await handle.reassess();
  return { monitor, runner };
}

export async function runScheduledTick(options: ScheduledTickOptions): Promise<TickSummary> {
  const { db, now } = options;
  const clock = () => Math.max(now, Date.now());
  const { monitor, runner } = await loadEngine(db, clock, { schedulesCheckedUntil: now - options.periodMs, log: options.log });

  // What push and Alertmanager checks read, in one query each rather than one per check.
  const [satelliteRows, heartbeatRows, firingRows] = await Promise.all([
    db.select().from(satellites),
    db.select().from(pushHeartbeats),
    db.select({ assetId: externalAlerts.assetId, alertName: externalAlerts.alertName, summary: externalAlerts.summary })
      .from(externalAlerts).where(eq(externalAlerts.status, 'firing')),
  ]);
  const passes = new PassCalendar();
  passes.setSatellites(satelliteRows);
  const heartbeats = new Map(heartbeatRows.map((row) => [row.checkId, { at: row.at, status: row.status, message: row.message, metrics: row.metrics }]));
  const runCheck = createCheckRunner({
    probeContext: options.probeContext,
    readHeartbeat: async (checkId) => heartbeats.get(checkId) ?? null,
    firingAlerts: async (assetId) => firingRows.filter((alert) => alert.assetId === assetId),
    asset: (id) => monitor.assetFacts(id),
    passes,
    now: clock,
  });

  const due = monitor.centralDefinitions().filter((def) => isDue(def, monitor.checkState(def.id)?.lastObservedAt ?? null, now, options.periodMs));
  const records = await runAll(due, options.concurrency, async (def) => {
    const at = clock();
    return { checkId: def.id, at, observation: await probe(runCheck, def) };
  });
  await commitAtomically(db, monitor.planObservations(db, records, clock()));

  await runner.tick();
  await rollUpHistory(db, clock());
  if (options.prune) await pruneHistory(db, clock(), options.retentionDays);

  const deliveriesQueued = await options.queueDeliveries();
  return { checksRun: records.length, drillsInProgress: runner.activeRuns(), deliveriesQueued };
}

/**
 * Due in this tick: never observed, or its next time (interval after the last observation, or
 * the cron's next fire) comes before the next tick would.
 */
export function isDue(def: CheckDefinition, lastObservedAt: number | null, now: number, periodMs: number): boolean {
  if (!def.enabled) return false;
  if (lastObservedAt === null) return true;
  const next = def.cron !== null ? nextCronTime(def.cron, def.timezone, lastObservedAt) : lastObservedAt + (def.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
  return next !== null && next < now + periodMs / 2;
}

async function probe(runCheck: ReturnType<typeof createCheckRunner>, def: CheckDefinition) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${def.timeoutMs} ms`)), def.timeoutMs);
  let guard: ReturnType<typeof setTimeout> | undefined;
  try {
    // A probe that ignores its signal still ends: the guard reports it down after a grace.
    return await Promise.race([
      runCheck(def, controller.signal),
      new Promise<never>((_, reject) => {
        guard = setTimeout(() => reject(new Error(`timed out after ${def.timeoutMs} ms`)), def.timeoutMs + ABORT_GRACE_MS);
      }),
    ]);
  } catch (err) {
    return { status: 'down' as const, latencyMs: null, message: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
    if (guard !== undefined) clearTimeout(guard);
  }
}

async function runAll<T>(items: T[], concurrency: number, work: (item: T) => Promise<ObservationRecord>): Promise<ObservationRecord[]> {
  const results: ObservationRecord[] = [];
  await forEachConcurrently(items, concurrency, async (item) => {
    results.push(await work(item));
  });
  return results;
}
