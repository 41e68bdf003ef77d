import { createRoute, z } from '@hono/zod-openapi';
import {
  createMaintenance, deleteMaintenance, listMaintenance, maintenanceInputSchema, maintenancePatchSchema, updateMaintenance,
} from '../../../core/services/maintenance.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, jsonBody, security } from '../openapi.js';

const tags = ['Maintenance windows'];
export const maintenanceRoutes = createRouter();

const WindowSchema = z
  .object({
    id: z.number().int(), key: z.string(), title: z.string(), assetIds: z.array(z.number().int()),
    startsAt: z.string().nullable(), endsAt: z.string().nullable(), cron: z.string().nullable(), timezone: z.string().nullable(),
    durationMinutes: z.number().int().nullable(), active: z.boolean(),
  })
  .openapi('MaintenanceWindow');

maintenanceRoutes.openapi(
  createRoute({
    method: 'get', path: '/', tags, security, summary: 'List maintenance windows',
    middleware: requires('read'),
    responses: { 200: json(z.object({ items: z.array(WindowSchema) }), 'All windows, with whether each is active now'), ...errorResponses() },
  }),
  async (c) => c.json({ items: await listMaintenance(serviceContext(c)) }, 200),
);

maintenanceRoutes.openapi(
  createRoute({
    method: 'post', path: '/', tags, security, summary: 'Plan a maintenance window',
    description: 'While active, the listed assets show `maintenance`; their checks keep running but open no incidents and send no alerts. Redundancy still counts them as unavailable.',
    middleware: requires('manageInventory'),
    request: { body: jsonBody(maintenanceInputSchema) },
    responses: { 201: json(WindowSchema, 'The new window'), ...errorResponses(400, 409, 422) },
  }),
  async (c) => c.json(await createMaintenance(serviceContext(c), c.req.valid('json')), 201),
);

maintenanceRoutes.openapi(
  createRoute({
    method: 'patch', path: '/{id}', tags, security, summary: 'Change a maintenance window',
    description: 'Changes the fields given (not the key); `null` clears one, e.g. `{ "startsAt": null, "endsAt": null, "cron": "0 2 * * 6", "durationMinutes": 120 }` makes a one-off window recurring. The result must be a valid window.',
    middleware: requires('manageInventory'),
    request: { params: IdParam, body: jsonBody(maintenancePatchSchema) },
    responses: { 200: json(WindowSchema, 'The window'), ...errorResponses(400, 404, 422) },
  }),
  async (c) => c.json(await updateMaintenance(serviceContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
);

maintenanceRoutes.openapi(
  createRoute({
    method: 'delete', path: '/{id}', tags, security, summary: 'Delete a maintenance window',
    middleware: requires('manageInventory'),
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404) },
  }),
  async (c) => {
    await deleteMaintenance(serviceContext(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
