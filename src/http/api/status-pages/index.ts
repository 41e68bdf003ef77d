import { createRoute, z } from '@hono/zod-openapi';
import {
  createStatusPage,
  deleteStatusPage,
  getStatusPage,
  listStatusPages,
  statusPageInputSchema,
  statusPagePatchSchema,
  updateStatusPage,
} from '../../../core/services/status-pages.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, jsonBody, security } from '../openapi.js';
import { MarkingSchema } from '../sharing/marking-schema.js';

const tags = ['Status pages'];
export const statusPageRoutes = createRouter();

const ComponentSchema = z
  .object({
    name: z.string().openapi({ description: 'The public name shown on the page (not the asset’s or function’s own name)' }),
    group: z.string().nullable(),
    assetId: z.number().int().nullable(),
    functionId: z.number().int().nullable(),
  })
  .openapi('StatusPageComponent');

const StatusPageSchema = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    showIncidents: z.boolean(),
    showMaintenance: z.boolean(),
    marking: MarkingSchema,
    url: z.string().openapi({ description: 'The public page, e.g. /status/public (no sign-in)' }),
    components: z.array(ComponentSchema),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('StatusPage');

const PUBLIC =
  'The page is public at `/status/{slug}` (no sign-in), with `/status/{slug}/summary.json` (Statuspage `summary.json` shape), ' +
  '`/status/{slug}/feed.atom` and SVG badges at `/status/{slug}/badge.svg` and `/status/{slug}/components/{id}/badge.svg` (the component id summary.json lists). ' +
  'It shows only the listed components, under their public names; incidents only when they touch one of them.';

statusPageRoutes.openapi(
  createRoute({
    method: 'get', path: '/', tags, security, summary: 'List status pages',
    middleware: requires('read'),
    responses: { 200: json(z.object({ items: z.array(StatusPageSchema) }), 'Every status page with its components'), ...errorResponses() },
  }),
  async (c) => c.json({ items: await listStatusPages(serviceContext(c)) }, 200),
);

statusPageRoutes.openapi(
  createRoute({
    method: 'get', path: '/{id}', tags, security, summary: 'Get a status page',
    middleware: requires('read'),
    request: { params: IdParam },
    responses: { 200: json(StatusPageSchema, 'The status page'), ...errorResponses(400, 404) },
  }),
  async (c) => c.json(await getStatusPage(serviceContext(c), c.req.valid('param').id), 200),
);

statusPageRoutes.openapi(
  createRoute({
    method: 'post', path: '/', tags, security, summary: 'Create a public status page',
    description: `Each component names exactly one asset (\`assetId\`) or mission function (\`functionId\`); one that does not exist is refused with 422. ${PUBLIC}`,
    middleware: requires('manageInventory'),
    request: { body: jsonBody(statusPageInputSchema) },
    responses: { 201: json(StatusPageSchema, 'The new status page'), ...errorResponses(400, 409, 422) },
  }),
  async (c) => c.json(await createStatusPage(serviceContext(c), c.req.valid('json')), 201),
);

statusPageRoutes.openapi(
  createRoute({
    method: 'patch', path: '/{id}', tags, security, summary: 'Change a status page',
    description: 'Only the fields given change; the slug is fixed; `components`, when given, replaces them all.',
    middleware: requires('manageInventory'),
    request: { params: IdParam, body: jsonBody(statusPagePatchSchema) },
    responses: { 200: json(StatusPageSchema, 'The changed status page'), ...errorResponses(400, 404, 422) },
  }),
  async (c) => c.json(await updateStatusPage(serviceContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
);

statusPageRoutes.openapi(
  createRoute({
    method: 'delete', path: '/{id}', tags, security, summary: 'Delete a status page',
    description: 'The public page stops answering at once.',
    middleware: requires('manageInventory'),
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404) },
  }),
  async (c) => {
    await deleteStatusPage(serviceContext(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
