import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import { commitAtomically, type Db, type Statement } from '../store/client.js';
import { assets, drillRuns, drills, groupMembers, dependencyGroups, missionFunctions, type DrillRow, type DrillRunRow, type HookSpec } from '../store/schema/index.js';
import { AppError, ConflictError } from '../domain/errors.js';
import { authorize, SYSTEM_ACTOR } from '../domain/roles.js';
import { nextCronTime } from '../domain/schedules.js';
import type { DrillMarks, Monitor } from '../monitor/monitor.js';
import type { ServiceContext } from '../services/context.js';
import { loadDrill, runView, type RunView } from '../services/drills.js';
import { recordEvent } from '../store/events.js';
import type { DrillStepData, DrillStepType } from '../domain/events.js';
import { assessScenarioBody, scenarioBody } from '../services/scenarios.js';
import { loadGroups } from '../services/functions.js';
import { drillDisturbance } from './disturbance.js';
import { idsIn } from '../store/ids.js';

type Phase = DrillRunRow['phase'];
type Step = DrillRunRow['steps'][number];

interface ActiveRun {
  row: DrillRunRow;
  drill: DrillRow;
  /** Targets plus the collateral the drill is expected to cause (links to targets, service assets). */
  marked: number[];
  hypothesisFunctionIds: number[];
  minRtoSeconds: number | null;
  phaseSince: number;
  /** Assets the hypothesis functions depend on (through member functions too), targets excluded. */
  watchedAssetIds: number[];
}

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

