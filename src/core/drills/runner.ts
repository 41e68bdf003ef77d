import { and, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { commitAtomically, type Db, type Statement } from '../store/client.js';
import type { WriteContext } from '../store/context.js';
import { drillRuns, drills, type DrillRow, type DrillRunRow, type HookSpec } from '../store/schema/index.js';
import { AppError, ConflictError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { nextCronTime } from '../domain/schedules.js';
import type { Monitor } from '../monitor/monitor.js';
import { recordEvent } from '../store/events.js';
import { loadActiveRun, type ActiveRun } from './active-run.js';
import { assetKeys, loadDrill } from './drill-queries.js';
import { callHooks } from './hooks.js';
import { liftSettledMarks, type SettlingRun } from './interrupted-runs.js';
import { DRILL_ACTOR, drillEvent } from './run-events.js';
import { failoverConfirmed, guardrailBreached } from './run-progress.js';
import { firstHitAt, measuredFigures, measureFunctions } from './function-outcomes.js';
import { runView, type RunView } from './run-view.js';
import { resolveTargets } from './targets.js';
import type { DrillStepData, DrillStepType } from '../domain/events.js';
import type { DrillVerdict } from '../domain/drills.js';

export { closeInterruptedRuns, type SettlingRun } from './interrupted-runs.js';

type Phase = DrillRunRow['phase'];
type Step = DrillRunRow['steps'][number];

/** The monitor a runner drives: its picture of the fleet, and a way to re-evaluate it after marks change. */
export interface MonitorHandle {
  readonly monitor: Monitor;
  reassess(): Promise<void>;
}

export interface DrillRunnerOptions {
  db: Db;
  live: MonitorHandle;
  now?: () => number;
  /** How inject and rollback hooks are called (global fetch on Node and Workers). */
  fetch?: typeof fetch;
  tickMs?: number;
  /** Runs closed by a restart (closeInterruptedRuns): their marks are lifted once their targets are back. */
  settling?: SettlingRun[];
  /** Cron-scheduled drills due after this time start on the first tick (default: the runner's creation). */
  schedulesCheckedUntil?: number;
  log?: (message: string) => void;
}

/**
 * Runs failover drills: resolve targets → inject → watch the real checks → detected → failed
 * over (the functions are served again through alternates) → roll back → restored → completed;
 * or aborted by a guardrail, rolling back at once. Every step is stored with its event, marked
 * with the run id, so drills never open real incidents or page anyone. A run that was in flight
 * when the process stopped is rolled back and closed as interrupted on the next start.
 */
export class DrillRunner {
  private active = new Map<number, ActiveRun>();
  private settling: SettlingRun[];
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private ticking = false;
  private lastScheduleCheck: number;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: DrillRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetch ?? fetch;
    this.lastScheduleCheck = options.schedulesCheckedUntil ?? this.now();
    this.settling = [...(options.settling ?? [])];
  }

  private ctx(): WriteContext {
    return { db: this.options.db, actor: DRILL_ACTOR, now: this.now };
  }

  /** Starts ticking. Runs a previous process left behind are closed before the monitor starts (closeInterruptedRuns). */
  start(): void {
    this.timers.push(setInterval(() => void this.tick(), this.options.tickMs ?? 500));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /**
   * Takes up the runs in progress where the last runner left them, for a host that builds a
   * fresh runner on every tick (Workers: each Cron Trigger). The Node host closes them instead.
   */
  async resumeRunning(): Promise<void> {
    const { db } = this.options;
    const rows = await db.select().from(drillRuns).where(eq(drillRuns.status, 'running'));
    for (const row of rows) {
      const [drill] = await db.select().from(drills).where(eq(drills.id, row.drillId));
      if (!drill) continue;
      const run = await this.activate(row, drill);
      run.phaseSince = row.steps.at(-1)?.at ?? row.startedAt ?? this.now();
      if (row.phase === 'injecting') {
        await this.inject(run);
        continue;
      }
      const outageOn = drill.mode === 'simulated' && (row.phase === 'detecting' || row.phase === 'failing_over');
      this.options.live.monitor.setDrill(row.id, { simulatedDown: outageOn ? row.targetAssetIds : [], assetIds: run.marked, functionIds: row.functionIds });
      if (row.phase === 'rolling_back') await this.rollBack(run);
    }
    if (rows.length) await this.options.live.reassess();
  }

  activeRuns(): number {
    return this.active.size;
  }

  /** Starts a run of the drill now. Refused while another run of it is in progress (concurrency: forbid). */
  async startRun(ctx: WriteContext, drillId: number, trigger: 'manual' | 'schedule' = 'manual'): Promise<RunView> {
    authorize(ctx.actor, 'planExercises');
    const { db } = this.options;
    const drill = await loadDrill(db, drillId);
    if (drill.retiredAt !== null) throw new ConflictError(`Drill "${drill.key}" is retired: it is not run again (its runs stay as history)`);
    const [running] = await db.select({ id: drillRuns.id }).from(drillRuns).where(and(eq(drillRuns.drillId, drillId), eq(drillRuns.status, 'running')));
    if (running) throw new ConflictError(`Drill "${drill.key}" already has run ${running.id} in progress (overlapping runs are not allowed)`);

    const now = this.now();
    const { targets, note } = await resolveTargets(ctx, db, drill);
    const functionIds = [...new Set(targets.flatMap((id) => this.options.live.monitor.functionsHurtBy(id)))];
    const steps: Step[] = [{ at: now, step: 'resolve_targets', detail: note }];
    if (!targets.length || drill.exerciseType === 'tabletop') return this.recordWithoutFault(drill, trigger, targets, functionIds, note, steps, now);

    const [row] = await db
      .insert(drillRuns)
      .values({ drillId, status: 'running', phase: 'injecting', trigger, targetAssetIds: targets, functionIds, startedAt: now, steps })
      .returning();
    const run = await this.activate(row!, drill);
    await this.inject(run);
    return runView(run.row);
  }

  /** A run with nothing to inject, done at once: a tabletop exercise, or a failure for want of targets. */
  private async recordWithoutFault(
    drill: DrillRow,
    trigger: 'manual' | 'schedule',
    targets: number[],
    functionIds: number[],
    note: string,
    steps: Step[],
    now: number,
  ): Promise<RunView> {
    const { db } = this.options;
    const drillId = drill.id;
    const failed = !targets.length;
    steps.push({ at: now, step: failed ? 'failed' : 'tabletop', detail: failed ? 'no targets: nothing to exercise' : 'tabletop exercise: no fault injected; discuss the what-if assessment' });
    // The run and its event in one batch; the event finds the new run as the drill's latest.
    const runId = sql`(select max(id) from drill_runs where drill_id = ${drillId})`;
    await commitAtomically(db, [
      db.insert(drillRuns).values({
        drillId, status: failed ? 'failed' : 'completed', phase: 'done', verdict: failed ? 'fail' : null, trigger, targetAssetIds: targets, functionIds,
        startedAt: now, finishedAt: now, steps,
      }),
      recordEvent(this.ctx(), {
        type: failed ? 'drill.failed' : 'drill.completed', subjectKind: 'drill_run', subjectId: runId, subjectKey: drill.key, drillRunId: runId,
        data: { drillId, drillKey: drill.key, note, verdict: failed ? 'fail' : null },
      }),
    ]);
    const [row] = await db.select().from(drillRuns).where(eq(drillRuns.drillId, drillId)).orderBy(desc(drillRuns.id)).limit(1);
    return runView(row!);
  }

  /** Aborts a run in progress, rolling it back at once. */
  async abortRun(ctx: WriteContext, runId: number, reason: string): Promise<RunView> {
    authorize(ctx.actor, 'planExercises');
    const run = this.active.get(runId);
    if (!run) throw new ConflictError(`Run ${runId} is not in progress`);
    await this.abort(run, `${reason} (by ${ctx.actor.name})`);
    return runView(run.row);
  }

  private async activate(row: DrillRunRow, drill: DrillRow): Promise<ActiveRun> {
    const run = await loadActiveRun(this.options.db, row, drill, this.now);
    this.active.set(row.id, run);
    return run;
  }

  private async inject(run: ActiveRun): Promise<void> {
    const { drill, row } = run;
    const steps: Step[] = [];
    if (drill.mode === 'simulated') {
      this.options.live.monitor.setDrill(row.id, { simulatedDown: row.targetAssetIds, assetIds: run.marked, functionIds: row.functionIds });
      steps.push({ at: this.now(), step: 'inject', detail: `simulated outage of ${row.targetAssetIds.length} assets (the monitor treats them as down)` });
    } else {
      this.options.live.monitor.setDrill(row.id, { simulatedDown: [], assetIds: run.marked, functionIds: row.functionIds });
      steps.push(...(await this.callHooks(drill.injectHook!, row.targetAssetIds, 'inject')));
    }
    await this.options.live.reassess();
    await this.transition(run, 'detecting', steps, { event: ['drill.started', { targets: await assetKeys(this.options.db, row.targetAssetIds), mode: drill.mode }] });
  }

  private callHooks(hook: HookSpec, targetIds: number[], what: 'inject' | 'rollback'): Promise<Step[]> {
    return callHooks({ db: this.options.db, fetch: this.fetchImpl, now: this.now }, hook, targetIds, what);
  }

  /** Advances every run in progress by what the monitor now sees. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      this.settling = liftSettledMarks(this.options.live.monitor, this.settling, this.now());
      for (const run of [...this.active.values()]) await this.advance(run);
      await this.startScheduledRuns();
    } catch (err) {
      this.options.log?.(`drill runner: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.ticking = false;
    }
  }

  private async advance(run: ActiveRun): Promise<void> {
    const { monitor } = this.options.live;
    const { row, drill } = run;
    const now = this.now();
    const started = row.startedAt!;
    const targets = row.targetAssetIds;
    const status = (id: number) => monitor.assetState(id)?.status;

    if (run.row.phase === 'detecting' || run.row.phase === 'failing_over') {
      const guard = guardrailBreached(monitor, run, now);
      if (guard) return this.abort(run, guard.reason, guard.timedOut && row.phase === 'failing_over' ? 'fail' : 'aborted_by_guardrail');
    }
    if (row.phase === 'detecting' && targets.every((id) => status(id) === 'down')) {
      const detectedAt = firstHitAt(row, await measureFunctions(this.options.db, row));
      await this.transition(run, 'failing_over', [{ at: now, step: 'detected', detail: `all ${targets.length} targets seen down by the monitor` }], {
        set: { detectedAt },
        event: ['drill.detected', detectedAt === null ? {} : { ttdMs: detectedAt - started }],
      });
    }
    if (row.phase === 'failing_over' && failoverConfirmed(monitor, run)) {
      await this.confirmFailover(run, now);
      await this.rollBack(run);
    }
    if (row.phase === 'restoring') {
      if (targets.every((id) => status(id) === 'up' || status(id) === 'degraded')) {
        const ttfLimit = drill.hypothesis.ttfLimitSeconds;
        const ttf = row.failoverCompletedAt === null ? null : row.failoverCompletedAt - started;
        // A run that took no function down proves nothing but breaks nothing: it passes, and records no figure.
        const pass = row.rtoMet !== false && (ttfLimit === null || ttf === null || ttf <= ttfLimit * 1000);
        await this.finish(run, 'completed', pass ? 'pass' : 'fail', [{ at: now, step: 'restored', detail: `all targets back up; verdict ${pass ? 'pass' : 'fail'}` }], { restoredAt: now });
      } else if (now - run.phaseSince > drill.guardrails.maxDurationSeconds * 1000) {
        await this.finish(run, 'completed', 'fail', [{ at: now, step: 'not_restored', detail: `targets still not back ${drill.guardrails.maxDurationSeconds} s after rollback` }], {});
      }
    }
  }

  /** Every hypothesis function is served; a failover (TTF, RTO met) is claimed only if the run took some function below full strength. */
  private async confirmFailover(run: ActiveRun, now: number): Promise<void> {
    const { row, drill } = run;
    const detectedAt = row.detectedAt ?? firstHitAt(row, await measureFunctions(this.options.db, row));
    if (detectedAt === null) {
      return this.transition(run, 'rolling_back', [{ at: now, step: 'not_exercised', detail: 'no function was taken below full strength: nothing failed over, no failover time recorded' }], {});
    }
    const ttfMs = now - row.startedAt!;
    const rtoMet = run.minRtoSeconds === null || ttfMs <= run.minRtoSeconds * 1000;
    const breached = rtoMet ? [] : [this.event('rto.breached', row, drill.key, { ttfMs, rtoSeconds: run.minRtoSeconds })];
    await this.transition(run, 'rolling_back', [{ at: now, step: 'failed_over', detail: `every hypothesis function is served again, confirmed by its checks; TTF ${Math.round(ttfMs / 100) / 10} s` }], {
      set: { detectedAt, failoverCompletedAt: now, rtoMet }, event: ['drill.failed_over', { ttfMs, rtoMet }], extra: breached,
    });
  }

  private async rollBack(run: ActiveRun): Promise<void> {
    const { drill, row } = run;
    const steps: Step[] = [];
    if (drill.mode === 'simulated') {
      // Keep the marks until the targets are back, so the recovery events are drill events too.
      this.options.live.monitor.setDrill(row.id, { simulatedDown: [], assetIds: run.marked, functionIds: row.functionIds });
      steps.push({ at: this.now(), step: 'rollback', detail: 'simulated outage lifted' });
    } else {
      steps.push(...(await this.callHooks(drill.rollbackHook!, row.targetAssetIds, 'rollback')));
    }
    await this.options.live.reassess();
    await this.transition(run, 'restoring', steps, {});
  }

  /**
   * A planner's abort is `aborted`; a guardrail's `aborted_by_guardrail` (the drill was unsafe,
   * not the function weak); running out of time while failing over is `fail`.
   */
  private async abort(run: ActiveRun, reason: string, verdict: 'aborted' | 'aborted_by_guardrail' | 'fail' = 'aborted'): Promise<void> {
    const now = this.now();
    const steps: Step[] = [{ at: now, step: 'abort', detail: reason }];
    if (run.drill.mode === 'live' && run.row.phase !== 'restoring') steps.push(...(await this.callHooks(run.drill.rollbackHook!, run.row.targetAssetIds, 'rollback')));
    else steps.push({ at: now, step: 'rollback', detail: 'simulated outage lifted' });
    await this.finish(run, 'aborted', verdict, steps, { abortReason: reason }, ['drill.aborted', { reason }]);
  }

  private async finish(
    run: ActiveRun,
    status: 'completed' | 'aborted',
    verdict: DrillVerdict,
    steps: Step[],
    set: Partial<DrillRunRow>,
    event: [DrillStepType, DrillStepData] = ['drill.completed', { verdict }],
  ): Promise<void> {
    this.active.delete(run.row.id);
    const { monitor } = this.options.live;
    // Lift a simulated outage while the run's marks still hold, so the recovery it causes (after an
    // abort, say) is recorded as a drill event too, not as a real asset or function coming back.
    monitor.setDrill(run.row.id, { simulatedDown: [], assetIds: run.marked, functionIds: run.row.functionIds });
    await this.options.live.reassess();
    monitor.clearDrill(run.row.id);
    const measured = await measuredFigures(this.options.db, { ...run.row, steps: [...run.row.steps, ...steps] });
    await this.transition(run, 'done', steps, { set: { ...set, ...measured, status, verdict, finishedAt: this.now() }, event: [event[0], { ...event[1], verdict }] });
  }

  private async transition(
    run: ActiveRun,
    phase: Phase,
    steps: Step[],
    change: { set?: Partial<DrillRunRow>; event?: [DrillStepType, DrillStepData]; extra?: Statement[] },
  ): Promise<void> {
    const { db } = this.options;
    const row: DrillRunRow = { ...run.row, ...change.set, phase, steps: [...run.row.steps, ...steps] };
    const { id, drillId: _drillId, ...values } = row;
    await commitAtomically(db, [
      db.update(drillRuns).set(values).where(eq(drillRuns.id, id)),
      ...(change.event ? [this.event(change.event[0], row, run.drill.key, change.event[1])] : []),
      ...(change.extra ?? []),
    ]);
    run.row = row;
    run.phaseSince = this.now();
  }

  private event(type: DrillStepType, row: DrillRunRow, drillKey: string | null, data: DrillStepData): Statement {
    return drillEvent(this.ctx(), type, row, drillKey, data);
  }

  /** Cron-scheduled drills whose time came since the last look (runs missed while stopped are skipped). */
  private async startScheduledRuns(): Promise<void> {
    const now = this.now();
    const since = this.lastScheduleCheck;
    this.lastScheduleCheck = now;
    const scheduled = await this.options.db.select().from(drills).where(and(eq(drills.enabled, true), isNotNull(drills.cron), isNull(drills.retiredAt)));
    for (const drill of scheduled) {
      const due = nextCronTime(drill.cron!, drill.timezone, since);
      if (due === null || due > now) continue;
      try {
        await this.startRun(this.ctx(), drill.id, 'schedule');
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        this.options.log?.(`scheduled drill ${drill.key} not started: ${err.message}`);
      }
    }
  }
}
