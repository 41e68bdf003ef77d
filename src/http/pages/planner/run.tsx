// A drill run's after-action report: result, timeline, targets, functions, steps and findings.
import type { Context } from 'hono';
import { afterActionReport, type AfterActionReport } from '../../../core/services/drill-reports.js';
import type { SessionInfo } from '../../../core/services/sessions.js';
import { functionNames } from '../../../core/services/read-models/planner.js';
import { pageContext, type PageEnv } from '../session.js';
import { Notice, PlannerPage, RtoMet, RunStatus, Verdict } from './components.js';
import { FindingForm, FindingsTable, type FindingFormState } from './findings.js';
import { duration, durationSeconds } from './format.js';
import { utc, utcSeconds } from '../format.js';

type FunctionNames = Awaited<ReturnType<typeof functionNames>>;

export async function runPage(c: Context<PageEnv>, drillId: number, runId: number, options: { canRun: boolean; form?: FindingFormState; error?: string; status?: 200 | 400 | 403 | 409 | 503 }) {
  const ctx = pageContext(c);
  const session = c.get('session')!;
  const r = await afterActionReport(ctx, drillId, runId);
  const fns = await functionNames(ctx.db);
  const run = r.run;
  const today = utc(ctx.now()).slice(0, 10);

  return c.html(
    <PlannerPage
      title={`After-action report: ${r.drill.name}, run ${run.id}`}
      session={session}
      crumbs={[
        { href: '/planner', label: 'Planner' },
        { href: `/planner/drills/${drillId}`, label: r.drill.name },
        { label: `Run ${run.id}` },
      ]}
    >
      <div class="drill-banner" role="note" data-drill-run={run.status === 'running' ? run.id : undefined}>
        This was a drill ({r.drill.exerciseType}, {r.drill.mode}{r.drill.scenario ? `, scenario “${r.drill.scenario.name}”` : ''}), not a real outage.
      </div>
      <h1>After-action report: {r.drill.name}, run {run.id}</h1>
      {options.error ? <Notice kind="error">{options.error}</Notice> : null}

      <div class="pl-cols">
        <RunResult report={r} fns={fns} canRun={options.canRun} session={session} runUrl={`/planner/drills/${drillId}/runs/${runId}`} />
        <RunTimeline report={r} />
      </div>

      <RunTargets report={r} />

      <RunFunctions report={r} />

      <StepLog report={r} />

      <section aria-labelledby="findings-h" id="findings">
        <h2 id="findings-h">Findings ({r.findings.length})</h2>
        <FindingsTable findings={r.findings} today={today} session={session} />

        <FindingForm action={`/planner/drills/${drillId}/runs/${runId}/findings`} form={options.form} session={session} />
      </section>
    </PlannerPage>,
    options.status ?? 200,
  );
}

function RunResult(props: { report: AfterActionReport; fns: FunctionNames; canRun: boolean; session: SessionInfo; runUrl: string }) {
  const { report: r, fns, canRun, session, runUrl } = props;
  const run = r.run;
  return (
    <section class="panel" aria-labelledby="result-h">
      <h2 id="result-h">Result</h2>
      <dl class="pl-dl">
        <dt>Status</dt><dd><RunStatus status={run.status} /> <span class="muted">({run.trigger})</span></dd>
        <dt>Verdict</dt><dd><Verdict verdict={run.verdict} />{run.abortReason ? <> — aborted: {run.abortReason}</> : null}</dd>
        <dt>Hypothesis</dt>
        <dd>
          {(r.hypothesis.functionIds.length ? r.hypothesis.functionIds.map((f) => fns.get(f)?.name ?? `function ${f}`).join(', ') : 'the functions the targets hurt')}
          {r.hypothesis.ttfLimitSeconds ? `, TTF ≤ ${durationSeconds(r.hypothesis.ttfLimitSeconds)}` : ''} — {run.verdict === null ? 'not judged' : r.hypothesis.held ? '✔ held' : '✖ did not hold'}
        </dd>
        <dt>RTO</dt><dd><RtoMet met={run.rtoMet} /></dd>
      </dl>
      {run.status === 'running' ? (
        <>
          <p><strong>In progress.</strong> Reload the page to see new steps.</p>
          {canRun ? (
            <form method="post" action={`${runUrl}/abort`} class="pl-inline-form">
              <input type="hidden" name="_csrf" value={session.csrf} />
              <label for="abort-reason">Reason</label>
              <input id="abort-reason" name="reason" maxlength={500} value="aborted by a planner" />
              <button type="submit">Abort and roll back</button>
            </form>
          ) : null}
        </>
      ) : null}
      <p><a href={`${runUrl}/report.md`}>Download the report as Markdown</a></p>
    </section>
  );
}

