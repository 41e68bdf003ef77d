import { asc, desc, eq } from 'drizzle-orm';
import { assets, drillFindings, drillRuns, incidents, missionFunctions, scenarios, type FunctionOutcome } from '../store/schema/index.js';
import { authorize } from '../domain/roles.js';
import { isoTime, DAY_MS } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { loadDrill } from '../drills/drill-queries.js';
import { runView } from '../drills/run-view.js';
import { findingView, loadRun } from './drills.js';
import { percentile } from '../domain/stats.js';
import { idsIn } from '../store/ids.js';
import { exercisingRuns, functionEvidence, outcomeOf } from '../drills/function-evidence.js';


/** The after-action report of one run: what was done, what was measured per function, what was found. */
export async function afterActionReport(ctx: ServiceContext, drillId: number, runId: number) {
  authorize(ctx.actor, 'read');
  const drill = await loadDrill(ctx.db, drillId);
  const run = await loadRun(ctx.db, drillId, runId);
  const view = runView(run);
  const [scenario] = drill.scenarioId === null ? [] : await ctx.db.select().from(scenarios).where(eq(scenarios.id, drill.scenarioId));
  const targetRows = run.targetAssetIds.length ? await ctx.db.select().from(assets).where(idsIn(assets.id, run.targetAssetIds)) : [];
  const functionIds = [...new Set([...run.functionIds, ...run.functionOutcomes.map((o) => o.functionId)])];
  const functionRows = functionIds.length ? await ctx.db.select().from(missionFunctions).where(idsIn(missionFunctions.id, functionIds)) : [];
  const findings = await ctx.db.select().from(drillFindings).where(eq(drillFindings.runId, runId)).orderBy(asc(drillFindings.id));
  return {
    drill: { id: drill.id, key: drill.key, name: drill.name, exerciseType: drill.exerciseType, mode: drill.mode, retiredAt: isoTime(drill.retiredAt), scenario: scenario ? { id: scenario.id, key: scenario.key, name: scenario.name, kind: scenario.kind } : null },
    run: view,
    targets: targetRows.map((a) => ({ assetId: a.id, key: a.key, name: a.name, kind: a.kind })),
    functions: functionRows.map((f) => functionFigures(f, outcomeOf(run, f.id))),
    hypothesis: { ...drill.hypothesis, held: view.verdict === 'pass' },
    findings: findings.map(findingView),
  };
}
export type AfterActionReport = Awaited<ReturnType<typeof afterActionReport>>;

/** One function's figures in a run: its own, or "not exercised" (all null) when the run never took it below full strength. */
function functionFigures(f: typeof missionFunctions.$inferSelect, outcome: FunctionOutcome | undefined) {
  const ttf = outcome?.ttfMs ?? null;
  return {
    functionId: f.id, key: f.key, name: f.name, tier: f.tier, rtoSeconds: f.rtoSeconds, mtdSeconds: f.mtdSeconds,
    exercised: outcome !== undefined,
    lost: outcome?.lost ?? false,
    ttdMs: outcome?.ttdMs ?? null,
    ttfMs: ttf,
    ttrMs: outcome?.ttrMs ?? null,
    // Lost and never served again before the rollback: it missed its RTO in this run.
    rtoMet: ttf !== null ? ttf <= f.rtoSeconds * 1000 : outcome?.lost ? false : null,
    mtdMarginMs: ttf === null ? null : f.mtdSeconds * 1000 - ttf,
  };
}

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
const yesNo = (v: boolean | null) => (v === null ? '—' : v ? 'yes' : 'no');

function functionRow(f: AfterActionReport['functions'][number]): string {
  if (!f.exercised) return `| ${f.name} | ${f.tier} | ${f.rtoSeconds} s | not exercised | — | — | — | — | — |`;
  return `| ${f.name} | ${f.tier} | ${f.rtoSeconds} s | ${f.lost ? 'lost' : 'degraded'} | ${seconds(f.ttdMs)} | ${seconds(f.ttfMs)} | ${seconds(f.ttrMs)} | ${yesNo(f.rtoMet)} | ${seconds(f.mtdMarginMs)} |`;
}

export function afterActionMarkdown(r: AfterActionReport): string {
  const exercised = r.run.functions.length > 0;
  const lines = [
    `# After-action report: ${r.drill.name}, run ${r.run.id}`,
    '',
    `**This was a drill** (${r.drill.exerciseType}, ${r.drill.mode}${r.drill.scenario ? `, scenario "${r.drill.scenario.name}"` : ''}).`,
    '',
    `- Status: ${r.run.status}; verdict: **${r.run.verdict ?? 'none'}**${r.run.abortReason ? ` (aborted: ${r.run.abortReason})` : ''}`,
    `- Started ${r.run.startedAt ?? '—'}, function first hit ${r.run.detectedAt ?? '—'}, failed over ${r.run.failoverCompletedAt ?? '—'}, restored ${r.run.restoredAt ?? '—'}`,
    exercised
      ? `- TTD ${seconds(r.run.ttdMs)} · TTF ${seconds(r.run.ttfMs)} · TTR ${seconds(r.run.ttrMs)} · RTO met: ${yesNo(r.run.rtoMet)}`
      : '- No function was taken below full strength: no failover happened, none was measured (not exercised).',
    '',
    '## Targets',
    '',
    ...r.targets.map((t) => `- ${t.name} (\`${t.key}\`, ${t.kind})`),
    '',
    '## Mission functions',
    '',
    'Each function\'s own figures, from its state changes during the run; "not exercised": the run never took it below full strength.',
    '',
    '| function | tier | RTO | hit | TTD | TTF | TTR | RTO met | MTD margin |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.functions.map(functionRow),
    '',
    '## Steps',
    '',
    ...r.run.steps.map((s) => `- ${s.at} — **${s.step}**: ${s.detail}`),
    '',
    '## Findings',
    '',
    ...(r.findings.length ? r.findings.map((f) => `- [${f.status === 'closed' ? 'x' : ' '}] ${f.title} — owner ${f.owner}, due ${f.dueDate} (${f.status})`) : ['None recorded.']),
    '',
  ];
  return lines.join('\n');
}

