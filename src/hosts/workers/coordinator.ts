/// <reference types="@cloudflare/workers-types" />
// The coordinator: one Durable Object holding the live monitor, as the Node host's process does,
// except that it probes nothing itself. The shards send it their results; it applies each check's
// thresholds and each multi-vantage check's quorum, and commits results, state changes, events
// and incidents to D1 together, in batches (the same LiveMonitor and planning code as Node). It
// runs the drills, fans new events out into webhook deliveries on the queue, and hands each shard
// its checks whenever definitions change. Evicted, it loads again from D1 on the next call; the
// shards keep their unsent results meanwhile and send them again under the same batch ids.
import { DurableObject } from 'cloudflare:workers';
import { AppError } from '../../core/domain/errors.js';
import type { Actor } from '../../core/domain/roles.js';
import { DrillRunner } from '../../core/drills/runner.js';
import { AgentIntake } from '../../core/monitor/agent-intake.js';
import { LiveMonitor } from '../../core/monitor/live-monitor.js';
import type { Monitor } from '../../core/monitor/monitor.js';
import type { BatchReceipt, OutcomeBatch } from '../../core/monitor/vantage-intake.js';
import { forEachConcurrently } from '../../core/domain/pool.js';
import { enqueueDeliveries } from './deliveries-queue.js';
import { configFrom, database, dispatcherFor, log, type Env } from './env.js';
import { createWorkerProbeContext } from './probes.js';
import { planAssignments, type ShardAssignment } from './shard-assignment.js';

/** The coordinator's own alarm: wakes it after an eviction even when no shard calls. */
const KEEPALIVE_MS = 10_000;
const FAN_OUT_EVERY_MS = 1_000;
const SHARD_COUNT_KEY = 'shardCount';
const SHARD_OVERRIDE_KEY = 'shardCountOverride';

interface Engine {
  live: LiveMonitor;
  runner: DrillRunner;
  intake: AgentIntake;
}

export type SubmitAnswer = BatchReceipt | { refused: string };

export class Coordinator extends DurableObject<Env> {
  private engine: Promise<Engine> | undefined;
  /** Assignments not yet taken by their shard (a push failed): pushed again at the next alarm. */
  private unassigned = new Map<string, ShardAssignment>();
  private timers: Array<ReturnType<typeof setInterval>> = [];

  /** A shard's batch of results; committed to D1 before this answers. */
  async submit(batch: OutcomeBatch): Promise<SubmitAnswer> {
    const { intake } = await this.start();
    try {
      return await intake.submitOutcomes(batch);
    } catch (err) {
      // A vantage deleted while its shards still held results: nothing will ever take them.
      if (err instanceof AppError && err.status === 404) return { refused: err.message };
      throw err;
    }
  }

  /** Starts the monitor if it is not running (the Cron Trigger calls this every minute). */
  async wake(): Promise<void> {
    await this.start();
  }

  /** Definitions may have changed (an API write): reload them and reassign the shards now. */
  async definitionsChanged(): Promise<void> {
    const { live } = await this.start();
    await live.syncDefinitions();
  }

  async startDrill(actor: Actor, drillId: number) {
    const { runner } = await this.start();
    return runner.startRun({ db: database(this.env), actor, now: Date.now }, drillId);
  }

  async abortDrill(actor: Actor, runId: number, reason: string) {
    const { runner } = await this.start();
    return runner.abortRun({ db: database(this.env), actor, now: Date.now }, runId, reason);
  }

  /**
   * Sets the number of shards per vantage, overriding COOPWATCH_SHARDS until set to null. Checks
   * move to the shard their id hashes to under the new count; their state stays in the monitor.
   */
  async reshard(count: number | null): Promise<void> {
    if (count === null) this.ctx.storage.kv.delete(SHARD_OVERRIDE_KEY);
    else this.ctx.storage.kv.put(SHARD_OVERRIDE_KEY, count);
    const { live } = await this.start();
    await this.assignShards(live.monitor);
  }

  override async alarm(): Promise<void> {
    await this.start();
    if (this.unassigned.size) await this.pushAssignments([...this.unassigned.values()]);
    await this.ctx.storage.setAlarm(Date.now() + KEEPALIVE_MS);
  }

  private start(): Promise<Engine> {
    this.engine ??= this.boot().catch((err: unknown) => {
      this.engine = undefined;
      throw err;
    });
    return this.engine;
  }

  private async boot(): Promise<Engine> {
    const db = database(this.env);
    let live: LiveMonitor | undefined;
    const handle = { monitor: undefined as unknown as Monitor, reassess: () => live?.reassess() ?? Promise.resolve() };
    const runner = new DrillRunner({ db, live: handle, log });
    live = await LiveMonitor.start({
      db,
      probeContext: createWorkerProbeContext,
      runsChecks: false,
      // Each flush is a D1 batch, billed: four a second, not the Node host's ten.
      flushIntervalMs: 250,
      log,
      // Drills in progress are taken up where they were, not closed: an eviction is not a stop.
      takeUp: async (monitor) => {
        handle.monitor = monitor;
        await runner.resumeRunning();
      },
      onDefinitions: (monitor) => void this.assignShards(monitor).catch((err: unknown) => log(`assigning shards failed: ${String(err)}`)),
    });
    runner.start();
    const dispatcher = dispatcherFor(this.env);
    this.timers.push(setInterval(() => void this.fanOut(dispatcher), FAN_OUT_EVERY_MS));
    await this.ctx.storage.setAlarm(Date.now() + KEEPALIVE_MS);
    return { live, runner, intake: new AgentIntake(live, Date.now, ['central', 'region']) };
  }

  private async fanOut(dispatcher: ReturnType<typeof dispatcherFor>): Promise<void> {
    try {
      await enqueueDeliveries(this.env.DELIVERIES, await dispatcher.fanOut());
    } catch (err) {
      log(`webhook fan-out failed (retried in a second): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private shardCount(): number {
    return this.ctx.storage.kv.get<number>(SHARD_OVERRIDE_KEY) ?? configFrom(this.env).shardsPerVantage;
  }

  /** Every shard's checks under the current count; shards beyond it (the count shrank) are emptied. */
  private async assignShards(monitor: Monitor): Promise<void> {
    const count = this.shardCount();
    const previous = this.ctx.storage.kv.get<number>(SHARD_COUNT_KEY) ?? count;
    await this.pushAssignments(planAssignments(monitor, count, previous));
    if (!this.unassigned.size) this.ctx.storage.kv.put(SHARD_COUNT_KEY, count);
  }

  private async pushAssignments(plans: ShardAssignment[]): Promise<void> {
    await forEachConcurrently(plans, 6, async (plan) => {
      const hint = plan.vantage.locationHint;
      const stub = this.env.SHARDS.get(this.env.SHARDS.idFromName(plan.shard), hint ? { locationHint: hint } : undefined);
      try {
        await stub.assign(plan);
        this.unassigned.delete(plan.shard);
      } catch (err) {
        this.unassigned.set(plan.shard, plan);
        log(`shard ${plan.shard} did not take its checks (retried within ${KEEPALIVE_MS / 1000} s): ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }
}
