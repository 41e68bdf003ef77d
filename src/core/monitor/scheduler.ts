import { DEFAULT_INTERVAL_SECONDS } from '../domain/checks.js';
import { nextCronTime } from '../domain/schedules.js';
import type { CheckOutcome, ObservationRecord, ProbeDefinition } from './check-definition.js';
import { IdIndex } from './id-index.js';
import { checkPhase } from './phase.js';
import { MinHeap } from './priority-queue.js';

export interface SchedulerOptions {
  /** Probes in flight at once, across all checks. */
  concurrency: number;
  now: () => number;
  /** Runs one probe; null means there is nothing to report. */
  runCheck: (def: ProbeDefinition, signal: AbortSignal) => Promise<CheckOutcome | null>;
  /** `dueAt`: when the run was due (its start may be later). */
  onResult: (record: ObservationRecord, dueAt: number) => void;
  /** Called for every run with how late it started (actual start − due time). */
  onStart?: (lagMs: number, def: ProbeDefinition) => void;
  /**
   * Launch due runs in batches at most this often (ms), rather than each at its own due time.
   * At thousands of runs a second, a wake-up per run costs more than the run: its own timer
   * turn, socket write and poll. A run may start up to this much late. 0: each when due.
   * Runs started in one batch with the same timeout share one abort signal and its timer.
   */
  launchEveryMs?: number;
}

/** Where a scheduler that stopped left its checks: the due time of each one's last delivered run, and when it started. */
export interface Resume {
  lastDue: ReadonlyMap<number, number>;
  since: number;
}

/** What a check's due times follow. */
type CheckSchedule = Pick<ProbeDefinition, 'id' | 'kind' | 'intervalSeconds' | 'cron' | 'timezone'>;

/** Entry.flags */
const RUNNING = 1;
/** In the queue at `dueAt`: a queue item is current only while this is set and its key is `dueAt`. */
const QUEUED = 2;
/** Dropped from the schedule; a run in flight ends without reporting or rescheduling. */
const REMOVED = 4;

/** One scheduled check: four fields (memory per configured check counts at 100,000 checks). */
interface Entry {
  def: ProbeDefinition;
  dueAt: number;
  /** Bumped when the definition changes, so a run of the old definition reports nothing. */
  generation: number;
  flags: number;
}

/** One probe in flight. */
interface Run {
  entry: Entry;
  generation: number;
  startedAt: number;
  controller: AbortController;
  abortTimer: ReturnType<typeof setTimeout> | undefined;
  /** The batch it started in (launchEveryMs only). */
  group: LaunchGroup | null;
  /** Monotonic time after which a probe that ignored its abort signal is reported as timed out. */
  hardDeadline: number;
  settled: boolean;
}

/** Runs started together with the same timeout: one controller, aborted by one timer. */
interface LaunchGroup {
  at: number;
  timeoutMs: number;
  controller: AbortController;
  timer: ReturnType<typeof setTimeout>;
  /** Its runs not yet ended. */
  open: number;
}

/** How long a probe that ignores its abort signal is given before it is reported as timed out. */
export const ABORT_GRACE_MS = 1_000;
const MAX_IDLE_WAIT_MS = 1_000;
/** How often runs past their hard deadline are looked for (one timer for all, not one per run). */
const SWEEP_INTERVAL_MS = 250;

const abortRun = (run: Run) => run.controller.abort();

/**
 * Runs checks when they are due. Due times sit in a min-heap, so each wake-up costs O(log n)
 * however many checks there are. First runs are spread across each check's interval by a
 * stable hash of its id, so a restart or a large fleet never fires everything at once. A check
 * is rescheduled only when its run finishes: one check never runs twice at the same time.
 *
 * The hot path allocates little: the heap holds the entries themselves (a stale item is one whose
 * entry is no longer queued at that time), and one sweep timer, not a timer per run, catches
 * probes that ignore their abort signal.
 */
export class CheckScheduler {
  private queue = new MinHeap<Entry>();
  /** By check id; rebuilt by each sync (definitions change rarely, lookups on the hot path are none). */
  private entries = new IdIndex<Entry>();
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the pump timer fires (options.now() time), while it is set. */
  private timerAt = Infinity;
  private sweeper: ReturnType<typeof setInterval> | null = null;
  private running = false;
  private runs = new Set<Run>();
  /** The abort group of the batch being launched (launchEveryMs only). */
  private group: LaunchGroup | null = null;
  /** Groups whose timer is still set. */
  private groups = new Set<LaunchGroup>();

