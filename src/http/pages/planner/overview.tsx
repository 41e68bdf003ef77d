import type { Context } from 'hono';
import { resilienceReport } from '../../../core/services/drill-reports.js';
import { runView } from '../../../core/drills/run-view.js';
import { listDrills, listFindings } from '../../../core/services/drills.js';
import { listScenarios } from '../../../core/services/scenarios.js';
import { pageContext, type PageEnv } from '../session.js';
import { ContinuityGlossary, PlannerPage, RunStatus, Verdict } from './components.js';
import { latestRuns, runDrills } from '../../../core/services/read-models/planner.js';
import { duration, FAULT_TYPE_WORDS, relative, zoned } from './format.js';
import { upcoming } from './upcoming.js';
import { utc } from '../format.js';

type Report = Awaited<ReturnType<typeof resilienceReport>>;

export const DEFAULT_CYCLE_DAYS = 365;

/** A scenario's parameters in one line a planner can read. */
export function scenarioSummary(kind: string, params: Record<string, unknown>): string {
  const p = params as Record<string, any>;
  const list = (v: unknown) => (Array.isArray(v) ? v.join('/') : String(v));
  switch (kind) {
    case 'earthquake':
      return `Mw ${p.mw} at ${p.lat}°, ${p.lon}°, depth ${p.depthKm} km (${FAULT_TYPE_WORDS[p.faultType] ?? p.faultType}); down from intensity ${p.downFrom ?? '6-lower'}, degraded from ${p.degradedFrom ?? '5-lower'}`;
    case 'cyberattack': {
      const sel = Object.entries((p.selector ?? {}) as Record<string, unknown>).map(([k, v]) => `${k} ${list(v)}`);
      return `selects ${sel.join(', ') || 'assets'}; ${p.impact ?? 'down'}; recovery ${p.recoveryHours} h`;
    }
    case 'power':
      return `grid region ${p.gridRegion} out for ${p.outageHours} h (assets run on backup power, then go down)`;
    case 'fiber_cut':
      return `${p.linkIds?.length ? `links ${list(p.linkIds)}` : `links within ${p.corridor?.widthKm} km of a corridor`}; ${p.impact ?? 'down'}; repair ${p.repairHours ?? 240} h`;
    case 'space_weather':
      return `NOAA R${p.radio ?? 0} S${p.solar ?? 0} G${p.geomagnetic ?? 0} for ${p.durationHours ?? 12} h`;
    default: {
      const sel = Object.keys((p.selector ?? {}) as Record<string, unknown>);
      return `custom selectors (${sel.join(', ')}); ${p.impact ?? 'down'} for ${p.durationHours ?? 24} h`;
    }
  }
}

export async function overviewPage(c: Context<PageEnv>) {
  const ctx = pageContext(c);
  const now = ctx.now();
  const cycleQuery = Number(c.req.query('cycleDays'));
  const cycleDays = Number.isInteger(cycleQuery) && cycleQuery > 0 && cycleQuery <= 3650 ? cycleQuery : DEFAULT_CYCLE_DAYS;
  const [scenarios, drills, report, findings, latest] = await Promise.all([
    listScenarios(ctx),
    listDrills(ctx),
    resilienceReport(ctx, cycleDays),
    listFindings(ctx),
    latestRuns(ctx.db),
  ]);
  const openFindings = findings.filter((f) => f.status !== 'closed');
  const findingRuns = await runDrills(ctx.db, openFindings.map((f) => f.runId));
  const today = utc(now).slice(0, 10);

  return c.html(
    <PlannerPage title="Overview" session={c.get('session')} current="overview">
      <h1>Continuity planning</h1>
      <div class="pl-cols">
        <ScorePanel report={report} cycleDays={cycleDays} />

        <OverduePanel report={report} cycleDays={cycleDays} now={now} />
      </div>

      <FunctionsTable report={report} />

      <DrillsTable drills={drills} latest={latest} now={now} />

      <ScenariosTable scenarios={scenarios} />

      <OpenFindings findings={openFindings} findingRuns={findingRuns} today={today} />

      <ContinuityGlossary />
    </PlannerPage>,
  );
}

