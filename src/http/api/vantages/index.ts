import { createRoute, z } from '@hono/zod-openapi';
import { CHECK_STATUSES, LOCATION_HINTS, VANTAGE_KINDS, VANTAGE_STATUSES } from '../../../core/domain/enums.js';
import { vantageCreateSchema, vantagePatchSchema } from '../../../core/domain/vantages.js';
import type { VantageIntake } from '../../../core/monitor/vantage-intake.js';
import { createVantage, deleteVantage, getVantage, listVantages, updateVantage } from '../../../core/services/vantages.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, json, jsonBody, security } from '../openapi.js';
import { registerAgentRoutes, VantageNameParam } from './agent.js';

const tags = ['Vantages'];

const VantageSchema = z
  .object({
    name: z.string(),
    kind: z.enum(VANTAGE_KINDS).openapi({ description: 'central (this service); agent (a probe agent at a site); region (the Workers host probes it from shards placed by locationHint)' }),
    locationHint: z.enum(LOCATION_HINTS).nullable().openapi({ description: "A region's Cloudflare location hint (null for central and agents)" }),
    status: z.enum(VANTAGE_STATUSES).openapi({ description: 'live; lost (silent past its grace: its votes stop counting); pending (an agent that never reported)' }),
    lastSeenAt: z.string().nullable().openapi({ description: "The agent's last batch of results" }),
    since: z.string().openapi({ description: 'When the status last changed' }),
    graceSeconds: z.number().int(),
    description: z.string().nullable(),
    checks: z.number().int().openapi({ description: 'Checks that run from it (for central: also those that list no vantages)' }),
  })
  .openapi('Vantage');

const VantageDetailSchema = VantageSchema.extend({
  votes: z.array(z.object({ checkKey: z.string(), assetKey: z.string(), status: z.enum(CHECK_STATUSES), at: z.string() })).openapi({
    description: "The vantage's own confirmed view of each check it votes on",
  }),
}).openapi('VantageDetail');

/**
 * `/api/vantages`: the registry (viewer reads, admin writes) and, for probe agents, their
 * assignment and results. `intake` takes agents' results: absent on a host without a monitor.
 */
export function vantageRoutes(intake: VantageIntake | undefined) {
  const routes = createRouter();
  routes.openapi(
    createRoute({
      method: 'get', path: '/', tags, security, summary: 'List vantages (central and probe agents) with their health',
      middleware: requires('read'),
      responses: { 200: json(z.object({ items: z.array(VantageSchema) }), 'Every vantage, central first'), ...errorResponses() },
    }),
    async (c) => c.json({ items: await listVantages(serviceContext(c)) }, 200),
  );

  routes.openapi(
    createRoute({
      method: 'get', path: '/{name}', tags, security, summary: 'Get a vantage and its view of each check',
      middleware: requires('read'),
      request: { params: VantageNameParam },
      responses: { 200: json(VantageDetailSchema, 'The vantage'), ...errorResponses(400, 404) },
    }),
    async (c) => c.json(await getVantage(serviceContext(c), c.req.valid('param').name), 200),
  );

  routes.openapi(
    createRoute({
      method: 'post', path: '/', tags, security, summary: 'Register a probe agent or region vantage',
      description:
        'It is `pending` until its first results. Without `locationHint` it is a probe agent: mint the agent a token with role `probe` and this `vantage`. ' +
        'With `locationHint` it is a region: the Workers host probes its checks from shards created with that hint (the Node host has no regions; there it stays pending).',
      middleware: requires('manageInventory'),
      request: { body: jsonBody(vantageCreateSchema) },
      responses: { 201: json(VantageSchema, 'The new vantage'), ...errorResponses(400, 409) },
    }),
    async (c) => c.json(await createVantage(serviceContext(c), c.req.valid('json')), 201),
  );

  routes.openapi(
    createRoute({
      method: 'patch', path: '/{name}', tags, security, summary: "Change a vantage's description or grace",
      middleware: requires('manageInventory'),
      request: { params: VantageNameParam, body: jsonBody(vantagePatchSchema) },
      responses: { 200: json(VantageSchema, 'The changed vantage'), ...errorResponses(400, 404) },
    }),
    async (c) => c.json(await updateVantage(serviceContext(c), c.req.valid('param').name, c.req.valid('json')), 200),
  );

  routes.openapi(
    createRoute({
      method: 'delete', path: '/{name}', tags, security, summary: 'Delete a probe agent vantage and revoke its probe tokens',
      description: 'Refused with 409 while checks list it (the answer names them), and for central.',
      middleware: requires('manageInventory'),
      request: { params: VantageNameParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404, 409) },
    }),
    async (c) => {
      await deleteVantage(serviceContext(c), c.req.valid('param').name);
      return c.body(null, 204);
    },
  );

  registerAgentRoutes(routes, intake);
  return routes;
}
