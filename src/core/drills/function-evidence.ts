// What the stored runs prove about one function's failover, and the score that follows. Pure:
// the resilience report feeds it the runs.
import type { DrillRunRow, FunctionOutcome } from '../store/schema/index.js';

export const EVIDENCE = ['passed', 'expired', 'failed', 'not_exercised'] as const;
export type Evidence = (typeof EVIDENCE)[number];

/**
 * Gremlin's reliability score gives a test passed 100, passed but expired 75, failed 50, not
 * run 0. A failed failover scores 0 here, not 50: 50 would let a failing drill lift a function
 * above one never tested, and the score must rise only when a failover was proven.
 */
export const EVIDENCE_SCORE: Record<Evidence, number> = { passed: 100, expired: 75, failed: 0, not_exercised: 0 };

export type ScoredRun = Pick<DrillRunRow, 'id' | 'drillId' | 'status' | 'verdict' | 'startedAt' | 'functionIds' | 'functionOutcomes' | 'abortReason'>;

export function outcomeOf(run: Pick<DrillRunRow, 'functionOutcomes'>, functionId: number): FunctionOutcome | undefined {
  return run.functionOutcomes.find((o) => o.functionId === functionId);
}

/** The run proved the function: it completed and passed, and took the function down, failed it over within its RTO and brought it back. */
export function provedFailover(run: ScoredRun, outcome: FunctionOutcome, rtoSeconds: number): boolean {
  return run.status === 'completed' && run.verdict === 'pass' && outcome.ttfMs !== null && outcome.ttrMs !== null && outcome.ttfMs <= rtoSeconds * 1000;
}

/**
 * The runs that speak for the function: finished, took it below full strength, and were not
 * stopped by a guardrail (an unsafe drill says nothing of the function), newest first.
 */
export function exercisingRuns<R extends ScoredRun>(runs: readonly R[], functionId: number): R[] {
  return runs
    .filter((r) => r.startedAt !== null && r.status !== 'running' && r.status !== 'scheduled' && r.verdict !== 'aborted_by_guardrail' && outcomeOf(r, functionId))
    .sort((a, b) => b.startedAt! - a.startedAt! || b.id - a.id);
}

/** The function's evidence from its latest exercising run, and the guardrail aborts of drills that touched it (shown, not scored). */
export function functionEvidence(fn: { id: number; rtoSeconds: number }, runs: readonly ScoredRun[], now: number, cycleMs: number) {
  const latest = exercisingRuns(runs, fn.id)[0];
  const withinCycle = latest !== undefined && now - latest.startedAt! <= cycleMs;
  const evidence: Evidence = !latest ? 'not_exercised' : !provedFailover(latest, outcomeOf(latest, fn.id)!, fn.rtoSeconds) ? 'failed' : withinCycle ? 'passed' : 'expired';
  const guardrailAborts = runs
    .filter((r) => r.verdict === 'aborted_by_guardrail' && r.functionIds.includes(fn.id))
    .sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0) || b.id - a.id);
  return { latest, withinCycle, evidence, score: EVIDENCE_SCORE[evidence], guardrailAborts };
}