function ScorePanel({ report, cycleDays }: { report: Report; cycleDays: number }) {
  return (
    <section class="panel pl-score" aria-labelledby="score-h">
      <h2 id="score-h">Resilience score</h2>
      <p class="pl-score-value">
        {report.score === null ? <span>no functions yet</span> : <><strong data-score={report.score}>{report.score}</strong><span> / 100</span></>}
      </p>
      <p class="pl-formula" data-formula={report.scoreFormula}>
        <strong>Formula:</strong> Σ(tier weight × function score) ÷ Σ tier weight; weights PMEF 3, MEF 2, supporting 1. A function is scored by the
        latest drill run that <em>took that function below full strength</em> (degraded or lost) and was not stopped by a guardrail:{' '}
        <strong>100</strong> it passed (failed over within its RTO and came back) within the {cycleDays}-day cycle, <strong>75</strong> that pass has
        expired, <strong>0</strong> it failed, <strong>0</strong> never exercised. A run that never hurt a function records nothing for it; a
        guardrail abort (the drill was unsafe, not the function weak) is shown below, not scored. Drills are retired, never deleted: their runs keep counting.
      </p>
      <p class="muted">
        After Gremlin's reliability score (passed 100, expired 75, failed 50, not run 0), except that a failure scores 0: a failing drill must not
        lift a function above one never tested. Of AWS Resilience Hub's parts (tests, alarms, SOPs, compliance) this scores the tests only.
      </p>
      <form method="get" action="/planner" class="pl-inline-form">
        <label for="cycleDays">Exercise cycle (days)</label>
        <input id="cycleDays" name="cycleDays" type="number" min="1" max="3650" value={String(cycleDays)} />
        <button type="submit">Recalculate</button>
      </form>
    </section>
  );
}

function OverduePanel({ report, cycleDays, now }: { report: Report; cycleDays: number; now: number }) {
  const byFunction = new Map(report.functions.map((f) => [f.functionId, f]));
  return (
    <section class="panel" aria-labelledby="overdue-h">
      <h2 id="overdue-h">Overdue exercises ({report.overdue.length})</h2>
      <p class="muted">Mission functions no drill run took below full strength (and judged) within the last {cycleDays} days.</p>
      {report.overdue.length ? (
        <ul class="pl-overdue">
          {report.overdue.map((o) => {
            const f = byFunction.get(o.functionId);
            return (
              <li data-key={o.key}>
                <span class="pl-flag">⚠ OVERDUE</span> <strong>{f?.name ?? o.key}</strong> {f ? <span class="muted">({f.tier})</span> : null} —{' '}
                {o.lastExercisedAt ? `last exercised ${utc(o.lastExercisedAt)} (${relative(Date.parse(o.lastExercisedAt), now)})` : 'never exercised'}
              </li>
            );
          })}
        </ul>
      ) : (
        <p>✔ Every mission function was exercised within its cycle.</p>
      )}
    </section>
  );
}

