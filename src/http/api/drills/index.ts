import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../core/domain/errors.js';
import { DRILL_RUN_STATUSES, DRILL_VERDICTS, drillInputSchema, findingInputSchema, findingPatchSchema } from '../../../core/domain/drills.js';
import { afterActionMarkdown, afterActionReport } from '../../../core/services/drill-reports.js';
import {
  addFinding, createDrill, drillPatchSchema, getDrill, getRun, listDrills, listFindings, listRuns, retireDrill, updateDrill, updateFinding,
} from '../../../core/services/drills.js';
import type { DrillControl } from '../../../core/services/drill-control.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, jsonBody, security } from '../openapi.js';

const tags = ['Drills'];
const RunParams = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }),
  runId: z.coerce.number().int().positive().openapi({ param: { name: 'runId', in: 'path' } }),
});

const DrillSchema = z.object({ id: z.number().int(), key: z.string(), name: z.string() }).passthrough().openapi('Drill', { description: 'Hook `headers` values read `********` except in the answer that created the drill.' });
const RunSchema = z
  .object({
    id: z.number().int(),
    status: z.enum(DRILL_RUN_STATUSES),
    verdict: z.enum(DRILL_VERDICTS).nullable(),
    startedAt: z.string().nullable(),
    detectedAt: z.string().nullable(),
    failoverCompletedAt: z.string().nullable(),
    restoredAt: z.string().nullable(),
    ttdMs: z.number().nullable(),
    ttfMs: z.number().nullable(),
    ttrMs: z.number().nullable(),
    rtoMet: z.boolean().nullable(),
    abortReason: z.string().nullable(),
    functions: z.array(z.object({ functionId: z.number().int(), lost: z.boolean(), ttdMs: z.number().nullable(), ttfMs: z.number().nullable(), ttrMs: z.number().nullable() }))
      .openapi({ description: 'Per function the run took below full strength (degraded or lost), measured from its own state changes: TTD when first seen hit, TTF when served again before the rollback (null: it did not fail over), TTR when whole again. A function not listed was not exercised.' }),
    steps: z.array(z.object({ at: z.string().nullable(), step: z.string(), detail: z.string() })),
  })
  .passthrough()
  .openapi('DrillRun');
const FindingSchema = z.object({ id: z.number().int(), runId: z.number().int(), title: z.string(), owner: z.string(), dueDate: z.string(), status: z.enum(['open', 'in_progress', 'closed']) }).passthrough().openapi('Finding');

/**
 * A finding patch sets only the fields it names. (The input schema's `status` default of `open`
 * must not apply here: it would reopen a closed finding on any edit, and make `{}` a change.)
 */

function requireControl(control: DrillControl | undefined): DrillControl {
  if (!control) throw new AppError(503, 'unavailable', 'This instance does not run drills (COOPWATCH_MONITOR=0)');
  return control;
}

export function drillRoutes(control: DrillControl | undefined) {
  const routes = createRouter();
  registerDefinitionRoutes(routes);
  registerRunRoutes(routes, control);
  registerAfterActionRoutes(routes);
  return routes;
}

type Router = ReturnType<typeof createRouter>;

