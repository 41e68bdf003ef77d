import { asc, desc, eq } from 'drizzle-orm';
import { assets, drillFindings, drillRuns, incidents, missionFunctions, scenarios } from '../store/schema/index.js';
import { authorize } from '../domain/roles.js';
import { isoTime, DAY_MS } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { loadDrill } from '../drills/drill-queries.js';
import { runView } from '../drills/run-view.js';
import { findingView, loadRun } from './drills.js';
import { percentile } from '../domain/stats.js';
import { idsIn } from '../store/ids.js';


/** The after-action report of one run: what was done, what was measured, what was found. */
export async function afterActionReport(ctx: ServiceContext, drillId: number, runId: number) {
  authorize(ctx.actor, 'read');
  const drill = await loadDrill(ctx.db, drillId);
  const run = await loadRun(ctx.db, drillId, runId);
  const view = runView(run);
  const [scenario] = drill.scenarioId === null ? [] : await ctx.db.select().from(scenarios).where(eq(scenarios.id, drill.scenarioId));
  const targetRows = run.targetAssetIds.length ? await ctx.db.select().from(assets).where(idsIn(assets.id, run.targetAssetIds)) : [];
  const functionRows = run.functionIds.length ? await ctx.db.select().from(missionFunctions).where(idsIn(missionFunctions.id, run.functionIds)) : [];
  const findings = await ctx.db.select().from(drillFindings).where(eq(drillFindings.runId, runId)).orderBy(asc(drillFindings.id));
  const ttf = view.ttfMs;
  return {
    drill: { id: drill.id, key: drill.key, name: drill.name, exerciseType: drill.exerciseType, mode: drill.mode, scenario: scenario ? { id: scenario.id, key: scenario.key, name: scenario.name, kind: scenario.kind } : null },
    run: view,
    targets: targetRows.map((a) => ({ assetId: a.id, key: a.key, name: a.name, kind: a.kind })),
    functions: functionRows.map((f) => ({
      functionId: f.id, key: f.key, name: f.name, tier: f.tier, rtoSeconds: f.rtoSeconds, mtdSeconds: f.mtdSeconds,
      ttfMs: ttf, rtoMet: ttf === null ? null : ttf <= f.rtoSeconds * 1000, mtdMarginMs: ttf === null ? null : f.mtdSeconds * 1000 - ttf,
    })),
    hypothesis: { ...drill.hypothesis, held: view.verdict === 'pass' },
    findings: findings.map(findingView),
  };
}
export type AfterActionReport = Awaited<ReturnType<typeof afterActionReport>>;

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