function FunctionsTable({ report }: { report: Report }) {
  return (
    <section aria-labelledby="functions-h">
      <h2 id="functions-h">Mission functions: recovery measured in drills and incidents</h2>
      <div class="pl-scroll">
        <table class="pl-table">
          <caption class="sr-only">Per mission function: score, last exercise, and TTD, TTF, TTR p50 and p95</caption>
          <thead>
            <tr>
              <th scope="col">Function</th><th scope="col">Tier</th><th scope="col">Score</th><th scope="col">Evidence</th><th scope="col">Last exercised</th><th scope="col">Last verdict</th><th scope="col">Guardrail aborts</th>
              <th scope="col">TTD p50 / p95</th><th scope="col">TTF p50 / p95</th><th scope="col">TTR p50 / p95</th><th scope="col">RTO</th><th scope="col">RTO compliance</th>
            </tr>
          </thead>
          <tbody>
            {report.functions.map((f) => (
              <tr data-key={f.key}>
                <th scope="row">{f.name}</th>
                <td>{f.tier}</td>
                <td>{f.score}</td>
                <td data-evidence={f.evidence}>{EVIDENCE_WORDS[f.evidence]}</td>
                <td>{f.lastExercisedAt ? utc(f.lastExercisedAt) : 'never'}{f.overdue ? <span class="pl-flag"> ⚠ overdue</span> : null}</td>
                <td>{f.lastRun ? <a href={`/planner/drills/${f.lastRun.drillId}/runs/${f.lastRun.runId}`}><Verdict verdict={f.lastVerdict} /></a> : <Verdict verdict={null} />}</td>
                <td data-guardrail-aborts={f.guardrailAborts.count}><GuardrailAborts aborts={f.guardrailAborts} /></td>
                <td>{duration(f.detect.p50Ms)} / {duration(f.detect.p95Ms)}</td>
                <td>{duration(f.failover.p50Ms)} / {duration(f.failover.p95Ms)}</td>
                <td>{duration(f.recover.p50Ms)} / {duration(f.recover.p95Ms)}</td>
                <td>{duration(f.rtoSeconds * 1000)}</td>
                <td>{f.rtoCompliancePct === null ? '—' : `${f.rtoCompliancePct} %`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p><a href="/planner/trends">Recovery trends over time →</a></p>
    </section>
  );
}

const EVIDENCE_WORDS: Record<Report['functions'][number]['evidence'], string> = {
  passed: 'failover proven',
  expired: 'proven, expired',
  failed: 'failover failed',
  not_exercised: 'not exercised',
};

function GuardrailAborts({ aborts }: { aborts: Report['functions'][number]['guardrailAborts'] }) {
  if (!aborts.last) return <span class="muted">none</span>;
  const { runId, drillId, reason } = aborts.last;
  return <>{aborts.count} · last <a href={`/planner/drills/${drillId}/runs/${runId}`}>run {runId}</a>{reason ? <span class="muted">: {reason}</span> : null}</>;
}

function DrillsTable({ drills, latest, now }: { drills: Awaited<ReturnType<typeof listDrills>>; latest: Awaited<ReturnType<typeof latestRuns>>; now: number }) {
  return (
    <section aria-labelledby="drills-h">
      <h2 id="drills-h">Drills ({drills.length})</h2>
      {drills.length ? (
        <div class="pl-scroll">
          <table class="pl-table">
            <thead>
              <tr>
                <th scope="col">Drill</th><th scope="col">Type / mode</th><th scope="col">Schedule</th><th scope="col">Next run</th><th scope="col">Last run</th>
              </tr>
            </thead>
            <tbody>
              {drills.map((d) => {
                const next = d.cron && d.enabled && !d.retiredAt ? (upcoming(d.cron, d.timezone, now, 1)[0] ?? null) : null;
                const last = latest.get(d.id);
                const lastView = last ? runView(last) : null;
                return (
                  <tr data-key={d.key}>
                    <th scope="row"><span class="drill-tag">DRILL</span> <a href={`/planner/drills/${d.id}`}>{d.name}</a></th>
                    <td>{d.exerciseType} · {d.mode}</td>
                    <td>{d.cron ? <><code>{d.cron}</code> <span class="muted">({d.timezone ?? 'UTC'})</span></> : 'on demand (no schedule)'}{d.enabled ? null : <strong> · disabled</strong>}{d.retiredAt ? <strong data-retired> · retired {utc(d.retiredAt)}</strong> : null}</td>
                    <td>{next === null ? '—' : <>{zoned(next, d.timezone)}<br /><span class="muted">{utc(next)}, {relative(next, now)}</span></>}</td>
                    <td>
                      {lastView ? (
                        <>
                          <a href={`/planner/drills/${d.id}/runs/${lastView.id}`}>Run {lastView.id}</a>: <RunStatus status={lastView.status} />, <Verdict verdict={lastView.verdict} />
                          <br /><span class="muted">{utc(lastView.startedAt)}</span>
                        </>
                      ) : (
                        <span class="muted">never run</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">No drills defined yet (POST /api/drills or the apply file's <code>drills:</code>).</p>
      )}
    </section>
  );
}

function ScenariosTable({ scenarios }: { scenarios: Awaited<ReturnType<typeof listScenarios>> }) {
  return (
    <section aria-labelledby="scenarios-h">
      <h2 id="scenarios-h">Outage scenarios ({scenarios.length})</h2>
      {scenarios.length ? (
        <div class="pl-scroll">
          <table class="pl-table">
            <thead>
              <tr><th scope="col">Scenario</th><th scope="col">Kind</th><th scope="col">Parameters</th><th scope="col">Description</th></tr>
            </thead>
            <tbody>
              {scenarios.map((s) => (
                <tr data-key={s.key}>
                  <th scope="row"><a href={`/planner/scenarios/${s.id}`}>{s.name}</a></th>
                  <td>{s.kind.replace(/_/g, ' ')}</td>
                  <td>{scenarioSummary(s.kind, s.params)}</td>
                  <td class="muted">{s.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">No scenarios defined yet.</p>
      )}
    </section>
  );
}

function OpenFindings(props: { findings: Awaited<ReturnType<typeof listFindings>>; findingRuns: Awaited<ReturnType<typeof runDrills>>; today: string }) {
  const { findings: openFindings, findingRuns, today } = props;
  return (
    <section aria-labelledby="findings-h">
      <h2 id="findings-h">Open findings ({openFindings.length})</h2>
      {openFindings.length ? (
        <div class="pl-scroll">
          <table class="pl-table">
            <thead>
              <tr><th scope="col">Finding</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">From</th></tr>
            </thead>
            <tbody>
              {openFindings.map((f) => {
                const from = findingRuns.get(f.runId);
                const late = f.dueDate < today;
                return (
                  <tr data-finding={f.id}>
                    <th scope="row">{f.title}</th>
                    <td>{f.owner}</td>
                    <td>{f.dueDate}{late ? <strong class="pl-flag"> ⚠ past due</strong> : null}</td>
                    <td>{f.status.replace('_', ' ')}</td>
                    <td>{from ? <a href={`/planner/drills/${from.drillId}/runs/${f.runId}#findings`}>{from.drillName}, run {f.runId}</a> : `run ${f.runId}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p>✔ No open findings.</p>
      )}
    </section>
  );
}