function RunTimeline({ report: { run } }: { report: AfterActionReport }) {
  return (
    <section class="panel" aria-labelledby="timing-h">
      <h2 id="timing-h">Timeline and measurements</h2>
      <table class="pl-table pl-compact" id="run-metrics">
        <caption class="sr-only">Run timestamps and TTD, TTF, TTR</caption>
        <tbody>
          <tr><th scope="row">Started (fault injected)</th><td>{utcSeconds(run.startedAt)}</td><td></td></tr>
          <tr><th scope="row">A function first hit</th><td>{utcSeconds(run.detectedAt)}</td><td data-metric="ttd">TTD {duration(run.ttdMs)}</td></tr>
          <tr><th scope="row">Failover completed</th><td>{utcSeconds(run.failoverCompletedAt)}</td><td data-metric="ttf">TTF {duration(run.ttfMs)}</td></tr>
          <tr><th scope="row">Restored</th><td>{utcSeconds(run.restoredAt)}</td><td data-metric="ttr">TTR {duration(run.ttrMs)}</td></tr>
          <tr><th scope="row">Finished</th><td>{utcSeconds(run.finishedAt)}</td><td></td></tr>
        </tbody>
      </table>
      {run.functions.length || run.status === 'running' ? null : (
        <p class="muted" id="not-exercised">No function was taken below full strength: no failover happened, and none is claimed.</p>
      )}
    </section>
  );
}

function RunTargets({ report: r }: { report: AfterActionReport }) {
  return (
    <section aria-labelledby="targets-h">
      <h2 id="targets-h">Targets ({r.targets.length})</h2>
      {r.targets.length ? (
        <ul>
          {r.targets.map((t) => (
            <li>{t.name} <span class="muted">(<code>{t.key}</code>, {t.kind.replace(/_/g, ' ')})</span></li>
          ))}
        </ul>
      ) : (
        <p class="muted">No targets were resolved.</p>
      )}
    </section>
  );
}

function RunFunctions({ report: r }: { report: AfterActionReport }) {
  return (
    <section aria-labelledby="rfunctions-h">
      <h2 id="rfunctions-h">Mission functions</h2>
      <p class="muted">Each function's own figures, from its state changes during the run. <em>Not exercised</em>: the run never took it below full strength, so it proves nothing about it.</p>
      {r.functions.length ? (
        <div class="pl-scroll">
          <table class="pl-table">
            <thead>
              <tr><th scope="col">Function</th><th scope="col">Tier</th><th scope="col">RTO</th><th scope="col">MTD</th><th scope="col">Hit</th><th scope="col">TTD</th><th scope="col">TTF</th><th scope="col">TTR</th><th scope="col">Against RTO</th><th scope="col">MTD margin</th></tr>
            </thead>
            <tbody>
              {r.functions.map((f) => (
                <tr data-key={f.key} data-exercised={String(f.exercised)}>
                  <th scope="row">{f.name}</th>
                  <td>{f.tier}</td>
                  <td>{durationSeconds(f.rtoSeconds)}</td>
                  <td>{durationSeconds(f.mtdSeconds)}</td>
                  <td>{f.exercised ? (f.lost ? 'lost' : 'degraded') : <span class="muted">not exercised</span>}</td>
                  <td data-metric="ttd">{duration(f.ttdMs)}</td>
                  <td data-metric="ttf">{duration(f.ttfMs)}</td>
                  <td data-metric="ttr">{duration(f.ttrMs)}</td>
                  <td><RtoMet met={f.rtoMet} by={f.rtoMet === false && f.ttfMs !== null ? duration(f.ttfMs - f.rtoSeconds * 1000) : undefined} /></td>
                  <td>{f.mtdMarginMs === null ? '—' : f.mtdMarginMs < 0 ? <strong class="pl-flag">✖ MTD exceeded by {duration(-f.mtdMarginMs)}</strong> : duration(f.mtdMarginMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">No mission function depended on the targets.</p>
      )}
    </section>
  );
}

function StepLog({ report: { run } }: { report: AfterActionReport }) {
  return (
    <section aria-labelledby="steps-h">
      <h2 id="steps-h">Step log ({run.steps.length})</h2>
      <ol class="pl-steps" id="step-log">
        {run.steps.map((s) => (
          <li data-step={s.step}>
            <time datetime={s.at ?? undefined}>{utcSeconds(s.at)}</time> <strong>{s.step.replace(/_/g, ' ')}</strong>: {s.detail}
          </li>
        ))}
      </ol>
    </section>
  );
}
