// The planner's views (planner role): overview, scenario what-ifs, drills with their runs and
// after-action reports, recovery trends. Server-rendered; every form carries the CSRF token.
import { Hono, type Context } from 'hono';
import type { DrillControl } from '../../../core/services/drill-control.js';
import { findingInputSchema } from '../../../core/domain/drills.js';
import { AppError } from '../../../core/domain/errors.js';
import { afterActionMarkdown, afterActionReport } from '../../../core/services/drill-reports.js';
import { addFinding, getRun, updateFinding } from '../../../core/services/drills.js';
import { pageContext, requirePage, verifyCsrf, type PageEnv } from '../session.js';
import { PlannerPage } from './components.js';
import { runDrills } from '../../../core/services/read-models/planner.js';
import { drillPage } from './drill.js';
import type { FindingFormState } from './findings.js';
import { runPage } from './run.js';
import { overviewPage } from './overview.js';
import { scenarioPage } from './scenario.js';
import { trendsPage } from './trends.js';

export interface PlannerDeps {
  /** Starts and aborts drill runs: the same control `POST /api/drills/{id}/runs` uses; absent when this instance runs no monitor. */
  drills?: DrillControl;
}

const idOf = (raw: string | undefined): number | null => (raw && /^\d{1,12}$/.test(raw) && Number(raw) > 0 ? Number(raw) : null);

function messagePage(c: Context<PageEnv>, status: 400 | 403 | 404 | 409 | 422 | 503, title: string, message: string) {
  return c.html(
    <PlannerPage title={title} session={c.get('session')} crumbs={[{ href: '/planner', label: 'Planner' }, { label: title }]}>
      <h1>{title}</h1>
      <p role="alert">{message}</p>
      <p><a href="/planner">Back to the planner overview</a></p>
    </PlannerPage>,
    status,
  );
}

const notFound = (c: Context<PageEnv>) => messagePage(c, 404, 'Not found', 'There is nothing at this address.');
const csrfRefused = (c: Context<PageEnv>) =>
  messagePage(c, 403, 'Form refused', 'The form could not be verified (its CSRF token is missing or stale). Reload the page and submit it again.');

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function plannerRoutes(deps: PlannerDeps = {}) {
  const planner = new Hono<PageEnv>();
  planner.use('*', requirePage('planExercises'));
  planner.onError((err, c) => {
    if (err instanceof AppError) {
      const status = err.status === 401 || err.status === 413 || err.status === 415 || err.status === 429 ? 400 : err.status;
      return messagePage(c, status, status === 404 ? 'Not found' : 'Not possible', err.message);
    }
    throw err;
  });

  planner.get('/', (c) => overviewPage(c));
  planner.get('/trends', (c) => trendsPage(c));

  planner.get('/scenarios/:id', (c) => {
    const id = idOf(c.req.param('id'));
    return id === null ? notFound(c) : scenarioPage(c, id);
  });

  planner.get('/drills/:id', (c) => {
    const id = idOf(c.req.param('id'));
    return id === null ? notFound(c) : drillPage(c, id, { canRun: Boolean(deps.drills) });
  });

  planner.post('/drills/:id/runs', (c) => startRunFromForm(c, deps));

  planner.get('/drills/:id/runs/:runId', (c) => {
    const id = idOf(c.req.param('id'));
    const runId = idOf(c.req.param('runId'));
    return id === null || runId === null ? notFound(c) : runPage(c, id, runId, { canRun: Boolean(deps.drills) });
  });

  planner.get('/drills/:id/runs/:runId/report.md', async (c) => {
    const id = idOf(c.req.param('id'));
    const runId = idOf(c.req.param('runId'));
    if (id === null || runId === null) return notFound(c);
    const report = await afterActionReport(pageContext(c), id, runId);
    return c.body(afterActionMarkdown(report), 200, {
      'content-type': 'text/markdown; charset=utf-8',
      'content-disposition': `attachment; filename="drill-${id}-run-${runId}-report.md"`,
    });
  });

  planner.post('/drills/:id/runs/:runId/findings', (c) => addFindingFromForm(c, deps));

  planner.post('/drills/:id/runs/:runId/abort', (c) => abortRunFromForm(c, deps));

  planner.post('/findings/:fid', (c) => setFindingStatusFromForm(c));

  return planner;
}

