import { createRoute, z } from '@hono/zod-openapi';
import { scenarioBodySchema, SCENARIO_KINDS, vantagesDownSchema } from '../../../core/domain/scenarios.js';
import {
  assessSavedScenario, assessScenarioBody, createScenario, deleteScenario, getScenario, listScenarios, scenarioAttributes, scenarioPatchSchema, updateScenario,
} from '../../../core/services/scenarios.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, jsonBody, security } from '../openapi.js';
import { keySchema } from '../../../core/domain/inventory.js';
import { shakemapRoutes } from './shakemap.js';
import { MarkingSchema } from '../sharing/marking-schema.js';

const tags = ['Scenarios'];
export const scenarioRoutes = createRouter();

const ScenarioSchema = z
  .object({
    id: z.number().int(), key: z.string(), name: z.string(), description: z.string().nullable(),
    kind: z.enum(SCENARIO_KINDS), params: z.record(z.string(), z.unknown()),
    vantagesDown: z.array(z.string()).openapi({ description: "Vantages the scenario takes down (a site's backhaul cut); the assessment's `visibility` says what can no longer be seen" }),
    marking: MarkingSchema,
    createdAt: z.string(), updatedAt: z.string(),
  })
  .openapi('Scenario');

const AssessmentSchema = z
  .object({
    assets: z.array(z.object({ assetId: z.number().int(), assetKey: z.string(), impact: z.enum(['none', 'degraded', 'down']), reason: z.string(), intensity: z.number().optional(), intensityClass: z.string().optional(),
      distanceKm: z.number().optional().openapi({ description: 'Earthquakes: shortest distance (km) from the asset to the rupture (the nearest segment), the X of Si & Midorikawa (1999)' }),
      avs30Used: z.number().optional().openapi({ description: "Earthquakes: the site soil (AVS30, m/s) the estimate used — the asset's own avs30, else the scenario's, else 400" }) }).passthrough()),
    functions: z.array(
      z.object({
        functionId: z.number().int(),
        status: z.enum(['operational', 'degraded', 'lost']),
        lostWindow: z.object({ fromHours: z.number(), untilHours: z.number().nullable() }).nullable().openapi({ description: 'Hours after the scenario starts during which the function is lost (a group below k), e.g. 48 → 60 for a 60 h blackout against 48 h of backup power' }),
        expectation: z.enum(['not_affected', 'outage', 'measured', 'unknown']).openapi({ description: 'How expectedSecondsToFailover was found: the loss window (outage), drills that measured a failover (measured), or no measurement (unknown: the figure and rtoMet are null)' }),
        expectedSecondsToFailover: z.number().nullable(),
        rtoMet: z.boolean().nullable().openapi({ description: 'null: unknown — no drill has measured this function\'s failover' }),
      }).passthrough(),
    ),
    alternatesAlsoHit: z.array(z.number().int()),
    commonMode: z.array(z.record(z.string(), z.unknown())),
    summary: z.record(z.string(), z.number()),
    vantagesDown: z.array(z.string()),
    visibility: z
      .object({ checksBlind: z.array(z.string()), assetsUnseen: z.array(z.string()), functionsUnseen: z.array(z.string()) })
      .openapi({ description: 'With `vantagesDown` down: checks left with fewer vantages than their quorum (they read unknown), assets no check can still see, and functions that cannot be shown to hold on the assets still seen — whether they work cannot be told (not that they are lost)' }),
    shakemap: z
      .object({
        eventId: z.string(), event: z.record(z.string(), z.unknown()), grid: z.record(z.string(), z.number()),
        notCovered: z.array(z.object({ assetId: z.number().int(), assetKey: z.string(), coverage: z.enum(['partial', 'not_covered']) })),
      })
      .optional()
      .openapi({ description: 'Only on a saved earthquake with a ShakeMap attached: shaking was read from this grid (assets then carry `shaking: "shakemap"`, `coverage`, `pgvCmS`, `mmi`); `notCovered` lists located assets outside it — shaking unknown, impact none, not "unaffected"' }),
  })
  .passthrough()
  .openapi('Assessment');

/** How an earthquake's rupture is given (src/core/scenarios/rupture.ts has the sources). */
const EARTHQUAKE_GEOMETRY =
  'Earthquake rupture: `strikeDeg` + `dipDeg` give one plane through the hypocentre (`lat`, `lon`, `depthKm`), sized `lengthKm` × `widthKm` ' +
  '(default: Strasser et al. 2010 for interplate, Wells & Coppersmith 1994 otherwise). With `topDepthKm` its top edge is at that depth and the ' +
  'hypocentre lies on the plane at the along-strike centre, (depthKm − topDepthKm) / sin(dip) down dip (so topDepthKm ≤ depthKm); without it the ' +
  'hypocentre is the plane\'s centre (OpenQuake point-source placement). `segments` (1–50 planes, each `{lat, lon, strikeDeg, dipDeg, lengthKm, ' +
  'widthKm, topDepthKm}` with lat/lon the surface point above the centre of its top edge, dipping to the right of strike) replace the single plane; ' +
  'the distance is to the nearest. Without strike the distance is the mean over strikes (USGS ShakeMap\'s no-rupture rule, Thompson & Worden 2018). ' +
  'Each asset uses its own `avs30` when it has one, else params `avs30`, else 400 m/s.';