export function afterActionMarkdown(r: AfterActionReport): string {
  const lines = [
    `# After-action report: ${r.drill.name}, run ${r.run.id}`,
    '',
    `**This was a drill** (${r.drill.exerciseType}, ${r.drill.mode}${r.drill.scenario ? `, scenario "${r.drill.scenario.name}"` : ''}).`,
    '',
    `- Status: ${r.run.status}; verdict: **${r.run.verdict ?? 'none'}**${r.run.abortReason ? ` (aborted: ${r.run.abortReason})` : ''}`,
    `- Started ${r.run.startedAt ?? '—'}, detected ${r.run.detectedAt ?? '—'}, failed over ${r.run.failoverCompletedAt ?? '—'}, restored ${r.run.restoredAt ?? '—'}`,
    `- TTD ${seconds(r.run.ttdMs)} · TTF ${seconds(r.run.ttfMs)} · TTR ${seconds(r.run.ttrMs)} · RTO met: ${r.run.rtoMet === null ? '—' : r.run.rtoMet ? 'yes' : 'no'}`,
    '',
    '## Targets',
    '',
    ...r.targets.map((t) => `- ${t.name} (\`${t.key}\`, ${t.kind})`),
    '',
    '## Mission functions',
    '',
    '| function | tier | RTO | TTF | RTO met | MTD margin |',
    '|---|---|---|---|---|---|',
    ...r.functions.map((f) => `| ${f.name} | ${f.tier} | ${f.rtoSeconds} s | ${seconds(f.ttfMs)} | ${f.rtoMet === null ? '—' : f.rtoMet ? 'yes' : 'no'} | ${seconds(f.mtdMarginMs)} |`),
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

/**
 * Recovery performance per mission function over drills and real incidents, RTO compliance,
 * overdue exercises, and a resilience score. Score per function (after Gremlin's reliability
 * score): its latest drill passed within the exercise cycle → 100; passed, but longer ago than
 * the cycle (the pass has expired) → 75; failed or aborted → 50; never exercised → 0. The
 * overall score weights functions by tier (PMEF 3, MEF 2, supporting 1).
 */
export async function resilienceReport(ctx: ServiceContext, cycleDays: number) {
  authorize(ctx.actor, 'read');
  const now = ctx.now();
  const functionRows = await ctx.db.select().from(missionFunctions).orderBy(asc(missionFunctions.id));
  const runs = await ctx.db.select().from(drillRuns).orderBy(desc(drillRuns.id));
  const incidentRows = await ctx.db.select().from(incidents);

  const perFunction = functionRows.map((f) => {
    const fnRuns = runs.filter((r) => r.functionIds.includes(f.id) && r.startedAt !== null && r.status !== 'scheduled');
    const measured = fnRuns.filter((r) => r.status === 'completed');
    const fnIncidents = incidentRows.filter((i) => i.functionIds.includes(f.id));
    const ttd = [...measured.flatMap((r) => (r.detectedAt ? [r.detectedAt - r.startedAt!] : [])), ...fnIncidents.map((i) => i.openedAt - i.startedAt)];
    const ttf = measured.flatMap((r) => (r.failoverCompletedAt ? [r.failoverCompletedAt - r.startedAt!] : []));
    const ttr = [...measured.flatMap((r) => (r.restoredAt ? [r.restoredAt - r.startedAt!] : [])), ...fnIncidents.flatMap((i) => (i.resolvedAt ? [i.resolvedAt - i.startedAt] : []))];
    const rtoChecks = [...measured.flatMap((r) => (r.rtoMet === null ? [] : [r.rtoMet])), ...fnIncidents.flatMap((i) => (i.resolvedAt ? [i.resolvedAt - i.startedAt <= f.rtoSeconds * 1000] : []))];
    // Tabletop runs (no verdict) are discussions: they neither pass nor fail a function.
    const latest = fnRuns.filter((r) => r.verdict !== null).sort((a, b) => b.startedAt! - a.startedAt!)[0];
    const withinCycle = latest !== undefined && now - latest.startedAt! <= cycleDays * DAY_MS;
    const score = !latest ? 0 : latest.verdict === 'pass' ? (withinCycle ? 100 : 75) : 50;
    return {
      functionId: f.id, key: f.key, name: f.name, tier: f.tier, rtoSeconds: f.rtoSeconds,
      detect: stat(ttd), failover: stat(ttf), recover: stat(ttr),
      rtoCompliancePct: rtoChecks.length ? Math.round((rtoChecks.filter(Boolean).length / rtoChecks.length) * 1000) / 10 : null,
      lastExercisedAt: isoTime(latest?.startedAt ?? null),
      lastVerdict: latest?.verdict ?? null,
      overdue: !withinCycle,
      score,
    };
  });
  const weight = (tier: keyof typeof TIER_WEIGHT) => TIER_WEIGHT[tier];
  const totalWeight = perFunction.reduce((sum, f) => sum + weight(f.tier), 0);
  return {
    generatedAt: isoTime(now),
    cycleDays,
    scoreFormula: 'Σ(tier weight × function score) / Σ tier weight; function score 100 pass within cycle, 75 pass expired, 50 failed/aborted, 0 never; weights PMEF 3, MEF 2, supporting 1',
    score: totalWeight ? Math.round((perFunction.reduce((sum, f) => sum + weight(f.tier) * f.score, 0) / totalWeight) * 10) / 10 : null,
    overdue: perFunction.filter((f) => f.overdue).map((f) => ({ functionId: f.functionId, key: f.key, lastExercisedAt: f.lastExercisedAt })),
    functions: perFunction,
  };
}