  constructor(private readonly options: SchedulerOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  /**
   * Brings the schedule in line with the definitions: adds new checks, drops removed ones.
   * `resume`: the checks were run by a scheduler before this one, which stopped (a probe thread
   * that died); each new check goes on from that one's last delivered run (resumeDueTime).
   */
  sync(defs: readonly ProbeDefinition[], resume?: Resume): void {
    const now = this.options.now();
    const kept: Array<readonly [number, Entry]> = [];
    const previous = this.entries;
    const seen = new Set<Entry>();
    for (const def of defs) {
      if (!def.enabled) continue;
      const entry = previous.get(def.id);
      if (entry && !seen.has(entry)) {
        seen.add(entry);
        kept.push([def.id, entry]);
        if (sameSchedule(entry.def, def)) {
          entry.def = def;
          continue;
        }
        // Changed while known: update in place, so a run in flight still finds its entry and
        // hands over to the new schedule when it ends (it is queued then, not now: one run at a time).
        entry.def = def;
        entry.dueAt = firstDueTime(def, now);
        entry.generation++;
        if (!(entry.flags & RUNNING)) this.enqueue(entry);
        continue;
      }
      const dueAt = resume ? resumeDueTime(def, resume.lastDue.get(def.id), resume.since) : firstDueTime(def, now);
      const created: Entry = { def, dueAt, generation: 1, flags: 0 };
      kept.push([def.id, created]);
      this.enqueue(created);
    }
    for (const entry of previous.values()) if (!seen.has(entry)) entry.flags |= REMOVED;
    this.entries = new IdIndex(kept);
    if (this.running) this.pump();
  }

  /** A run ended or the schedule changed: launch what is due now, or at the next batch. */
  private wake(): void {
    if (!this.running) return;
    if (this.options.launchEveryMs) this.arm(this.options.now(), this.options.launchEveryMs);
    else this.pump();
  }

  start(): void {
    this.running = true;
    this.pump();
  }

  /** Stops scheduling and aborts probes in flight. */
  stop(): void {
    this.running = false;
    this.clearTimer();
    for (const run of this.runs) run.controller.abort();
    for (const group of this.groups) clearTimeout(group.timer);
    this.groups.clear();
    this.group = null;
  }

  private enqueue(entry: Entry): void {
    entry.flags |= QUEUED;
    this.queue.push(entry.dueAt, entry);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private pump(): void {
    if (!this.running) return;
    const { concurrency } = this.options;
    const now = this.options.now();
    while (this.inFlight < concurrency) {
      const dueAt = this.queue.peekKey();
      if (dueAt === undefined || dueAt > now) break;
      const entry = this.queue.popValue()!;
      if ((entry.flags & (QUEUED | RUNNING | REMOVED)) !== QUEUED || entry.dueAt !== dueAt) continue; // stale
      this.launch(entry, now);
    }
    if (this.inFlight >= concurrency) return; // a run ending wakes it again
    const next = this.queue.peekKey();
    const wait = next === undefined ? MAX_IDLE_WAIT_MS : Math.min(Math.max(next - this.options.now(), this.options.launchEveryMs ?? 0), MAX_IDLE_WAIT_MS);
    this.arm(now, wait);
  }

  private arm(now: number, wait: number): void {
    const wakeAt = now + wait;
    // A timer that fires no later than needed is kept: re-arming one per finished run costs more.
    if (this.timer && this.timerAt <= wakeAt) return;
    this.clearTimer();
    this.timerAt = wakeAt;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.pump();
    }, wait);
  }

  private launch(entry: Entry, now: number): void {
    const { def } = entry;
    entry.flags = (entry.flags | RUNNING) & ~QUEUED;
    this.inFlight++;
    this.options.onStart?.(now - entry.dueAt, def);
    const group = this.options.launchEveryMs ? this.joinGroup(now, def.timeoutMs) : null;
    const run: Run = {
      entry,
      generation: entry.generation,
      startedAt: now,
      controller: group?.controller ?? new AbortController(),
      abortTimer: undefined,
      group,
      hardDeadline: performance.now() + def.timeoutMs + ABORT_GRACE_MS,
      settled: false,
    };
    if (!this.options.launchEveryMs) run.abortTimer = setTimeout(abortRun, def.timeoutMs, run);
    this.runs.add(run);
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    // A probe that throws or hangs is reported as down.
    let probe: Promise<CheckOutcome | null>;
    try {
      probe = this.options.runCheck(def, run.controller.signal);
    } catch (err) {
      probe = Promise.reject(err);
    }
    probe.then(
      (observation) => this.settle(run, observation),
      (err) => this.settle(run, { status: 'down', latencyMs: null, message: err instanceof Error ? err.message : String(err) }),
    );
  }

