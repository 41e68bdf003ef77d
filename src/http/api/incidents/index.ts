import { createRoute, z } from '@hono/zod-openapi';
import { INCIDENT_STATES, INCIDENT_UPDATE_STATUSES, SEVERITIES, UPDATE_VISIBILITIES } from '../../../core/domain/enums.js';
import { acknowledgeIncident, getIncident, listIncidents } from '../../../core/services/incidents.js';
import { addIncidentUpdate, editIncident, openIncidentByHand, reopenIncident } from '../../../core/services/incident-lifecycle.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, jsonBody, pageOf, pageQuery, security } from '../openapi.js';
import { markingSchema } from '../../../core/domain/marking.js';
import { MarkingSchema } from '../sharing/marking-schema.js';

const tags = ['Incidents'];
export const incidentRoutes = createRouter();

const IncidentSchema = z
  .object({
    id: z.number().int(),
    ref: z.string().openapi({ description: 'Stable reference, also the PagerDuty dedup key' }),
    marking: MarkingSchema,
    markingDerived: z.boolean().openapi({ description: 'true: the marking is the most restrictive of what the incident touches (none was set on it)' }),
    assetId: z.number().int().nullable().openapi({ description: 'The cause, when it is an asset (same as cause.assetId)' }),
    functionIds: z.array(z.number().int()).openapi({ description: 'Affected functions (same as affected.functions)' }),
    cause: z.union([z.object({ assetId: z.number().int() }), z.object({ functionId: z.number().int() })]).nullable()
      .openapi({ description: 'The most upstream failed element: an asset, or a function lost with no failed asset to blame' }),
    affected: z.object({ assets: z.array(z.number().int()), functions: z.array(z.number().int()) })
      .openapi({ description: 'The cause, its symptoms, and the functions they hurt' }),
    children: z.array(z.object({
      assetId: z.number().int().optional(), functionId: z.number().int().optional(), key: z.string(), attachedAt: z.string(), clearedAt: z.string().nullable(),
    })).openapi({ description: 'Symptoms attached to the cause rather than paged on their own; clearedAt once each recovered' }),
    state: z.enum(INCIDENT_STATES),
    severity: z.enum(SEVERITIES),
    title: z.string(),
    startedAt: z.string().openapi({ description: 'First failed observation' }),
    openedAt: z.string().openapi({ description: 'Detected: when the failure threshold confirmed it' }),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    ttdMs: z.number().int(),
    ttaMs: z.number().int().nullable(),
    ttrMs: z.number().int().nullable(),
  })
  .openapi('Incident');

const IncidentDetailSchema = IncidentSchema.extend({
  updates: z.array(z.object({
    id: z.number().int(), at: z.string(), author: z.string(), status: z.enum(INCIDENT_UPDATE_STATUSES), visibility: z.enum(UPDATE_VISIBILITIES), message: z.string(),
  })),
  timeline: z.array(z.object({ id: z.number().int(), at: z.string(), type: z.string(), severity: z.enum(SEVERITIES), subjectKey: z.string().nullable(), actor: z.string(), data: z.record(z.string(), z.unknown()) })),
}).openapi('IncidentDetail');

const UpdateBody = z
  .strictObject({
    status: z.enum(INCIDENT_UPDATE_STATUSES).openapi({ description: 'A `resolved` update resolves an open incident' }),
    message: z.string().trim().min(1).max(5000),
    visibility: z.enum(UPDATE_VISIBILITIES).default('internal').openapi({ description: 'Only public updates reach status pages, summary.json and the Atom feed' }),
  })
  .openapi('IncidentUpdateInput');

incidentRoutes.openapi(
  createRoute({
    method: 'get', path: '/', tags, security, summary: 'List incidents, newest first',
    middleware: requires('read'),
    request: { query: z.object({ state: z.enum(INCIDENT_STATES).optional(), assetId: z.coerce.number().int().positive().optional(), ...pageQuery }) },
    responses: { 200: json(pageOf(IncidentSchema, 'IncidentPage'), 'A page of incidents'), ...errorResponses(400) },
  }),
  async (c) => c.json(await listIncidents(serviceContext(c), c.req.valid('query')), 200),
);

