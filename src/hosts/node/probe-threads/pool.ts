// The Node host's probe threads (node:worker_threads): the network-only checks split between
// them by a stable hash of the check id, each thread with its own scheduler and undici pool.
// State, SQLite and events stay on the monitor's thread, which takes the results in its flushes.
//
// The monitor's thread keeps only which checks each thread runs: their definitions are read from
// the store (stored-probes.ts) whenever a thread needs them, so each check's settings are held
// once, by the thread that probes it.
//
// A thread that dies is replaced. The new one goes on from the due time of each check's last
// delivered result, which the monitor's thread keeps: runs the dead thread had started or held
// unsent, and runs that came due while it was replaced, run at once. A dead thread's late
// messages are dropped, so no run is counted twice.
import os from 'node:os';
import v8 from 'node:v8';
import type { Worker } from 'node:worker_threads';
import { shardIndex, type ProbeResults, type ProbeThreads } from '../../../core/monitor/probe-assignment.js';
import type { ProbeAssignment } from '../../../core/monitor/stored-probes.js';
import { resumeDueTime, type Resume } from '../../../core/monitor/scheduler.js';
import { DueLog } from './due-log.js';
import { startTsThread } from '../ts-thread.js';
import type { FromProbeThread, ProbeThreadData, ToProbeThread } from './messages.js';
import { forEachDue, unpackResults } from './result-batch.js';

export interface ProbeThreadOptions {
  threads: number;
  /** Probes in flight at once on each thread. */
  concurrency: number;
  log: (message: string) => void;
}

/**
 * One fewer than the cores, but two on a two-core machine: the monitor's thread needs a fifth of a
 * core at 10,000 checks/s, and there two probe threads did the asked rate where one did not (README, Benchmarks).
 */
export function defaultProbeThreads(): number {
  return Math.max(2, os.availableParallelism() - 1);
}

const PROBE_THREAD = new URL('./probe-thread.ts', import.meta.url);
/** A thread that keeps dying is replaced after a growing pause, up to this. */
const MAX_RESTART_DELAY_MS = 5_000;
const ANSWER_WAIT_MS = 2_000;
/**
 * A probe thread's garbage is almost all short-lived (one request's objects). A young generation
 * this large lets most of it die before a scavenge: at 10,000 checks/s the process used about a
 * quarter less CPU than with V8's default or with 32 MB, in each of five pairs of runs (README, Both cores).
 */
const YOUNG_GENERATION_MB = 64;

/**
 * V8 allocates an allocation site's objects straight in the old generation once most of them
 * survived a scavenge (allocation-site pretenuring: Clifford et al., "Memento Mori: Dynamic
 * Allocation-Site-Based Optimizations", ISMM 2015). At 100,000 checks a probe thread's start-up
 * taught it that for sites whose objects then die young: each scavenge promoted 2.1 MB, and five or
 * six full mark-compacts ran in 52 s. Without it, 0.65 MB a scavenge (as at 10,000 checks) and at
 * most one (`--trace-gc`, README, Benchmarks). V8 flags are the whole process's (a worker's
 * execArgv takes none); V8 reads this one as it collects, so setting it before the threads start
 * is enough, in the service and in the bench alike.
 */
const NO_PRETENURING = '--no-allocation-site-pretenuring';

interface Slot {
  index: number;
  worker: Worker | null;
  /** The checks this thread runs. */
  ids: number[];
  /** For a thread replacing one that died, until its checks are posted to it: where the dead one left them. */
  resume: Resume | null;
  /** Bumped by each post: a slower read of the definitions for an earlier one is dropped. */
  posts: number;
  inFlight: number;
  restarts: number;
  lastStartedAt: number;
}

export class NodeProbeThreads implements ProbeThreads {
  private readonly slots: Slot[];
  private sink: ((results: ProbeResults) => void) | null = null;
  private readonly delivered = new DueLog();
  private stopping = false;
  private read: ((ids: readonly number[]) => Promise<ProbeAssignment>) | null = null;

  constructor(private readonly options: ProbeThreadOptions) {
    this.slots = Array.from({ length: Math.max(1, options.threads) }, (_, index) => ({ index, worker: null, ids: [], resume: null, posts: 0, inFlight: 0, restarts: 0, lastStartedAt: 0 }));
  }

  get size(): number {
    return this.slots.reduce((n, slot) => n + slot.ids.length, 0);
  }

  get inFlight(): number {
    return this.slots.reduce((n, slot) => n + slot.inFlight, 0);
  }

  /** The running threads (for their ids in logs, and to be stopped from outside in tests). */
  get workers(): Worker[] {
    return this.slots.flatMap((slot) => (slot.worker ? [slot.worker] : []));
  }

  /** What the threads hold in memory (JS heap and external), summed; `collect`: after a full GC, if exposed. */
  async memory(collect = false): Promise<{ heapUsed: number; external: number }> {
    const each = await Promise.all(this.workers.map((worker) => this.ask(worker, { type: 'memory', collect }, 'memory')));
    return each.reduce((sum, m) => ({ heapUsed: sum.heapUsed + (m?.heapUsed ?? 0), external: sum.external + (m?.external ?? 0) }), { heapUsed: 0, external: 0 });
  }

  async assign(ids: readonly number[], read: (ids: readonly number[]) => Promise<ProbeAssignment>): Promise<void> {
    for (const slot of this.slots) slot.ids = [];
    for (const id of ids) this.slots[shardIndex(id, this.slots.length)]!.ids.push(id);
    this.delivered.track(ids);
    this.read = read;
    await this.postAll();
  }

