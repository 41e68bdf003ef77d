// What a run measured of each function, from the function's own state changes during the run
// (its function.* and redundancy.* events, marked with the run). A function the run never took
// below full strength gets no outcome: the run proves nothing about its failover.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { events, type DrillRunRow, type FunctionOutcome } from '../store/schema/index.js';
import { FUNCTION_STATUSES, type FunctionStatus } from '../domain/enums.js';

export interface FunctionChange {
  functionId: number;
  at: number;
  status: FunctionStatus;
  /** Every member of every group is available. */
  allMembers: boolean;
}

/**
 * Full strength: operational with every member up. Losing a member so that no spare is left
 * (redundancy.lost) is below it: the alternates carry the function. (A member lost while spares
 * remain records no event, and so no outcome.)
 */
const whole = (c: FunctionChange) => c.status === 'operational' && c.allMembers;

/**
 * Per function: TTD when it was first seen below full strength (degraded, lost, or its spare
 * gone); TTF when it
 * was served again for good before the fault was rolled back (a function only degraded was
 * served by its alternates throughout: TTF = TTD; one served again only by the rollback did not
 * fail over: TTF null); TTR when it was whole (operational) again for good. Times are ms from
 * `startedAt`; changes in the order they happened.
 */
export function functionOutcomes(startedAt: number, rolledBackAt: number | null, changes: readonly FunctionChange[]): FunctionOutcome[] {
  const byFunction = new Map<number, FunctionChange[]>();
  for (const change of changes) byFunction.set(change.functionId, [...(byFunction.get(change.functionId) ?? []), change]);
  const outcomes: FunctionOutcome[] = [];
  for (const [functionId, list] of byFunction) {
    const firstHit = list.findIndex((c) => !whole(c));
    if (firstHit < 0) continue;
    const hit = list.slice(firstHit);
    const lastLost = hit.map((c) => c.status).lastIndexOf('lost');
    const servedAgain = lastLost < 0 ? hit[0] : hit[lastLost + 1];
    const failedOver = servedAgain !== undefined && (rolledBackAt === null || servedAgain.at < rolledBackAt) ? servedAgain : undefined;
    const last = hit.at(-1)!;
    const since = (c: FunctionChange | undefined) => (c === undefined ? null : c.at - startedAt);
    outcomes.push({
      functionId,
      lost: lastLost >= 0,
      ttdMs: since(hit[0]),
      ttfMs: since(failedOver),
      ttrMs: whole(last) ? since(last) : null,
    });
  }
  return outcomes.sort((a, b) => a.functionId - b.functionId);
}

const STATE_CHANGES = ['function.operational', 'function.degraded', 'function.lost', 'redundancy.lost', 'redundancy.restored'];

/** The function state changes recorded as the run's, in order. */
export async function runFunctionChanges(db: Db, runId: number): Promise<FunctionChange[]> {
  const rows = await db
    .select({ functionId: events.subjectId, at: events.ts, data: events.data })
    .from(events)
    .where(and(eq(events.drillRunId, runId), eq(events.subjectKind, 'function'), inArray(events.type, STATE_CHANGES)))
    .orderBy(asc(events.id));
  const isStatus = (v: unknown): v is FunctionStatus => FUNCTION_STATUSES.includes(v as FunctionStatus);
  return rows.flatMap(({ functionId, at, data }) => {
    const groups = Array.isArray(data.groups) ? (data.groups as Array<{ n: number; available: number }>) : [];
    return functionId !== null && isStatus(data.status) ? [{ functionId, at, status: data.status, allMembers: groups.every((g) => g.available >= g.n) }] : [];
  });
}

/** When the run's fault was lifted: its rollback or abort step, if it got that far. */
export function rolledBackAt(row: Pick<DrillRunRow, 'steps'>): number | null {
  return row.steps.find((s) => s.step === 'rollback' || s.step === 'abort' || s.step === 'interrupted')?.at ?? null;
}

/** When the monitor saw every target down (the runner's `detected` step), or null. */
export function targetsSeenDownAt(row: Pick<DrillRunRow, 'steps'>): number | null {
  return row.steps.find((s) => s.step === 'detected')?.at ?? null;
}

/** When the run first took a function below full strength, or null when it never did. */
export function firstHitAt(row: Pick<DrillRunRow, 'startedAt'>, outcomes: readonly FunctionOutcome[]): number | null {
  const ttds = outcomes.flatMap((o) => (o.ttdMs === null ? [] : [o.ttdMs]));
  return ttds.length && row.startedAt !== null ? row.startedAt + Math.min(...ttds) : null;
}

/** The run's outcomes, read from what it recorded so far. */
export async function measureFunctions(db: Db, row: DrillRunRow): Promise<FunctionOutcome[]> {
  if (row.startedAt === null) return [];
  return functionOutcomes(row.startedAt, rolledBackAt(row), await runFunctionChanges(db, row.id));
}

/** A finished run's figures from what it measured: none claims a failover when no function was taken down. */
export async function measuredFigures(db: Db, row: DrillRunRow): Promise<Pick<DrillRunRow, 'functionOutcomes' | 'detectedAt'> & Partial<DrillRunRow>> {
  const functionOutcomes = await measureFunctions(db, row);
  const detectedAt = firstHitAt(row, functionOutcomes);
  return detectedAt === null ? { functionOutcomes, detectedAt, failoverCompletedAt: null, rtoMet: null } : { functionOutcomes, detectedAt };
}
