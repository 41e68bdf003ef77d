import { eq } from 'drizzle-orm';
import { commitAtomically, type Db } from '../store/client.js';
import { drillRuns, drills } from '../store/schema/index.js';
import type { DrillMarks } from '../monitor/fleet-state.js';
import type { Monitor } from '../monitor/monitor.js';
import { loadDisturbance } from './drill-queries.js';
import { measuredFigures } from './function-outcomes.js';
import { callHooks } from './hooks.js';
import { DRILL_ACTOR, drillEvent } from './run-events.js';

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
    const measured = await measuredFigures(db, { ...row, steps });
    await commitAtomically(db, [
      db.update(drillRuns).set({ ...measured, status: 'interrupted', phase: 'done', verdict: 'aborted', abortReason: 'interrupted by a restart', finishedAt: now(), steps }).where(eq(drillRuns.id, row.id)),
      drillEvent({ db, actor: DRILL_ACTOR, now }, 'drill.aborted', row, drill?.key ?? null, { status: 'interrupted', reason: 'interrupted by a restart' }),
    ]);
    options.log?.(`drill run ${row.id} was interrupted by a restart: rolled back and closed`);
    const disturbed = await loadDisturbance(db, row.targetAssetIds, row.functionIds);
    settling.push({ runId: row.id, targetAssetIds: row.targetAssetIds, marks: { simulatedDown: [], assetIds: disturbed.all, functionIds: row.functionIds }, closedAt: now() });
  }
  return settling;
}

/** Lifts the marks of closed runs whose targets are back (or that waited too long); returns those still waiting. */
export function liftSettledMarks(monitor: Monitor, settling: SettlingRun[], now: number): SettlingRun[] {
  return settling.filter((run) => {
    const back = run.targetAssetIds.every((id) => monitor.assetState(id)?.status !== 'down');
    if (back || now - run.closedAt > SETTLE_LIMIT_MS) monitor.clearDrill(run.runId);
    return !back && now - run.closedAt <= SETTLE_LIMIT_MS;
  });
}