incidentRoutes.openapi(
  createRoute({
    method: 'get', path: '/{id}', tags, security, summary: 'An incident with its updates and timeline',
    middleware: requires('read'),
    request: { params: IdParam },
    responses: { 200: json(IncidentDetailSchema, 'The incident'), ...errorResponses(400, 404) },
  }),
  async (c) => c.json(await getIncident(serviceContext(c), c.req.valid('param').id), 200),
);

incidentRoutes.openapi(
  createRoute({
    method: 'post', path: '/{id}/ack', tags, security, summary: 'Acknowledge an incident (officer)',
    description: 'Idempotent: acknowledging again keeps the first acknowledgement.',
    middleware: requires('handleIncidents'),
    request: { params: IdParam },
    responses: { 200: json(IncidentSchema, 'The acknowledged incident'), ...errorResponses(400, 404) },
  }),
  async (c) => c.json(await acknowledgeIncident(serviceContext(c), c.req.valid('param').id), 200),
);

incidentRoutes.openapi(
  createRoute({
    method: 'post', path: '/{id}/updates', tags, security, summary: 'Add an update (officer)',
    middleware: requires('handleIncidents'),
    request: {
      params: IdParam,
      body: jsonBody(UpdateBody),
    },
    responses: { 201: json(IncidentDetailSchema, 'The incident with the new update'), ...errorResponses(400, 404, 409) },
  }),
  async (c) => c.json(await addIncidentUpdate(serviceContext(c), c.req.valid('param').id, c.req.valid('json')), 201),
);

const OpenIncidentBody = z
  .strictObject({
    title: z.string().trim().min(1).max(200),
    severity: z.enum(SEVERITIES),
    assetId: z.number().int().positive().optional(),
    functionIds: z.array(z.number().int().positive()).max(100).optional(),
    update: UpdateBody.optional().openapi({ description: 'A first update, posted with the incident' }),
  })
  .openapi('OpenIncidentInput');

incidentRoutes.openapi(
  createRoute({
    method: 'post', path: '/', tags, security, summary: 'Open an incident by hand (officer)',
    description: 'For what the checks cannot see. Started and detected now; it stays open until an officer resolves it, or its asset recovers after failing.',
    middleware: requires('handleIncidents'),
    request: { body: jsonBody(OpenIncidentBody) },
    responses: { 201: json(IncidentDetailSchema, 'The new incident'), ...errorResponses(400, 422) },
  }),
  async (c) => c.json(await openIncidentByHand(serviceContext(c), c.req.valid('json')), 201),
);

incidentRoutes.openapi(
  createRoute({
    method: 'post', path: '/{id}/reopen', tags, security, summary: 'Reopen a resolved incident (officer)',
    middleware: requires('handleIncidents'),
    request: { params: IdParam },
    responses: { 200: json(IncidentDetailSchema, 'The reopened incident'), ...errorResponses(400, 404, 409) },
  }),
  async (c) => c.json(await reopenIncident(serviceContext(c), c.req.valid('param').id), 200),
);

const EditIncidentBody = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional(),
    severity: z.enum(SEVERITIES).optional(),
    affected: z.strictObject({
      assets: z.array(z.number().int().positive()).max(500),
      functions: z.array(z.number().int().positive()).max(100),
    }).optional().openapi({ description: 'The affected components, as the officer judges them (replaces both lists)' }),
    marking: markingSchema.nullable().optional().openapi({ description: 'Sharing marking; null: back to the most restrictive marking of what it touches. A more restrictive marking retracts it from partners' }),
  })
  .refine((body) => body.title !== undefined || body.severity !== undefined || body.affected !== undefined || body.marking !== undefined, {
    message: 'Give a title, a severity, the affected components or a marking', path: ['severity'],
  })
  .openapi('EditIncidentInput');

incidentRoutes.openapi(
  createRoute({
    method: 'patch', path: '/{id}', tags, security, summary: 'Set an incident\'s title, severity or affected components (officer)',
    description: 'The severity is the impact status pages show.',
    middleware: requires('handleIncidents'),
    request: { params: IdParam, body: jsonBody(EditIncidentBody) },
    responses: { 200: json(IncidentDetailSchema, 'The incident'), ...errorResponses(400, 404, 422) },
  }),
  async (c) => c.json(await editIncident(serviceContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
);
