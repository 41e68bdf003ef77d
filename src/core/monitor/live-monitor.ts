import { and, eq, gt, inArray, max, ne, or } from 'drizzle-orm';
import type { ProbeContext } from '../../../checks/types.js';
import { commitAtomically, type Db, type Statement } from '../store/client.js';
import { events, satellites } from '../store/schema/index.js';
import { MONITOR_RELOAD_EVENT_TYPES } from '../domain/events.js';
import { createCheckRunner } from './check-runner.js';
import { storedCheckInputs } from './stored-inputs.js';
import type { ObservationRecord } from './check-definition.js';
import type { DrillMarks } from './fleet-state.js';
import { Monitor, MONITOR_ACTOR } from './monitor.js';
import { PassCalendar } from './pass-calendar.js';
import { needsOnlyNetwork, type ProbeResults, type ProbeThreads } from './probe-assignment.js';
import { readProbeAssignment } from './stored-probes.js';
import { CheckScheduler } from './scheduler.js';

const OFFICER_INCIDENT_CHANGES = ['incident.opened', 'incident.resolved', 'incident.reopened', 'incident.edited'];

export interface LiveMonitorOptions {
  db: Db;
  probeContext: (signal: AbortSignal) => ProbeContext;
  concurrency?: number;
  now?: () => number;
  /** Default 100 ms: at 10,000 checks/s a flush of 1,000 results commits in well under 50 ms (README, soak). */
  flushIntervalMs?: number;
  syncIntervalMs?: number;
  /** Results waiting beyond this many are flushed at once rather than at the next tick. */
  maxBatch?: number;
  /** Drill marks to hold from the first assessment on (runs a restart closed; see SettlingRun). */
  drillMarks?: ReadonlyArray<{ runId: number; marks: DrillMarks }>;
  /** false: probe nothing here, only take results from elsewhere (the Workers coordinator, whose shards probe). */
  runsChecks?: boolean;
  /** Where network-only checks run instead of this thread (the Node host's probe threads). */
  probeThreads?: ProbeThreads;
  /**
   * Takes up what the last process left running (the Workers coordinator: drills in progress)
   * before anything is assessed, so a drill's simulated outage never reads as a real recovery.
   */
  takeUp?: (monitor: Monitor) => Promise<void>;
  /** Called after definitions were (re)loaded: at start and after each change. */
  onDefinitions?: (monitor: Monitor) => void;
  onStart?: (lagMs: number) => void;
  onFlush?: (records: readonly ObservationRecord[], durationMs: number) => void;
  log?: (message: string) => void;
}

/**
 * The monitor, running: the scheduler probes, results gather in memory and are written in
 * batched transactions together with the state changes, events and incidents they cause.
 * Definition changes (from the API, the CLI, another process) are picked up from the events.
 */
export class LiveMonitor {
  readonly scheduler: CheckScheduler;
  readonly passes = new PassCalendar();
  private buffer: ObservationRecord[] = [];
  /** Rows to commit with the buffered results (agents' batch ids), and who waits for that commit. */
  private companions: Array<(db: Db) => Statement> = [];
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing: Promise<void> = Promise.resolve();
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private lastConfigEventId = 0;
  /** Why the last flush failed; null while results are recorded. */
  private failing: string | null = null;
  /** Why the last look for definition changes failed; null while they are picked up. */
  private syncFailing: string | null = null;
  private readonly now: () => number;

  private constructor(private readonly options: LiveMonitorOptions, readonly monitor: Monitor) {
    this.now = options.now ?? Date.now;
    const runCheck = createCheckRunner({
      probeContext: options.probeContext,
      ...storedCheckInputs(options.db),
      asset: (id) => this.monitor.assetFacts(id),
      passes: this.passes,
      now: this.now,
    });
    this.scheduler = new CheckScheduler({
      concurrency: options.concurrency ?? 256,
      now: this.now,
      runCheck,
      onResult: (record) => {
        this.buffer.push(record);
        this.flushIfFull();
      },
      onStart: options.onStart ? (lag) => options.onStart!(lag) : undefined,
    });
  }

  get db(): Db {
    return this.options.db;
  }

  static async start(options: LiveMonitorOptions): Promise<LiveMonitor> {
    const now = (options.now ?? Date.now)();
    const threads = options.runsChecks !== false ? options.probeThreads : undefined;
    // First: a definition changed while the fleet is read is read again by the first sync.
    const [latest] = await options.db.select({ id: max(events.id) }).from(events);
    // The settings of the probe threads' checks are the threads' alone.
    const monitor = await Monitor.load(options.db, now, { settingsHeldElsewhere: threads ? (kind) => needsOnlyNetwork({ kind }) : undefined });
    for (const { runId, marks } of options.drillMarks ?? []) monitor.setDrill(runId, marks);
    await options.takeUp?.(monitor);
    const live = new LiveMonitor(options, monitor);
    live.lastConfigEventId = latest?.id ?? 0;
    await live.loadSatellites();
    await commitAtomically(options.db, monitor.planReassessment(options.db, now));
    live.definitionsLoaded();
    if (options.runsChecks !== false) {
      live.scheduler.start();
      threads?.start((results) => live.takeThreadResults(results));
    }
    live.timers.push(setInterval(() => void live.flush(), options.flushIntervalMs ?? 100));
    live.timers.push(setInterval(() => void live.syncDefinitionsOrSayWhy(), options.syncIntervalMs ?? 1000));
    return live;
  }