const HOOK_TIMEOUT_MS = 10_000;
/** Check kinds that report on every interval, so they can confirm a failover promptly. */
const CONFIRMING_CHECK_KINDS: ReadonlySet<string> = new Set(['http', 'tcp', 'dns', 'tls', 'link', 'push']);
const ACTOR = { ...SYSTEM_ACTOR, name: 'drill-runner' };

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

  private ctx(): ServiceContext {
    return { db: this.options.db, actor: ACTOR, now: this.now };
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
  async startRun(ctx: ServiceContext, drillId: number, trigger: 'manual' | 'schedule' = 'manual'): Promise<RunView> {
    authorize(ctx.actor, 'planExercises');
    const { db } = this.options;
    const drill = await loadDrill(db, drillId);
    const [running] = await db.select({ id: drillRuns.id }).from(drillRuns).where(and(eq(drillRuns.drillId, drillId), eq(drillRuns.status, 'running')));
    if (running) throw new ConflictError(`Drill "${drill.key}" already has run ${running.id} in progress (overlapping runs are not allowed)`);

    const now = this.now();
    const { targets, note } = await this.resolveTargets(ctx, drill);
    const functionIds = [...new Set(targets.flatMap((id) => this.options.live.monitor.functionsHurtBy(id)))];
    const steps: Step[] = [{ at: now, step: 'resolve_targets', detail: note }];

    if (!targets.length || drill.exerciseType === 'tabletop') {
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

    const [row] = await db
      .insert(drillRuns)
      .values({ drillId, status: 'running', phase: 'injecting', trigger, targetAssetIds: targets, functionIds, startedAt: now, steps })
      .returning();
    const run = await this.activate(row!, drill);
    await this.inject(run);
    return runView(run.row);
  }

  /** Aborts a run in progress, rolling it back at once. */
  async abortRun(ctx: ServiceContext, runId: number, reason: string): Promise<RunView> {
    authorize(ctx.actor, 'planExercises');
    const run = this.active.get(runId);
    if (!run) throw new ConflictError(`Run ${runId} is not in progress`);
    await this.abort(run, `${reason} (by ${ctx.actor.name})`);
    return runView(run.row);
  }

  private async resolveTargets(ctx: ServiceContext, drill: DrillRow): Promise<{ targets: number[]; note: string }> {
    let candidates: number[];
    let source: string;
    if (drill.scenarioId !== null) {
      const assessment = await assessScenarioBody({ ...ctx, actor: SYSTEM_ACTOR }, await scenarioBody(this.options.db, drill.scenarioId));
      const down = assessment.assets.filter((a) => a.impact === 'down').map((a) => a.assetId);
      candidates = down.length ? down : assessment.assets.filter((a) => a.impact === 'degraded').map((a) => a.assetId);
      source = `scenario ${drill.scenarioId} hits ${candidates.length} assets`;
    } else {
      candidates = [...(drill.targetAssetIds ?? [])];
      source = `${candidates.length} named targets`;
    }
    candidates.sort((a, b) => a - b);
    const { type, value } = drill.blastRadius;
    const cap = type === 'COUNT' ? value : Math.ceil((value / 100) * candidates.length);
    const targets = candidates.slice(0, cap);
    return { targets, note: `${source}; blast radius ${type} ${value} → ${targets.length} targets` };
  }

  private async activate(row: DrillRunRow, drill: DrillRow): Promise<ActiveRun> {
    const { db } = this.options;
    const hypothesisFunctionIds = drill.hypothesis.functionIds.length ? drill.hypothesis.functionIds : row.functionIds;
    const rtos = hypothesisFunctionIds.length
      ? await db.select({ rto: missionFunctions.rtoSeconds }).from(missionFunctions).where(idsIn(missionFunctions.id, hypothesisFunctionIds))
      : [];
    const dependencies = await this.dependencyAssets(hypothesisFunctionIds);
    const disturbed = await disturbanceOf(db, row.targetAssetIds, row.functionIds);
    const marked = disturbed.all;
    const services = new Set(disturbed.services);
    const run: ActiveRun = {
      row, drill, hypothesisFunctionIds, marked,
      minRtoSeconds: rtos.length ? Math.min(...rtos.map((r) => r.rto)) : null, phaseSince: this.now(),
      // Links to the targets fail with them; they confirm nothing about the failover.
      watchedAssetIds: dependencies.filter((id) => !marked.includes(id) || services.has(id)),
    };
    this.active.set(row.id, run);
    return run;
  }

  /** Every asset the functions depend on, directly or through member functions. */
  private async dependencyAssets(functionIds: number[]): Promise<number[]> {
    const { db } = this.options;
    const assetIds = new Set<number>();
    const seen = new Set<number>();
    let frontier = [...new Set(functionIds)];
    while (frontier.length) {
      frontier.forEach((id) => seen.add(id));
      const members = await db
        .select({ assetId: groupMembers.assetId, functionId: groupMembers.memberFunctionId })
        .from(groupMembers)
        .innerJoin(dependencyGroups, eq(groupMembers.groupId, dependencyGroups.id))
        .where(idsIn(dependencyGroups.functionId, frontier));
      for (const m of members) if (m.assetId !== null) assetIds.add(m.assetId);
      frontier = [...new Set(members.flatMap((m) => (m.functionId !== null && !seen.has(m.functionId) ? [m.functionId] : [])))];
    }
    return [...assetIds];
  }

  /**
   * The real checks that must confirm a failover: the watched assets' checks that observe on every
   * interval (a contact check is silent between passes, an external one until an alert fires).
   */
  private watchedChecks(run: ActiveRun) {
    return this.options.live.monitor
      .definitions()
      .filter((d) => d.enabled && d.intervalSeconds !== null && CONFIRMING_CHECK_KINDS.has(d.kind) && run.watchedAssetIds.includes(d.assetId));
  }

  /**
   * Failed over: every hypothesis function is served again (not lost), confirmed by real checks —
   * every check of a member still counted as available has observed it since the targets were
   * seen down, and its latest observation is not a failure. Without this, a function whose
   * service check had simply not run yet since the fault would count as failed over at once.
   */
  private failoverConfirmed(run: ActiveRun): boolean {
    const { monitor } = this.options.live;
    if (!run.hypothesisFunctionIds.every((id) => monitor.functionStatus(id)?.status !== 'lost')) return false;
    for (const def of this.watchedChecks(run)) {
      const assetStatus = monitor.assetState(def.assetId)?.status;
      if (assetStatus === 'down' || assetStatus === 'maintenance') continue; // not counted on by the k-of-n groups
      const state = monitor.checkState(def.id);
      if (!state) continue;
      const observedSince = state.lastObservedAt !== null && state.lastObservedAt > (run.row.detectedAt ?? Infinity);
      if (!observedSince || state.streakStatus === 'down') return false;
    }
    return true;
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
    await this.transition(run, 'detecting', steps, { event: ['drill.started', { targets: await this.keys(row.targetAssetIds), mode: drill.mode }] });
  }

  private keys(ids: number[]): Promise<string[]> {
    return assetKeys(this.options.db, ids);
  }

  private callHooks(hook: HookSpec, targetIds: number[], what: 'inject' | 'rollback'): Promise<Step[]> {
    return callHooks({ db: this.options.db, fetch: this.fetchImpl, now: this.now }, hook, targetIds, what);
  }

  /** Advances every run in progress by what the monitor now sees. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      this.liftSettledMarks();
      for (const run of [...this.active.values()]) await this.advance(run);
      await this.startScheduledRuns();
    } catch (err) {
      this.options.log?.(`drill runner: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.ticking = false;
    }
  }

  private liftSettledMarks(): void {
    const { monitor } = this.options.live;
    const now = this.now();
    this.settling = this.settling.filter((run) => {
      const back = run.targetAssetIds.every((id) => monitor.assetState(id)?.status !== 'down');
      if (back || now - run.closedAt > SETTLE_LIMIT_MS) monitor.clearDrill(run.runId);
      return !back && now - run.closedAt <= SETTLE_LIMIT_MS;
    });
  }

  private async advance(run: ActiveRun): Promise<void> {
    const { monitor } = this.options.live;
    const { row, drill } = run;
    const now = this.now();
    const started = row.startedAt!;
    const targets = row.targetAssetIds;
    const status = (id: number) => monitor.assetState(id)?.status;

    if (run.row.phase === 'detecting' || run.row.phase === 'failing_over') {
      const guard = this.guardrailBreached(run, now);
      if (guard) return this.abort(run, guard);
    }
    if (row.phase === 'detecting' && targets.every((id) => status(id) === 'down')) {
      await this.transition(run, 'failing_over', [{ at: now, step: 'detected', detail: `all ${targets.length} targets seen down by the monitor` }], {
        set: { detectedAt: now },
        event: ['drill.detected', { ttdMs: now - started }],
      });
    }
    if (row.phase === 'failing_over' && this.failoverConfirmed(run)) {
      const ttfMs = now - started;
      const rtoMet = run.minRtoSeconds === null || ttfMs <= run.minRtoSeconds * 1000;
      const statements: Statement[] = [];
      if (!rtoMet) statements.push(this.event('rto.breached', row, drill.key, { ttfMs, rtoSeconds: run.minRtoSeconds }));
      await this.transition(run, 'rolling_back', [{ at: now, step: 'failed_over', detail: `every hypothesis function is served again, confirmed by its checks; TTF ${Math.round(ttfMs / 100) / 10} s` }], {
        set: { failoverCompletedAt: now, rtoMet },
        event: ['drill.failed_over', { ttfMs, rtoMet }],
        extra: statements,
      });
      await this.rollBack(run);
    }
    if (row.phase === 'restoring') {
      if (targets.every((id) => status(id) === 'up' || status(id) === 'degraded')) {
        const ttfLimit = drill.hypothesis.ttfLimitSeconds;
        const ttf = row.failoverCompletedAt === null ? null : row.failoverCompletedAt - started;
        const pass = ttf !== null && row.rtoMet !== false && (ttfLimit === null || ttf <= ttfLimit * 1000);
        await this.finish(run, 'completed', pass ? 'pass' : 'fail', [{ at: now, step: 'restored', detail: `all targets back up; verdict ${pass ? 'pass' : 'fail'}` }], { restoredAt: now });
      } else if (now - run.phaseSince > drill.guardrails.maxDurationSeconds * 1000) {
        await this.finish(run, 'completed', 'fail', [{ at: now, step: 'not_restored', detail: `targets still not back ${drill.guardrails.maxDurationSeconds} s after rollback` }], {});
      }
    }
  }

  private guardrailBreached(run: ActiveRun, now: number): string | null {
    const { monitor } = this.options.live;
    const { drill, row } = run;
    if (now - row.startedAt! > drill.guardrails.maxDurationSeconds * 1000) return `maximum duration of ${drill.guardrails.maxDurationSeconds} s reached`;
    for (const id of drill.guardrails.protectedFunctionIds) {
      if (monitor.functionStatus(id)?.status === 'lost') return `protected function ${id} was lost`;
    }
    if (drill.guardrails.abortOnOutsideAssetDown) {
      for (const id of monitor.assetIds()) {
        if (run.marked.includes(id)) continue;
        const state = monitor.assetState(id);
        if (state?.status === 'down' && state.since >= row.startedAt!) return `${state.key}, outside the blast radius, went down`;
      }
    }
    return null;
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

  private async abort(run: ActiveRun, reason: string): Promise<void> {
    const now = this.now();
    const steps: Step[] = [{ at: now, step: 'abort', detail: reason }];
    if (run.drill.mode === 'live' && run.row.phase !== 'restoring') steps.push(...(await this.callHooks(run.drill.rollbackHook!, run.row.targetAssetIds, 'rollback')));
    else steps.push({ at: now, step: 'rollback', detail: 'simulated outage lifted' });
    await this.finish(run, 'aborted', 'aborted', steps, { abortReason: reason }, ['drill.aborted', { reason }]);
  }

  private async finish(
    run: ActiveRun,
    status: 'completed' | 'aborted',
    verdict: 'pass' | 'fail' | 'aborted',
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
    await this.transition(run, 'done', steps, { set: { ...set, status, verdict, finishedAt: this.now() }, event: [event[0], { ...event[1], verdict }] });
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
    const scheduled = await this.options.db.select().from(drills).where(and(eq(drills.enabled, true), isNotNull(drills.cron)));
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

async function assetKeys(db: Db, ids: number[]): Promise<string[]> {
  const rows = ids.length ? await db.select({ id: assets.id, key: assets.key }).from(assets).where(idsIn(assets.id, ids)) : [];
  const keyOf = new Map(rows.map((r) => [r.id, r.key]));
  return ids.map((id) => keyOf.get(id) ?? String(id));
}

/** Calls a drill hook once per target, `{assetKey}` substituted; failures become steps, never throws. */
async function callHooks(deps: { db: Db; fetch: typeof fetch; now: () => number }, hook: HookSpec, targetIds: number[], what: 'inject' | 'rollback'): Promise<Step[]> {
  const keys = await assetKeys(deps.db, targetIds);
  return Promise.all(
    keys.map(async (key) => {
      const url = hook.url.replaceAll('{assetKey}', encodeURIComponent(key));
      try {
        const res = await deps.fetch(url, {
          method: hook.method,
          headers: { 'content-type': 'application/json', ...hook.headers },
          body: hook.body?.replaceAll('{assetKey}', key),
          signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
          redirect: 'manual',
        });
        await res.body?.cancel();
        return { at: deps.now(), step: what, detail: `${hook.method} ${url} → ${res.status}` };
      } catch (err) {
        return { at: deps.now(), step: `${what}_failed`, detail: `${hook.method} ${url}: ${err instanceof Error ? err.message : String(err)}` };
      }
    }),
  );
}

/**
 * A run closed by a restart whose targets may still be down from it: its marks stay on the
 * monitor until they are back, so their recovery is recorded as the drill's, not as a real one.
 */
export interface SettlingRun {
  runId: number;
  targetAssetIds: number[];
  marks: DrillMarks;
  closedAt: number;
}

/** How long a closed run's marks may wait for its targets to come back. */
const SETTLE_LIMIT_MS = 15 * 60_000;

/**
 * Runs left `running` by a process that stopped: call their rollback hooks, then close them as
 * interrupted. Run this before the monitor starts probing, so a drill's leftover fault never
 * reads as a real outage, and give the runs it returns to the monitor and the runner.
 */
export async function closeInterruptedRuns(options: { db: Db; fetch?: typeof fetch; now?: () => number; log?: (message: string) => void }): Promise<SettlingRun[]> {
  const { db } = options;
  const now = options.now ?? Date.now;
  const deps = { db, fetch: options.fetch ?? fetch, now };
  const stale = await db.select().from(drillRuns).where(eq(drillRuns.status, 'running'));
  const settling: SettlingRun[] = [];
  for (const row of stale) {
    const [drill] = await db.select().from(drills).where(eq(drills.id, row.drillId));
    const steps = [...row.steps];
    if (drill?.mode === 'live' && drill.rollbackHook) steps.push(...(await callHooks(deps, drill.rollbackHook, row.targetAssetIds, 'rollback')));
    steps.push({ at: now(), step: 'interrupted', detail: 'the process stopped during the run; rolled back and closed on restart' });
    await commitAtomically(db, [
      db.update(drillRuns).set({ status: 'interrupted', phase: 'done', verdict: 'aborted', abortReason: 'interrupted by a restart', finishedAt: now(), steps }).where(eq(drillRuns.id, row.id)),
      drillEvent({ db, actor: ACTOR, now }, 'drill.aborted', row, drill?.key ?? null, { status: 'interrupted', reason: 'interrupted by a restart' }),
    ]);
    options.log?.(`drill run ${row.id} was interrupted by a restart: rolled back and closed`);
    const disturbed = await disturbanceOf(db, row.targetAssetIds, row.functionIds);
    settling.push({ runId: row.id, targetAssetIds: row.targetAssetIds, marks: { simulatedDown: [], assetIds: disturbed.all, functionIds: row.functionIds }, closedAt: now() });
  }
  return settling;
}

/** Targets, links ending at them and the functions' service assets (see drillDisturbance). */
async function disturbanceOf(db: Db, targets: number[], functionIds: number[]) {
  const assetRows = await db
    .select({ id: assets.id, kind: assets.kind, linkFromAssetId: assets.linkFromAssetId, linkToAssetId: assets.linkToAssetId })
    .from(assets);
  const groups = await loadGroups(db, functionIds);
  return drillDisturbance(targets, functionIds, { assets: assetRows, functionGroups: (id) => groups.get(id) ?? [] });
}

/** A drill step's event: marked with the run, so it never pages anyone as a real outage. */
function drillEvent(ctx: ServiceContext, type: DrillStepType, row: DrillRunRow, drillKey: string | null, data: DrillStepData): Statement {
  return recordEvent(ctx, {
    type,
    subjectKind: 'drill_run',
    subjectId: row.id,
    subjectKey: drillKey,
    severity: type === 'rto.breached' || type === 'drill.aborted' ? 'minor' : 'info',
    drillRunId: row.id,
    data: { drillId: row.drillId, drillKey, runId: row.id, ...data },
  });
}