const CreateSchema = z.intersection(z.object({ key: keySchema, ...scenarioAttributes }), scenarioBodySchema);

const AssessQuery = z.object({ includeAll: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') });

scenarioRoutes.openapi(
  createRoute({
    method: 'get', path: '/', tags, security, summary: 'List outage scenarios',
    middleware: requires('read'),
    responses: { 200: json(z.object({ items: z.array(ScenarioSchema) }), 'All scenarios'), ...errorResponses() },
  }),
  async (c) => c.json({ items: await listScenarios(serviceContext(c)) }, 200),
);

scenarioRoutes.openapi(
  createRoute({
    method: 'get', path: '/{id}', tags, security, summary: 'Get a scenario',
    middleware: requires('read'),
    request: { params: IdParam },
    responses: { 200: json(ScenarioSchema, 'The scenario'), ...errorResponses(400, 404) },
  }),
  async (c) => c.json(await getScenario(serviceContext(c), c.req.valid('param').id), 200),
);

scenarioRoutes.openapi(
  createRoute({
    method: 'post', path: '/', tags, security, summary: 'Create a scenario (planner)',
    description: 'Kinds: earthquake, cyberattack, power, fiber_cut, space_weather, custom — each with its own `params`. ' + EARTHQUAKE_GEOMETRY,
    middleware: requires('planExercises'),
    request: { body: jsonBody(CreateSchema) },
    responses: { 201: json(ScenarioSchema, 'The new scenario'), ...errorResponses(400, 409) },
  }),
  async (c) => {
    const input = c.req.valid('json');
    const body = scenarioBodySchema.parse({ kind: input.kind, params: input.params });
    return c.json(await createScenario(serviceContext(c), { key: input.key, name: input.name, description: input.description, vantagesDown: input.vantagesDown, marking: input.marking, body }), 201);
  },
);

scenarioRoutes.openapi(
  createRoute({
    method: 'patch', path: '/{id}', tags, security, summary: 'Change a scenario (planner)',
    description: 'Changes the fields given (not the key). `params` replaces the params whole; a new `kind` needs `params` of that kind.',
    middleware: requires('planExercises'),
    request: { params: IdParam, body: jsonBody(scenarioPatchSchema) },
    responses: { 200: json(ScenarioSchema, 'The scenario'), ...errorResponses(400, 404) },
  }),
  async (c) => c.json(await updateScenario(serviceContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
);

scenarioRoutes.openapi(
  createRoute({
    method: 'delete', path: '/{id}', tags, security, summary: 'Delete a scenario (planner)',
    middleware: requires('planExercises'),
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404, 409) },
  }),
  async (c) => {
    await deleteScenario(serviceContext(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);

scenarioRoutes.openapi(
  createRoute({
    method: 'post', path: '/assess', tags, security, summary: 'What-if for an unsaved scenario (planner)',
    description: 'Same answer as assessing a saved scenario. `"includeAll": true` lists every asset, unaffected ones with impact `none`. ' + EARTHQUAKE_GEOMETRY,
    middleware: requires('planExercises'),
    request: { body: jsonBody(z.intersection(scenarioBodySchema, z.object({ includeAll: z.boolean().default(false), vantagesDown: vantagesDownSchema.default([]) }))) },
    responses: { 200: json(AssessmentSchema, 'The assessment'), ...errorResponses(400) },
  }),
  async (c) => {
    const input = c.req.valid('json');
    const body = scenarioBodySchema.parse({ kind: input.kind, params: input.params });
    return c.json(await assessScenarioBody(serviceContext(c), body, input.includeAll, input.vantagesDown), 200);
  },
);

scenarioRoutes.openapi(
  createRoute({
    method: 'post', path: '/{id}/assess', tags, security, summary: 'What-if: impact of a saved scenario (planner; no live state touched)',
    description: 'Each affected asset with the reason (for earthquakes the JMA `intensity` and `intensityClass`), each mission function\'s resulting status through the k-of-n graph, common-mode findings, functions whose alternates are hit too, and the expected time to fail over or recover against RTO and MTD.',
    middleware: requires('planExercises'),
    request: { params: IdParam, query: AssessQuery },
    responses: { 200: json(AssessmentSchema, 'The assessment'), ...errorResponses(400, 404) },
  }),
  async (c) => c.json(await assessSavedScenario(serviceContext(c), c.req.valid('param').id, c.req.valid('query').includeAll), 200),
);

scenarioRoutes.route('/', shakemapRoutes);