function registerDefinitionRoutes(routes: Router): void {

  routes.openapi(
    createRoute({ method: 'get', path: '/', tags, security, summary: 'List drills', middleware: requires('read'),
      responses: { 200: json(z.object({ items: z.array(DrillSchema) }), 'All drills'), ...errorResponses() } }),
    async (c) => c.json({ items: await listDrills(serviceContext(c)) }, 200),
  );
  routes.openapi(
    createRoute({ method: 'get', path: '/{id}', tags, security, summary: 'Get a drill', middleware: requires('read'),
      request: { params: IdParam }, responses: { 200: json(DrillSchema, 'The drill'), ...errorResponses(400, 404) } }),
    async (c) => c.json(await getDrill(serviceContext(c), c.req.valid('param').id), 200),
  );
  routes.openapi(
    createRoute({
      method: 'post', path: '/', tags, security, summary: 'Define a drill (planner)',
      description: 'A scenario or explicit targets; blast radius (COUNT or PERCENT); tabletop / functional / full-scale; `simulated` (the monitor treats targets as down) or `live` (inject and rollback hooks, `{assetKey}` substituted); a steady-state hypothesis; guardrails; an optional cron schedule. Overlapping runs are refused.',
      middleware: requires('planExercises'),
      request: { body: jsonBody(drillInputSchema) },
      responses: { 201: json(DrillSchema, 'The new drill'), ...errorResponses(400, 409, 422) },
    }),
    async (c) => c.json(await createDrill(serviceContext(c), c.req.valid('json')), 201),
  );
  routes.openapi(
    createRoute({
      method: 'patch', path: '/{id}', tags, security, summary: 'Change a drill (planner)',
      description: 'Changes the fields given (not the key); `null` clears an optional one, e.g. `{ "scenarioId": null, "targetAssetIds": [3] }`. The result must be a valid drill; refused while a run is in progress.',
      middleware: requires('planExercises'),
      request: { params: IdParam, body: jsonBody(drillPatchSchema) },
      responses: { 200: json(DrillSchema, 'The drill'), ...errorResponses(400, 404, 409, 422) },
    }),
    async (c) => c.json(await updateDrill(serviceContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  routes.openapi(
    createRoute({
      method: 'delete', path: '/{id}', tags, security, summary: 'Retire a drill (planner)',
      description: 'The drill is never scheduled or run again and stays readable with `retiredAt`; its runs stay as history and keep counting in the resilience score (no API deletes a run). Its key stays taken. Refused while a run is in progress; retiring a retired drill changes nothing.',
      middleware: requires('planExercises'),
      request: { params: IdParam }, responses: { 204: { description: 'Retired' }, ...errorResponses(400, 404, 409) },
    }),
    async (c) => {
      await retireDrill(serviceContext(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
}

/** Starting, reading and aborting runs; starting and aborting need this instance's drill runner. */
function registerRunRoutes(routes: Router, control: DrillControl | undefined): void {
  routes.openapi(
    createRoute({
      method: 'post', path: '/{id}/runs', tags, security, summary: 'Start a run now (planner)',
      middleware: requires('planExercises'),
      request: { params: IdParam },
      responses: { 201: json(RunSchema, 'The run, `{ id, status }` and the rest'), ...errorResponses(400, 404, 409) },
    }),
    async (c) => c.json(await requireControl(control).startRun(serviceContext(c), c.req.valid('param').id), 201),
  );
  routes.openapi(
    createRoute({ method: 'get', path: '/{id}/runs', tags, security, summary: 'Run history, newest first', middleware: requires('read'),
      request: { params: IdParam }, responses: { 200: json(z.object({ items: z.array(RunSchema) }), 'Runs'), ...errorResponses(400, 404) } }),
    async (c) => c.json({ items: await listRuns(serviceContext(c), c.req.valid('param').id) }, 200),
  );
  routes.openapi(
    createRoute({ method: 'get', path: '/{id}/runs/{runId}', tags, security, summary: 'A run: timestamps, TTD/TTF/TTR, verdict, steps', middleware: requires('read'),
      request: { params: RunParams }, responses: { 200: json(RunSchema, 'The run'), ...errorResponses(400, 404) } }),
    async (c) => {
      const { id, runId } = c.req.valid('param');
      return c.json(await getRun(serviceContext(c), id, runId), 200);
    },
  );
  routes.openapi(
    createRoute({
      method: 'post', path: '/{id}/runs/{runId}/abort', tags, security, summary: 'Abort a run and roll it back (planner)',
      middleware: requires('planExercises'),
      request: { params: RunParams, body: { required: false, content: { 'application/json': { schema: z.strictObject({ reason: z.string().trim().min(1).max(500).default('aborted by a planner') }) } } } },
      responses: { 200: json(RunSchema, 'The aborted run'), ...errorResponses(400, 404, 409) },
    }),
    async (c) => {
      const { id, runId } = c.req.valid('param');
      await getRun(serviceContext(c), id, runId);
      const body = (c.req.valid('json') ?? {}) as { reason?: string };
      return c.json(await requireControl(control).abortRun(serviceContext(c), runId, body.reason ?? 'aborted by a planner'), 200);
    },
  );
}

function registerAfterActionRoutes(routes: Router): void {
  routes.openapi(
    createRoute({
      method: 'get', path: '/{id}/runs/{runId}/report', tags, security, summary: 'After-action report (JSON, or Markdown with Accept: text/markdown)',
      middleware: requires('read'),
      request: { params: RunParams },
      responses: { 200: { description: 'The report', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) }, 'text/markdown': { schema: z.string() } } }, ...errorResponses(400, 404) },
    }),
    async (c) => {
      const { id, runId } = c.req.valid('param');
      const report = await afterActionReport(serviceContext(c), id, runId);
      if ((c.req.header('accept') ?? '').includes('text/markdown')) return c.body(afterActionMarkdown(report), 200, { 'content-type': 'text/markdown; charset=utf-8' });
      return c.json(report, 200);
    },
  );
  routes.openapi(
    createRoute({
      method: 'post', path: '/{id}/runs/{runId}/findings', tags, security, summary: 'Record a finding from a run (planner)',
      middleware: requires('planExercises'),
      request: { params: RunParams, body: jsonBody(findingInputSchema) },
      responses: { 201: json(FindingSchema, 'The finding'), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const { id, runId } = c.req.valid('param');
      return c.json(await addFinding(serviceContext(c), id, runId, c.req.valid('json')), 201);
    },
  );
}

export const findingRoutes = (() => {
  const routes = createRouter();
  routes.openapi(
    createRoute({ method: 'get', path: '/', tags, security, summary: 'Findings, by due date', middleware: requires('read'),
      request: { query: z.object({ status: z.enum(['open', 'in_progress', 'closed']).optional() }) },
      responses: { 200: json(z.object({ items: z.array(FindingSchema) }), 'Findings'), ...errorResponses(400) } }),
    async (c) => c.json({ items: await listFindings(serviceContext(c), c.req.valid('query').status) }, 200),
  );
  routes.openapi(
    createRoute({ method: 'patch', path: '/{id}', tags, security, summary: 'Update a finding, e.g. close it (planner)', middleware: requires('planExercises'),
      request: { params: IdParam, body: jsonBody(findingPatchSchema) }, responses: { 200: json(FindingSchema, 'The finding'), ...errorResponses(400, 404) } }),
    async (c) => c.json(await updateFinding(serviceContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  return routes;
})();
