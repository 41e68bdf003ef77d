import type { Context } from 'hono';
import { nextCronTime } from '../../../core/domain/schedules.js';
import { afterActionReport } from '../../../core/services/drill-reports.js';
import { getDrill, listRuns } from '../../../core/services/drills.js';
import { getScenario } from '../../../core/services/scenarios.js';
import { pageContext, type PageEnv } from '../session.js';
import { Notice, PlannerPage, RtoMet, RunStatus, Verdict } from './components.js';
import { assetPlaces, functionNames } from '../../../core/services/read-models/planner.js';
import { duration, durationSeconds, relative, zoned } from './format.js';
import { utc, utcSeconds } from '../format.js';

export interface DrillPageOptions {
  /** Whether this instance runs drills (a DrillControl is present). */
  canRun: boolean;
  error?: string;
  status?: 200 | 400 | 403 | 404 | 409 | 422 | 503;
}

/** The next few scheduled occurrences. */
function upcoming(cron: string, timezone: string | null, now: number, count: number): number[] {
  const out: number[] = [];
  let after = now;
  try {
    for (let i = 0; i < count; i++) {
      const next = nextCronTime(cron, timezone, after);
      if (next === null) break;
      out.push(next);
      after = next;
    }
  } catch {
    // an invalid stored expression shows no occurrences
  }
  return out;
}