  /**
   * Adds results from elsewhere (a probe agent's batch) to the next flush, with rows to commit in
   * the same transaction; resolves when that flush has committed them, rejects if it failed.
   */
  record(records: readonly ObservationRecord[], companion: (db: Db) => Statement): Promise<void> {
    for (const record of records) this.buffer.push(record);
    this.companions.push(companion);
    const committed = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushIfFull();
    return committed;
  }

  /** Checks on the schedule, here and on probe threads. */
  get checksScheduled(): number {
    return this.scheduler.size + (this.options.probeThreads?.size ?? 0);
  }

  /** Probes running now, here and on probe threads (as they last reported). */
  get probesInFlight(): number {
    return this.scheduler.inFlightCount + (this.options.probeThreads?.inFlight ?? 0);
  }

  private takeThreadResults({ records, lagsMs }: ProbeResults): void {
    const { onStart } = this.options;
    if (onStart) for (const lag of lagsMs) onStart(lag);
    for (const record of records) this.buffer.push(record);
    this.flushIfFull();
  }

  /** Results waiting beyond `maxBatch` are written now rather than at the next tick. */
  private flushIfFull(): void {
    if (this.buffer.length >= (this.options.maxBatch ?? 5000)) void this.flush();
  }

  /** Writes the results gathered so far; flushes never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const records = this.buffer;
      const companions = this.companions;
      const waiters = this.waiters;
      this.buffer = [];
      this.companions = [];
      this.waiters = [];
      const now = this.now();
      const started = performance.now();
      try {
        const { db } = this.options;
        await commitAtomically(db, [...this.monitor.planObservations(db, records, now), ...companions.map((row) => row(db))]);
        for (const waiter of waiters) waiter.resolve();
        this.options.onFlush?.(records, performance.now() - started);
        if (this.failing) this.options.log?.('check results are recorded again');
        this.failing = null;
      } catch (err) {
        for (const waiter of waiters) waiter.reject(err);
        // Said once per kind of failure, not four times a second while the disk is full.
        const message = err instanceof Error ? err.message : String(err);
        if (message !== this.failing) this.options.log?.(`could not record check results (${records.length} dropped; more are dropped until it recovers): ${message}`);
        this.failing = message;
        await this.monitor.reload(this.options.db, now).catch(() => undefined);
      }
    });
    return this.flushing;
  }

  /** Re-evaluates every asset now (after a drill changed what is simulated), in turn with flushes. */
  reassess(): Promise<void> {
    const done = this.flushing.then(async () => {
      const now = this.now();
      await commitAtomically(this.options.db, this.monitor.planReassessment(this.options.db, now));
    });
    // A failure is the caller's to handle; it must not stop the flushes queued behind it.
    this.flushing = done.catch(() => this.monitor.reload(this.options.db, this.now()).catch(() => undefined));
    return done;
  }

  /**
   * Picks up definition changes recorded as events since the last look, and officers' changes
   * to incidents (opened, resolved or reopened by hand, affected components edited), which the
   * correlation of later failures must see.
   */
  async syncDefinitions(): Promise<void> {
    const { db } = this.options;
    const changes = await db
      .select({ id: max(events.id) })
      .from(events)
      .where(and(
        gt(events.id, this.lastConfigEventId),
        or(inArray(events.type, MONITOR_RELOAD_EVENT_TYPES), and(inArray(events.type, OFFICER_INCIDENT_CHANGES), ne(events.actor, MONITOR_ACTOR.name))),
      ));
    const latest = changes[0]?.id;
    if (!latest) return;
    await this.flush();
    const now = this.now();
    await this.monitor.reload(db, now);
    await this.loadSatellites();
    await commitAtomically(db, this.monitor.planReassessment(db, now));
    this.definitionsLoaded();
    // Only now: a change whose reassessment could not be written (a full disk) is taken up again next time.
    this.lastConfigEventId = latest;
  }

  /** The timer's call: a failure (the database cannot be written) is logged once and tried again on the next tick. */
  private async syncDefinitionsOrSayWhy(): Promise<void> {
    try {
      await this.syncDefinitions();
      if (this.syncFailing) this.options.log?.('definition changes are picked up again');
      this.syncFailing = null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.syncFailing) this.options.log?.(`could not pick up definition changes (tried again every second): ${message}`);
      this.syncFailing = message;
    }
  }

  private definitionsLoaded(): void {
    if (this.options.runsChecks !== false) {
      const defs = this.monitor.centralDefinitions();
      const threads = this.options.probeThreads;
      if (threads) {
        const ids = defs.flatMap((def) => (def.enabled && needsOnlyNetwork(def) ? [def.id] : []));
        void threads.assign(ids, (wanted) => readProbeAssignment(this.options.db, wanted));
        this.scheduler.sync(defs.filter((def) => !needsOnlyNetwork(def)));
      } else {
        this.scheduler.sync(defs);
      }
    }
    this.options.onDefinitions?.(this.monitor);
  }

  private async loadSatellites(): Promise<void> {
    this.passes.setSatellites(await this.options.db.select().from(satellites));
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.scheduler.stop();
    await this.options.probeThreads?.stop();
    await this.flush();
  }
}