  /** Starts the threads. They load their code at once, and run checks once assigned some. */
  start(sink: (results: ProbeResults) => void): void {
    this.sink = sink;
    v8.setFlagsFromString(NO_PRETENURING);
    for (const slot of this.slots) this.spawn(slot, null);
    void this.postAll();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots.map((slot) => this.stopThread(slot)));
  }

  private spawn(slot: Slot, resume: Resume | null): void {
    slot.resume = resume;
    const worker = startTsThread(PROBE_THREAD, { concurrency: this.options.concurrency } satisfies ProbeThreadData, { name: `coopwatch-probes-${slot.index}`, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    slot.worker = worker;
    slot.inFlight = 0;
    slot.lastStartedAt = Date.now();
    worker.on('message', (message: FromProbeThread) => {
      if (slot.worker === worker && message.type === 'results') this.take(slot, message);
    });
    worker.on('error', (err) => this.options.log(`probe thread ${slot.index} failed: ${err.message}`));
    worker.on('exit', (code) => {
      if (slot.worker !== worker || this.stopping) return;
      slot.worker = null;
      this.replace(slot, code);
    });
  }

  private take(slot: Slot, message: Extract<FromProbeThread, { type: 'results' }>): void {
    slot.inFlight = message.inFlight;
    const { batch, lagsMs } = message;
    forEachDue(batch, (checkId, dueAt) => this.delivered.set(checkId, dueAt));
    this.sink?.({ records: unpackResults(batch), lagsMs });
  }

  /** A new thread for a dead one, going on from where the dead one left each check. */
  private replace(slot: Slot, code: number): void {
    const diedAt = Date.now();
    const lastDue = new Map<number, number>();
    for (const id of slot.ids) {
      const due = this.delivered.get(id);
      if (due !== undefined) lastDue.set(id, due);
    }
    // Where the dead one left off: the thread it replaced, if that one never got its checks.
    const resume: Resume = slot.resume ?? { lastDue, since: slot.lastStartedAt };
    // Quickly the first time; a thread that dies again soon after is given longer.
    slot.restarts = diedAt - slot.lastStartedAt < 10_000 ? slot.restarts + 1 : 0;
    const delay = Math.min(MAX_RESTART_DELAY_MS, slot.restarts ? 100 * 2 ** slot.restarts : 0);
    this.options.log(`probe thread ${slot.index} stopped (exit code ${code}); starting another${delay ? ` in ${delay} ms` : ''}`);
    setTimeout(() => {
      if (this.stopping) return;
      this.spawn(slot, resume);
      void this.post(slot);
    }, delay).unref();
  }

  /** Posts each running thread its checks, from one read shared between them. */
  private async postAll(): Promise<void> {
    const { read } = this;
    if (!read) return;
    let all: Promise<ProbeAssignment> | undefined;
    const share = (slot: Slot) => (all ??= read(this.slots.flatMap((s) => s.ids))).then((assignment) => shareOf(assignment, new Set(slot.ids)));
    await Promise.all(this.slots.map((slot) => this.post(slot, () => share(slot))));
  }

  /** Reads the slot's checks and posts them to its thread (a failed read is tried again a second later). */
  private async post(slot: Slot, readShare?: () => Promise<ProbeAssignment>): Promise<void> {
    const { worker, ids } = slot;
    const { read } = this;
    if (!worker || !read) return;
    const post = ++slot.posts;
    const current = () => slot.posts === post && slot.worker === worker;
    let assignment: ProbeAssignment;
    try {
      assignment = await (readShare ? readShare() : read(ids));
    } catch (err) {
      this.options.log(`probe thread ${slot.index}: could not read its checks (tried again in a second): ${err instanceof Error ? err.message : String(err)}`);
      setTimeout(() => {
        if (current()) void this.post(slot);
      }, 1_000).unref();
      return;
    }
    if (!current()) return;
    const resume = slot.resume;
    slot.resume = null;
    if (resume) {
      const now = Date.now();
      const owed = assignment.definitions.filter((def) => def.enabled && resumeDueTime(def, resume.lastDue.get(def.id), resume.since) <= now).length;
      this.options.log(`probe thread ${slot.index} replaced: the new one first runs the ${owed} checks owed a run`);
    }
    const message: ToProbeThread = {
      type: 'assign',
      definitions: assignment.definitions,
      assets: assignment.assets,
      resume: resume && { lastDue: [...resume.lastDue], since: resume.since },
    };
    worker.postMessage(message);
  }

  private async stopThread(slot: Slot): Promise<void> {
    const worker = slot.worker;
    if (!worker) return;
    await this.ask(worker, { type: 'stop' }, 'stopped');
    await worker.terminate();
    slot.worker = null;
  }

  /** Sends a message and waits (a bounded time: undefined then) for the thread's answer of that type. */
  private ask<T extends FromProbeThread['type']>(worker: Worker, message: ToProbeThread, answer: T): Promise<Extract<FromProbeThread, { type: T }> | undefined> {
    return new Promise((resolve) => {
      const done = (value: Extract<FromProbeThread, { type: T }> | undefined) => {
        clearTimeout(timer);
        worker.off('message', listen);
        resolve(value);
      };
      const listen = (reply: FromProbeThread) => {
        if (reply.type === answer) done(reply as Extract<FromProbeThread, { type: T }>);
      };
      const timer = setTimeout(() => done(undefined), ANSWER_WAIT_MS);
      worker.on('message', listen);
      worker.postMessage(message);
    });
  }
}

/** The part of an assignment for the checks `ids`, with only the asset facts they read. */
function shareOf(assignment: ProbeAssignment, ids: ReadonlySet<number>): ProbeAssignment {
  const definitions = assignment.definitions.filter((def) => ids.has(def.id));
  const assetIds = new Set(definitions.map((def) => def.assetId));
  return { definitions, assets: assignment.assets.filter(([id]) => assetIds.has(id)) };
}