export async function drillPage(c: Context<PageEnv>, id: number, options: DrillPageOptions) {
  const ctx = pageContext(c);
  const session = c.get('session')!;
  const now = ctx.now();
  const drill = await getDrill(ctx, id);
  const [runs, places, fns, scenario] = await Promise.all([
    listRuns(ctx, id),
    assetPlaces(ctx.db),
    functionNames(ctx.db),
    drill.scenarioId === null ? Promise.resolve(null) : getScenario(ctx, drill.scenarioId),
  ]);
  const assetName = new Map(places.map((p) => [p.id, p.name]));
  const fnName = (fid: number) => fns.get(fid)?.name ?? `function ${fid}`;
  const running = runs.find((r) => r.status === 'running');
  const next = drill.cron && drill.enabled ? upcoming(drill.cron, drill.timezone, now, 3) : [];
  const hook = (h: { url: string; method: string } | null) => (h ? `${h.method} ${h.url}` : '—');

  return c.html(
    <PlannerPage
      title={`Drill: ${drill.name}`}
      session={session}
      crumbs={[{ href: '/planner', label: 'Planner' }, { href: '/planner#drills-h', label: 'Drills' }, { label: drill.name }]}
    >
      <div class="drill-banner" role="note">
        This is a drill definition. Its runs are exercises: targets are taken down on purpose, and drill events never open real incidents or page
        anyone.
      </div>
      <h1>
        <span class="drill-tag">DRILL</span> {drill.name}
      </h1>
      {options.error ? <Notice kind="error">{options.error}</Notice> : null}

      <section class="panel pl-actions" aria-labelledby="run-now-h">
        <h2 id="run-now-h">Run this drill</h2>
        {running ? (
          <p data-drill-run={running.id}>
            <strong>Run {running.id} is in progress</strong> (started {utc(running.startedAt)}). <a href={`/planner/drills/${id}/runs/${running.id}`}>Follow run {running.id}</a>.
            Overlapping runs are not allowed.
          </p>
        ) : null}
        {options.canRun ? (
          <form method="post" action={`/planner/drills/${id}/runs`} class="pl-inline-form">
            <input type="hidden" name="_csrf" value={session.csrf} />
            <button type="submit" class="pl-primary" id="start-run">Start a drill run now</button>
            <span class="muted">
              {drill.mode === 'live' && drill.exerciseType !== 'tabletop'
                ? 'Live mode: the inject hook is called for each target, then the rollback hook.'
                : drill.exerciseType === 'tabletop'
                  ? 'Tabletop: no fault is injected; the run records the discussion.'
                  : 'Simulated: the monitor treats the targets as down; nothing is touched.'}
            </span>
          </form>
        ) : (
          <Notice kind="info">
            Runs cannot be started from this instance: it does not run the monitor or the drill runner (COOPWATCH_MONITOR=0). Start runs on the
            instance that runs the monitor, or through <code>POST /api/drills/{id}/runs</code> there.
          </Notice>
        )}
      </section>

      <div class="pl-cols">
        <section class="panel" aria-labelledby="definition-h">
          <h2 id="definition-h">Definition</h2>
          {drill.description ? <p>{drill.description}</p> : null}
          <dl class="pl-dl">
            <dt>Key</dt><dd><code>{drill.key}</code></dd>
            <dt>Exercise type</dt><dd>{drill.exerciseType}</dd>
            <dt>Mode</dt><dd>{drill.mode === 'live' ? 'live (inject and rollback hooks)' : 'simulated (monitor treats targets as down)'}</dd>
            <dt>What is broken</dt>
            <dd>
              {scenario ? (
                <>scenario <a href={`/planner/scenarios/${scenario.id}`}>{scenario.name}</a> (its down assets, else its degraded ones)</>
              ) : (
                <>targets: {(drill.targetAssetIds ?? []).map((a) => assetName.get(a) ?? `asset ${a}`).join(', ') || 'none'}</>
              )}
            </dd>
            <dt>Blast radius</dt><dd>{drill.blastRadius.type === 'COUNT' ? `at most ${drill.blastRadius.value} assets` : `${drill.blastRadius.value} % of the candidates`}</dd>
            {drill.mode === 'live' ? (
              <>
                <dt>Inject hook</dt><dd><code>{hook(drill.injectHook)}</code></dd>
                <dt>Rollback hook</dt><dd><code>{hook(drill.rollbackHook)}</code></dd>
              </>
            ) : null}
            <dt>Steady-state hypothesis</dt>
            <dd>
              {drill.hypothesis.functionIds.length ? drill.hypothesis.functionIds.map(fnName).join(', ') : 'every function the targets hurt'} must be operational again
              {drill.hypothesis.ttfLimitSeconds ? ` within ${durationSeconds(drill.hypothesis.ttfLimitSeconds)} (TTF limit)` : ' (TTF limit: each function\'s RTO)'}
            </dd>
            <dt>Guardrails</dt>
            <dd>
              <ul class="pl-plain">
                <li>abort after {durationSeconds(drill.guardrails.maxDurationSeconds)}</li>
                <li>{drill.guardrails.abortOnOutsideAssetDown ? 'abort when an asset outside the blast radius goes down' : 'assets outside the blast radius are not watched'}</li>
                <li>{drill.guardrails.protectedFunctionIds.length ? `abort when any of ${drill.guardrails.protectedFunctionIds.map(fnName).join(', ')} is lost` : 'no protected functions'}</li>
              </ul>
            </dd>
          </dl>
        </section>

        <section class="panel" aria-labelledby="schedule-h">
          <h2 id="schedule-h">Schedule</h2>
          {drill.cron ? (
            <dl class="pl-dl">
              <dt>Cron</dt><dd><code>{drill.cron}</code></dd>
              <dt>Time zone</dt><dd>{drill.timezone ?? 'UTC'}</dd>
              <dt>Enabled</dt><dd>{drill.enabled ? 'yes' : <strong>no — scheduled runs are paused</strong>}</dd>
              <dt>Concurrency</dt><dd>forbid (a run is skipped while another is in progress)</dd>
              <dt>Next runs</dt>
              <dd>
                {next.length ? (
                  <ol class="pl-plain" id="next-runs">
                    {next.map((t) => (
                      <li>{zoned(t, drill.timezone)} <span class="muted">({utc(t)}, {relative(t, now)})</span></li>
                    ))}
                  </ol>
                ) : (
                  '—'
                )}
              </dd>
            </dl>
          ) : (
            <p>On demand: no schedule. Start runs with the button above.</p>
          )}
        </section>
      </div>

      <section aria-labelledby="runs-h">
        <h2 id="runs-h">Run history ({runs.length})</h2>
        {runs.length ? (
          <div class="pl-scroll">
            <table class="pl-table" id="run-history">
              <caption class="sr-only">Runs of the drill {drill.name}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Verdict</th>
                  <th scope="col">TTD</th><th scope="col">TTF</th><th scope="col">TTR</th><th scope="col">RTO</th><th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr data-run={r.id} data-status={r.status}>
                    <th scope="row"><a href={`/planner/drills/${id}/runs/${r.id}`}>Run {r.id}<span class="sr-only"> after-action report</span></a></th>
                    <td>{r.trigger}</td>
                    <td>{utc(r.startedAt)}</td>
                    <td><RunStatus status={r.status} /></td>
                    <td><Verdict verdict={r.verdict} /></td>
                    <td data-metric="ttd">{duration(r.ttdMs)}</td>
                    <td data-metric="ttf">{duration(r.ttfMs)}</td>
                    <td data-metric="ttr">{duration(r.ttrMs)}</td>
                    <td><RtoMet met={r.rtoMet} /></td>
                    <td>{r.abortReason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">This drill has not run yet.</p>
        )}
      </section>
    </PlannerPage>,
    options.status ?? 200,
  );
}

export interface FindingFormState {
  values: Record<string, string>;
  errors: Array<{ path: string; message: string }>;
}

export async function runPage(c: Context<PageEnv>, drillId: number, runId: number, options: { canRun: boolean; form?: FindingFormState; error?: string; status?: 200 | 400 | 403 | 409 | 503 }) {
  const ctx = pageContext(c);
  const session = c.get('session')!;
  const r = await afterActionReport(ctx, drillId, runId);
  const fns = await functionNames(ctx.db);
  const run = r.run;
  const values = options.form?.values ?? {};
  const fieldError = (name: string) => options.form?.errors.find((e) => e.path === name)?.message;
  const today = utc(ctx.now()).slice(0, 10);

  const field = (name: string, label: string, input: (describedBy: string | undefined) => unknown) => {
    const err = fieldError(name);
    return (
      <div class="pl-field">
        <label for={`f-${name}`}>{label}</label>
        {input(err ? `f-${name}-error` : undefined)}
        {err ? <span class="error" id={`f-${name}-error`}>{err}</span> : null}
      </div>
    );
  };

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
              {options.canRun ? (
                <form method="post" action={`/planner/drills/${drillId}/runs/${runId}/abort`} class="pl-inline-form">
                  <input type="hidden" name="_csrf" value={session.csrf} />
                  <label for="abort-reason">Reason</label>
                  <input id="abort-reason" name="reason" maxlength={500} value="aborted by a planner" />
                  <button type="submit">Abort and roll back</button>
                </form>
              ) : null}
            </>
          ) : null}
          <p><a href={`/planner/drills/${drillId}/runs/${runId}/report.md`}>Download the report as Markdown</a></p>
        </section>

        <section class="panel" aria-labelledby="timing-h">
          <h2 id="timing-h">Timeline and measurements</h2>
          <table class="pl-table pl-compact" id="run-metrics">
            <caption class="sr-only">Run timestamps and TTD, TTF, TTR</caption>
            <tbody>
              <tr><th scope="row">Started (fault injected)</th><td>{utcSeconds(run.startedAt)}</td><td></td></tr>
              <tr><th scope="row">Detected</th><td>{utcSeconds(run.detectedAt)}</td><td data-metric="ttd">TTD {duration(run.ttdMs)}</td></tr>
              <tr><th scope="row">Failover completed</th><td>{utcSeconds(run.failoverCompletedAt)}</td><td data-metric="ttf">TTF {duration(run.ttfMs)}</td></tr>
              <tr><th scope="row">Restored</th><td>{utcSeconds(run.restoredAt)}</td><td data-metric="ttr">TTR {duration(run.ttrMs)}</td></tr>
              <tr><th scope="row">Finished</th><td>{utcSeconds(run.finishedAt)}</td><td></td></tr>
            </tbody>
          </table>
        </section>
      </div>

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

      <section aria-labelledby="rfunctions-h">
        <h2 id="rfunctions-h">Mission functions exercised</h2>
        {r.functions.length ? (
          <div class="pl-scroll">
            <table class="pl-table">
              <thead>
                <tr><th scope="col">Function</th><th scope="col">Tier</th><th scope="col">RTO</th><th scope="col">MTD</th><th scope="col">TTF</th><th scope="col">Against RTO</th><th scope="col">MTD margin</th></tr>
              </thead>
              <tbody>
                {r.functions.map((f) => (
                  <tr data-key={f.key}>
                    <th scope="row">{f.name}</th>
                    <td>{f.tier}</td>
                    <td>{durationSeconds(f.rtoSeconds)}</td>
                    <td>{durationSeconds(f.mtdSeconds)}</td>
                    <td>{duration(f.ttfMs)}</td>
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

      <section aria-labelledby="findings-h" id="findings">
        <h2 id="findings-h">Findings ({r.findings.length})</h2>
        {r.findings.length ? (
          <div class="pl-scroll">
            <table class="pl-table" id="findings-table">
              <thead>
                <tr><th scope="col">Finding</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">Change status</th></tr>
              </thead>
              <tbody>
                {r.findings.map((f) => (
                  <tr data-finding={f.id} data-status={f.status}>
                    <th scope="row">
                      {f.title}
                      {f.detail ? <div class="muted pl-small">{f.detail}</div> : null}
                    </th>
                    <td>{f.owner}</td>
                    <td>{f.dueDate}{f.status !== 'closed' && f.dueDate < today ? <strong class="pl-flag"> ⚠ past due</strong> : null}</td>
                    <td>{f.status === 'closed' ? `✔ closed ${utc(f.closedAt)}` : f.status.replace('_', ' ')}</td>
                    <td>
                      <form method="post" action={`/planner/findings/${f.id}`} class="pl-inline-form">
                        <input type="hidden" name="_csrf" value={session.csrf} />
                        <label class="sr-only" for={`status-${f.id}`}>Status of “{f.title}”</label>
                        <select id={`status-${f.id}`} name="status">
                          {(['open', 'in_progress', 'closed'] as const).map((s) => (
                            <option value={s} selected={s === f.status}>{s.replace('_', ' ')}</option>
                          ))}
                        </select>
                        <button type="submit">Update<span class="sr-only"> “{f.title}”</span></button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">No findings recorded yet.</p>
        )}

        <form method="post" action={`/planner/drills/${drillId}/runs/${runId}/findings`} class="panel pl-form" aria-labelledby="add-finding-h">
          <h3 id="add-finding-h">Add a finding</h3>
          {options.form?.errors.length ? <Notice kind="error">The finding was not saved: fix the fields marked below.</Notice> : null}
          <input type="hidden" name="_csrf" value={session.csrf} />
          {field('title', 'Title', (d) => <input id="f-title" name="title" required maxlength={300} value={values.title ?? ''} aria-describedby={d} aria-invalid={d ? 'true' : undefined} />)}
          {field('owner', 'Owner', (d) => <input id="f-owner" name="owner" required maxlength={200} value={values.owner ?? ''} aria-describedby={d} aria-invalid={d ? 'true' : undefined} />)}
          {field('dueDate', 'Due date', (d) => <input id="f-dueDate" name="dueDate" type="date" required value={values.dueDate ?? ''} aria-describedby={d} aria-invalid={d ? 'true' : undefined} />)}
          {field('status', 'Status', (d) => (
            <select id="f-status" name="status" aria-describedby={d}>
              {(['open', 'in_progress', 'closed'] as const).map((s) => (
                <option value={s} selected={(values.status ?? 'open') === s}>{s.replace('_', ' ')}</option>
              ))}
            </select>
          ))}
          {field('detail', 'Detail (optional)', (d) => <textarea id="f-detail" name="detail" rows={3} maxlength={5000} aria-describedby={d}>{values.detail ?? ''}</textarea>)}
          <div><button type="submit" class="pl-primary">Add finding</button></div>
        </form>
      </section>
    </PlannerPage>,
    options.status ?? 200,
  );
}