const stat = (values: number[]) => ({ count: values.length, p50Ms: percentile(values, 50), p95Ms: percentile(values, 95) });

const TIER_WEIGHT = { PMEF: 3, MEF: 2, supporting: 1 } as const;

export const SCORE_FORMULA =
  'Σ(tier weight × function score) / Σ tier weight, weights PMEF 3, MEF 2, supporting 1. Function score from the latest run that took that function below full strength (degraded or lost) and was not stopped by a guardrail: ' +
  '100 it passed — failed over within its RTO and came back — within the exercise cycle; 75 that pass is older than the cycle (expired); 0 it failed; 0 never exercised. ' +
  'A run that never hurt the function records nothing for it; a guardrail abort is shown, not scored.';

/**
 * Recovery performance per mission function over drills and real incidents, RTO compliance,
 * overdue exercises, and a resilience score (SCORE_FORMULA; see function-evidence.ts). Every
 * figure of a drill is the function's own, measured in a run that took it below full strength.
 */
export async function resilienceReport(ctx: ServiceContext, cycleDays: number) {
  authorize(ctx.actor, 'read');
  const now = ctx.now();
  const functionRows = await ctx.db.select().from(missionFunctions).orderBy(asc(missionFunctions.id));
  const runs = await ctx.db.select().from(drillRuns).orderBy(desc(drillRuns.id));
  const incidentRows = await ctx.db.select().from(incidents);

  const perFunction = functionRows.map((f) => {
    const measured = exercisingRuns(runs, f.id).filter((r) => r.status === 'completed').map((r) => outcomeOf(r, f.id)!);
    const fnIncidents = incidentRows.filter((i) => i.functionIds.includes(f.id));
    const figures = (pick: (o: FunctionOutcome) => number | null) => measured.flatMap((o) => (pick(o) === null ? [] : [pick(o)!]));
    const ttd = [...figures((o) => o.ttdMs), ...fnIncidents.map((i) => i.openedAt - i.startedAt)];
    const ttr = [...figures((o) => o.ttrMs), ...fnIncidents.flatMap((i) => (i.resolvedAt ? [i.resolvedAt - i.startedAt] : []))];
    // A function lost and never served again before the rollback missed its RTO in that run.
    const rtoChecks = [
      ...measured.flatMap((o) => (o.ttfMs !== null ? [o.ttfMs <= f.rtoSeconds * 1000] : o.lost ? [false] : [])),
      ...fnIncidents.flatMap((i) => (i.resolvedAt ? [i.resolvedAt - i.startedAt <= f.rtoSeconds * 1000] : [])),
    ];
    const { latest, withinCycle, evidence, score, guardrailAborts } = functionEvidence(f, runs, now, cycleDays * DAY_MS);
    const lastAbort = guardrailAborts[0];
    return {
      functionId: f.id, key: f.key, name: f.name, tier: f.tier, rtoSeconds: f.rtoSeconds,
      detect: stat(ttd), failover: stat(figures((o) => o.ttfMs)), recover: stat(ttr),
      rtoCompliancePct: rtoChecks.length ? Math.round((rtoChecks.filter(Boolean).length / rtoChecks.length) * 1000) / 10 : null,
      lastExercisedAt: isoTime(latest?.startedAt ?? null),
      lastVerdict: latest?.verdict ?? null,
      lastRun: latest ? { runId: latest.id, drillId: latest.drillId } : null,
      evidence,
      overdue: !withinCycle,
      score,
      guardrailAborts: {
        count: guardrailAborts.length,
        last: lastAbort ? { runId: lastAbort.id, drillId: lastAbort.drillId, at: isoTime(lastAbort.startedAt), reason: lastAbort.abortReason } : null,
      },
    };
  });
  const weight = (tier: keyof typeof TIER_WEIGHT) => TIER_WEIGHT[tier];
  const totalWeight = perFunction.reduce((sum, f) => sum + weight(f.tier), 0);
  return {
    generatedAt: isoTime(now),
    cycleDays,
    scoreFormula: SCORE_FORMULA,
    score: totalWeight ? Math.round((perFunction.reduce((sum, f) => sum + weight(f.tier) * f.score, 0) / totalWeight) * 10) / 10 : null,
    overdue: perFunction.filter((f) => f.overdue).map((f) => ({ functionId: f.functionId, key: f.key, lastExercisedAt: f.lastExercisedAt })),
    functions: perFunction,
  };
}
