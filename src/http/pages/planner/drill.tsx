import type { Context } from 'hono';
import type { RunView } from '../../../core/drills/run-view.js';
import { getDrill, listRuns } from '../../../core/services/drills.js';
import { getScenario } from '../../../core/services/scenarios.js';
import type { SessionInfo } from '../../../core/services/sessions.js';
import { pageContext, type PageEnv } from '../session.js';
import { Notice, PlannerPage, RtoMet, RunStatus, Verdict } from './components.js';
import { assetPlaces, functionNames } from '../../../core/services/read-models/planner.js';
import { duration, durationSeconds, relative, zoned } from './format.js';
import { upcoming } from './upcoming.js';
import { utc } from '../format.js';
import { MarkingBadge } from '../marking.js';

export interface DrillPageOptions {
  /** Whether this instance runs drills (a DrillControl is present). */
  canRun: boolean;
  error?: string;
  status?: 200 | 400 | 403 | 404 | 409 | 422 | 503;
}

type Drill = Awaited<ReturnType<typeof getDrill>>;
type Scenario = Awaited<ReturnType<typeof getScenario>>;

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
  const next = drill.cron && drill.enabled && !drill.retiredAt ? upcoming(drill.cron, drill.timezone, now, 3) : [];

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
      <p><MarkingBadge marking={drill.marking} /></p>
      {options.error ? <Notice kind="error">{options.error}</Notice> : null}
      {drill.retiredAt ? (
        <Notice kind="info">
          <span data-retired={drill.retiredAt}>Retired {utc(drill.retiredAt)}: this drill is never scheduled or run again. Its runs stay as history and
          still count in the resilience score.</span>
        </Notice>
      ) : null}
      <RunNowPanel drill={drill} running={running} canRun={options.canRun} session={session} />

      <div class="pl-cols">
        <DefinitionPanel drill={drill} scenario={scenario} assetName={assetName} fnName={fnName} />
        <SchedulePanel drill={drill} next={next} now={now} />
      </div>

      <RunHistory drill={drill} runs={runs} />
    </PlannerPage>,
    options.status ?? 200,
  );
}

function RunNowPanel({ drill, running, canRun, session }: { drill: Drill; running: RunView | undefined; canRun: boolean; session: SessionInfo }) {
  const id = drill.id;
  return (
    <section class="panel pl-actions" aria-labelledby="run-now-h">
      <h2 id="run-now-h">Run this drill</h2>
      {running ? (
        <p data-drill-run={running.id}>
          <strong>Run {running.id} is in progress</strong> (started {utc(running.startedAt)}). <a href={`/planner/drills/${id}/runs/${running.id}`}>Follow run {running.id}</a>.
          Overlapping runs are not allowed.
        </p>
      ) : null}
      {drill.retiredAt ? (
        <p class="muted">Retired: no new runs.</p>
      ) : canRun ? (
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
  );
}

const hook = (h: { url: string; method: string } | null) => (h ? `${h.method} ${h.url}` : '—');

function DefinitionPanel(props: { drill: Drill; scenario: Scenario | null; assetName: ReadonlyMap<number, string>; fnName: (functionId: number) => string }) {
  const { drill, scenario, assetName, fnName } = props;
  return (
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
  );
}

function SchedulePanel({ drill, next, now }: { drill: Drill; next: number[]; now: number }) {
  return (
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
  );
}

function RunHistory({ drill, runs }: { drill: Drill; runs: RunView[] }) {
  const id = drill.id;
  return (
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
                  <td>{r.abortReason ?? (r.verdict !== null && !r.functions.length ? 'no function taken below full strength: not exercised' : '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">This drill has not run yet.</p>
      )}
    </section>
  );
}