  /** The group of a run starting now with this timeout, counting the run in it. */
  private joinGroup(now: number, timeoutMs: number): LaunchGroup {
    const current = this.group;
    if (current && current.at === now && current.timeoutMs === timeoutMs) {
      current.open++;
      return current;
    }
    const group: LaunchGroup = { at: now, timeoutMs, controller: new AbortController(), open: 1, timer: setTimeout(() => this.groups.delete(group) && group.controller.abort(), timeoutMs) };
    this.groups.add(group);
    this.group = group;
    if (current) this.closeIfDone(current);
    return group;
  }

  /** A group all of whose runs ended, that none can join any more, is not aborted: an abort costs an event and an exception's stack. */
  private closeIfDone(group: LaunchGroup): void {
    if (group.open === 0 && group !== this.group && this.groups.delete(group)) clearTimeout(group.timer);
  }

  /** Reports runs that outlived their timeout and the grace after it, whatever their probe does. */
  private sweep(): void {
    const now = performance.now();
    for (const run of this.runs) {
      if (now >= run.hardDeadline) this.settle(run, { status: 'down', latencyMs: null, message: `timed out after ${run.entry.def.timeoutMs} ms` });
    }
    if (this.runs.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  /** A run's end (its probe's answer or the hard timeout, whichever is first): report, reschedule. */
  private settle(run: Run, observation: CheckOutcome | null): void {
    if (run.settled) return;
    run.settled = true;
    if (run.abortTimer !== undefined) clearTimeout(run.abortTimer);
    if (run.group) {
      run.group.open--;
      this.closeIfDone(run.group);
    }
    this.runs.delete(run);
    const { entry, generation } = run;
    const { def } = entry;
    try {
      if (observation && !(entry.flags & REMOVED) && entry.generation === generation) {
        this.options.onResult({ checkId: def.id, at: run.startedAt, observation }, entry.dueAt);
      }
    } finally {
      this.inFlight--;
      entry.flags &= ~RUNNING;
      if (!(entry.flags & REMOVED)) {
        // Same schedule: the next run after this one. Changed meanwhile: the new schedule's first run.
        if (entry.generation === generation) entry.dueAt = nextDueTime(def, entry.dueAt, this.options.now());
        this.enqueue(entry);
      }
      this.wake();
    }
  }
}

function intervalMs(def: CheckSchedule): number {
  return (def.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
}

function sameSchedule(a: CheckSchedule, b: CheckSchedule): boolean {
  return a.intervalSeconds === b.intervalSeconds && a.cron === b.cron && a.timezone === b.timezone;
}

export function firstDueTime(def: CheckSchedule, now: number): number {
  if (def.cron) return nextCronTime(def.cron, def.timezone, now) ?? now + intervalMs(def);
  const interval = intervalMs(def);
  // A pushing asset gets one full window after a (re)start before its silence counts.
  if (def.kind === 'push') return now + interval;
  // On a grid fixed to the epoch, not to the start: a restarted scheduler (a Workers shard
  // evicted and woken again) runs each check at the times it would have anyway.
  const offset = Math.floor(checkPhase(def.id) * interval);
  return now + ((((offset - now) % interval) + interval) % interval);
}

/**
 * The due time of a check taken over from a scheduler that stopped: the run after its last
 * delivered one, or its first since that scheduler started. A time already past runs at once, so
 * runs in flight when it stopped, and runs that came due while it was replaced, are not lost.
 */
export function resumeDueTime(def: CheckSchedule, lastDue: number | undefined, since: number): number {
  return lastDue === undefined ? firstDueTime(def, since) : nextDueTime(def, lastDue, lastDue);
}

/** The next due time; a check that fell behind skips the runs it missed rather than bursting. */
export function nextDueTime(def: CheckSchedule, lastDue: number, now: number): number {
  if (def.cron) return nextCronTime(def.cron, def.timezone, Math.max(now, lastDue)) ?? now + intervalMs(def);
  const interval = intervalMs(def);
  const next = lastDue + interval;
  return next >= now ? next : now + ((next - now) % interval) + interval;
}