/** The start button: starts a run with the same control the API uses, then shows it. */
async function startRunFromForm(c: Context<PageEnv>, deps: PlannerDeps) {
  const id = idOf(c.req.param('id'));
  if (id === null) return notFound(c);
  if (!(await verifyCsrf(c, await c.req.parseBody()))) return csrfRefused(c);
  if (!deps.drills) {
    return drillPage(c, id, { canRun: false, status: 503, error: 'No drill runner on this instance: the run was not started.' });
  }
  try {
    const run = await deps.drills.startRun(pageContext(c), id);
    return c.redirect(`/planner/drills/${id}/runs/${run.id}`, 303);
  } catch (err) {
    if (err instanceof AppError && err.status !== 404) {
      return drillPage(c, id, { canRun: true, status: err.status === 409 ? 409 : 422, error: `The run was not started: ${err.message}` });
    }
    throw err;
  }
}

/** The finding form: saved, or the run page again with the form's errors. */
async function addFindingFromForm(c: Context<PageEnv>, deps: PlannerDeps) {
  const id = idOf(c.req.param('id'));
  const runId = idOf(c.req.param('runId'));
  if (id === null || runId === null) return notFound(c);
  const form = await c.req.parseBody();
  if (!(await verifyCsrf(c, form))) return csrfRefused(c);
  const values = { title: str(form.title), owner: str(form.owner), dueDate: str(form.dueDate), status: str(form.status) || 'open', detail: str(form.detail) };
  const parsed = findingInputSchema.safeParse({ ...values, detail: values.detail.trim() || undefined });
  if (!parsed.success) {
    const state: FindingFormState = { values, errors: parsed.error.issues.map((i) => ({ path: String(i.path[0] ?? ''), message: i.message })) };
    return runPage(c, id, runId, { canRun: Boolean(deps.drills), form: state, status: 400 });
  }
  await addFinding(pageContext(c), id, runId, parsed.data);
  return c.redirect(`/planner/drills/${id}/runs/${runId}#findings`, 303);
}

/** The abort form: aborts and rolls back a running drill. */
async function abortRunFromForm(c: Context<PageEnv>, deps: PlannerDeps) {
  const id = idOf(c.req.param('id'));
  const runId = idOf(c.req.param('runId'));
  if (id === null || runId === null) return notFound(c);
  const form = await c.req.parseBody();
  if (!(await verifyCsrf(c, form))) return csrfRefused(c);
  const ctx = pageContext(c);
  await getRun(ctx, id, runId);
  if (!deps.drills) return runPage(c, id, runId, { canRun: false, status: 503, error: 'No drill runner on this instance: the run was not aborted.' });
  const reason = str(form.reason).trim().slice(0, 500) || 'aborted by a planner';
  try {
    await deps.drills.abortRun(ctx, runId, reason);
  } catch (err) {
    if (err instanceof AppError && err.status === 409) return runPage(c, id, runId, { canRun: true, status: 409, error: err.message });
    throw err;
  }
  return c.redirect(`/planner/drills/${id}/runs/${runId}`, 303);
}

/** A finding's status form, from a run page. */
async function setFindingStatusFromForm(c: Context<PageEnv>) {
  const fid = idOf(c.req.param('fid'));
  if (fid === null) return notFound(c);
  const form = await c.req.parseBody();
  if (!(await verifyCsrf(c, form))) return csrfRefused(c);
  const status = str(form.status);
  if (status !== 'open' && status !== 'in_progress' && status !== 'closed') return messagePage(c, 400, 'Not possible', 'Choose open, in progress or closed.');
  const ctx = pageContext(c);
  const finding = await updateFinding(ctx, fid, { status });
  const from = (await runDrills(ctx.db, [finding.runId])).get(finding.runId);
  return c.redirect(from ? `/planner/drills/${from.drillId}/runs/${finding.runId}#findings` : '/planner', 303);
}
