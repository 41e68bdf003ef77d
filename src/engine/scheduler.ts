import type { Observation } from '../../checks/types.js';
import { DEFAULT_INTERVAL_SECONDS } from '../domain/checks.js';
import { nextCronTime } from './cron.js';
import type { CheckDefinition, ObservationRecord } from './monitor.js';
import { MinHeap } from './priority-queue.js';

export interface SchedulerOptions {
  /** Probes in flight at once, across all checks. */
  concurrency: number;
  now: () => number;
  /** Runs one probe; null means there was nothing to observe (an idle antenna between passes). */
  runCheck: (def: CheckDefinition, signal: AbortSignal) => Promise<Observation | null>;
  onResult: (record: ObservationRecord) => void;
  /** Called for every run with how late it started (actual start − due time). */
  onStart?: (lagMs: number, def: CheckDefinition) => void;
}

interface Entry {
  def: CheckDefinition;
  dueAt: number;
  running: boolean;
  /** Bumped when the definition changes, so stale queue items are skipped. */
  generation: number;
}

/** How long a probe that ignores its abort signal is given before it is reported as timed out. */
const ABORT_GRACE_MS = 1_000;
const MAX_IDLE_WAIT_MS = 1_000;

/**
 * Runs checks when they are due. Due times sit in a min-heap, so each wake-up costs O(log n)
 * however many checks there are. First runs are spread across each check's interval by a
 * stable hash of its id, so a restart or a large fleet never fires everything at once. A check
 * is rescheduled only when its run finishes: one check never runs twice at the same time.
 */
export class CheckScheduler {
  private queue = new MinHeap<{ checkId: number; generation: number }>();
  private entries = new Map<number, Entry>();
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private controllers = new Set<AbortController>();

  constructor(private readonly options: SchedulerOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Brings the schedule in line with the definitions: adds new checks, drops removed ones. */
  sync(defs: readonly CheckDefinition[]): void {
    const now = this.options.now();
    const seen = new Set<number>();
    for (const def of defs) {
      if (!def.enabled) continue;
      seen.add(def.id);
      const entry = this.entries.get(def.id);
      if (entry && sameSchedule(entry.def, def)) {
        entry.def = def;
        continue;
      }
      const dueAt = firstDueTime(def, now);
      if (entry) {
        // Changed while known: update in place, so a run in flight still finds its entry and
        // hands over to the new schedule when it ends (it is queued then, not now: one run at a time).
        entry.def = def;
        entry.dueAt = dueAt;
        entry.generation++;
        if (!entry.running) this.queue.push(dueAt, { checkId: def.id, generation: entry.generation });
        continue;
      }
      this.entries.set(def.id, { def, dueAt, running: false, generation: 1 });
      this.queue.push(dueAt, { checkId: def.id, generation: 1 });
    }
    for (const id of [...this.entries.keys()]) if (!seen.has(id)) this.entries.delete(id);
    if (this.running) this.pump();
  }

  start(): void {
    this.running = true;
    this.pump();
  }

  /** Stops scheduling and aborts probes in flight. */
  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const controller of this.controllers) controller.abort();
  }

  private pump(): void {
    if (!this.running) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const now = this.options.now();
    while (this.inFlight < this.options.concurrency) {
      const dueAt = this.queue.peekKey();
      if (dueAt === undefined || dueAt > now) break;
      const { value } = this.queue.pop()!;
      const entry = this.entries.get(value.checkId);
      if (!entry || entry.generation !== value.generation || entry.running) continue;
      this.launch(entry, now);
    }
    const next = this.queue.peekKey();
    if (this.inFlight < this.options.concurrency) {
      const wait = next === undefined ? MAX_IDLE_WAIT_MS : Math.min(Math.max(next - this.options.now(), 0), MAX_IDLE_WAIT_MS);
      this.timer = setTimeout(() => this.pump(), wait);
    }
  }

  private launch(entry: Entry, now: number): void {
    const { def } = entry;
    entry.running = true;
    this.inFlight++;
    this.options.onStart?.(now - entry.dueAt, def);
    const startedAt = now;
    const generation = entry.generation;
    this.probe(def)
      .then((observation) => {
        if (observation && this.entries.get(def.id)?.generation === generation) {
          this.options.onResult({ checkId: def.id, at: startedAt, observation });
        }
      })
      .finally(() => {
        this.inFlight--;
        entry.running = false;
        if (this.entries.get(def.id) === entry) {
          // Same schedule: the next run after this one. Changed meanwhile: the new schedule's first run.
          if (entry.generation === generation) entry.dueAt = nextDueTime(def, entry.dueAt, this.options.now());
          this.queue.push(entry.dueAt, { checkId: def.id, generation: entry.generation });
        }
        this.pump();
      });
  }

  /** Runs the probe under its timeout; a probe that throws or hangs is reported as down. */
  private async probe(def: CheckDefinition): Promise<Observation | null> {
    const controller = new AbortController();
    this.controllers.add(controller);
    const abortTimer = setTimeout(() => controller.abort(), def.timeoutMs);
    let hardTimer: ReturnType<typeof setTimeout> | undefined;
    const hardTimeout = new Promise<Observation>((resolve) => {
      hardTimer = setTimeout(
        () => resolve({ status: 'down', latencyMs: null, message: `timed out after ${def.timeoutMs} ms` }),
        def.timeoutMs + ABORT_GRACE_MS,
      );
    });
    try {
      return await Promise.race([this.options.runCheck(def, controller.signal), hardTimeout]);
    } catch (err) {
      return { status: 'down', latencyMs: null, message: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(abortTimer);
      clearTimeout(hardTimer);
      this.controllers.delete(controller);
    }
  }
}

function intervalMs(def: CheckDefinition): number {
  return (def.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
}

function sameSchedule(a: CheckDefinition, b: CheckDefinition): boolean {
  return a.intervalSeconds === b.intervalSeconds && a.cron === b.cron && a.timezone === b.timezone;
}

/** A stable offset in [0, 1) from the check id: the phase of the check within its interval. */
function phase(id: number): number {
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

export function firstDueTime(def: CheckDefinition, now: number): number {
  if (def.cron) return nextCronTime(def.cron, def.timezone, now) ?? now + intervalMs(def);
  const interval = intervalMs(def);
  // A pushing asset gets one full window after a (re)start before its silence counts.
  if (def.kind === 'push') return now + interval;
  return now + Math.floor(phase(def.id) * interval);
}

/** The next due time; a check that fell behind skips the runs it missed rather than bursting. */
export function nextDueTime(def: CheckDefinition, lastDue: number, now: number): number {
  if (def.cron) return nextCronTime(def.cron, def.timezone, Math.max(now, lastDue)) ?? now + intervalMs(def);
  const interval = intervalMs(def);
  const next = lastDue + interval;
  return next >= now ? next : now + ((next - now) % interval) + interval;
}
