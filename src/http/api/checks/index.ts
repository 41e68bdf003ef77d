import { createRoute, z } from '@hono/zod-openapi';
import { checkCreateSchema, checkPatchSchema } from '../../../core/domain/checks.js';
import { CHECK_KINDS, CHECK_STATUSES } from '../../../core/domain/enums.js';
import { createCheck, deleteCheck, getCheck, listChecks, updateCheck } from '../../../core/services/checks.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, jsonBody, pageOf, pageQuery, security } from '../openapi.js';

const tags = ['Checks'];
export const checkRoutes = createRouter();

const CheckSchema = z
  .object({
    id: z.number().int(),
    key: z.string(),
    assetId: z.number().int(),
    kind: z.enum(CHECK_KINDS),
    enabled: z.boolean(),
    intervalSeconds: z.number().int().nullable(),
    cron: z.string().nullable(),
    timezone: z.string().nullable(),
    timeoutMs: z.number().int(),
    failureThreshold: z.number().int(),
    successThreshold: z.number().int(),
    vantages: z.array(z.string()).nullable().openapi({ description: 'The vantages that run it, by name; null: central alone' }),
    quorum: z.number().int().nullable().openapi({ description: 'How many vantages must see it down; null: a majority' }),
    pushUrl: z.string().optional().openapi({ description: 'push checks: where the asset sends heartbeats; its token is `********` except in the answer that created the check' }),
    status: z.enum(CHECK_STATUSES),
    statusSince: z.string().nullable(),
    message: z.string().nullable(),
    votes: z
      .array(z.object({ vantage: z.string(), status: z.enum(CHECK_STATUSES), at: z.string() }))
      .openapi({ description: "Each listed vantage's own view (empty for a central-only check); below quorum, disagreement reads `disputed`" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .catchall(z.unknown())
  .openapi('Check', {
    description:
      'Also carries its settings block under the name of its kind, e.g. `http: { url, method, expectStatus }`. Secrets (a push `token`, HTTP `headers` values) read `********` except in the answer that created the check; sending `********` back keeps the stored value.',
  });

const ListQuery = z.object({
  assetId: z.coerce.number().int().positive().optional(),
  kind: z.enum(CHECK_KINDS).optional(),
  ...pageQuery,
});

checkRoutes.openapi(
  createRoute({
    method: 'get', path: '/', tags, security, summary: 'List checks with their current status',
    middleware: requires('read'),
    request: { query: ListQuery },
    responses: { 200: json(pageOf(CheckSchema, 'CheckPage'), 'A page of checks'), ...errorResponses(400) },
  }),
  async (c) => c.json(await listChecks(serviceContext(c), c.req.valid('query')), 200),
);

checkRoutes.openapi(
  createRoute({
    method: 'get', path: '/{id}', tags, security, summary: 'Get a check',
    middleware: requires('read'),
    request: { params: IdParam },
    responses: { 200: json(CheckSchema, 'The check'), ...errorResponses(400, 404) },
  }),
  async (c) => c.json(await getCheck(serviceContext(c), c.req.valid('param').id), 200),
);

checkRoutes.openapi(
  createRoute({
    method: 'post', path: '/', tags, security, summary: 'Create a check',
    description:
      'Runs every `intervalSeconds` (default 60) or on a `cron` schedule. Down or degraded after `failureThreshold` results in a row (default 3), up again after `successThreshold` (default 2). ' +
      '`vantages` lists where it runs from (default central alone; push, external and contact checks run from central only); it is down only when `quorum` of them (default a majority) see it down.',
    middleware: requires('manageInventory'),
    request: { body: jsonBody(checkCreateSchema) },
    responses: { 201: json(CheckSchema, 'The new check'), ...errorResponses(400, 409, 422) },
  }),
  async (c) => c.json(await createCheck(serviceContext(c), c.req.valid('json')), 201),
);

checkRoutes.openapi(
  createRoute({
    method: 'patch', path: '/{id}', tags, security, summary: 'Change a check',
    description: 'A settings block replaces the stored one whole, except its secrets: a push block without `token` keeps the token, a header value sent as `********` keeps the stored value.',
    middleware: requires('manageInventory'),
    request: { params: IdParam, body: jsonBody(checkPatchSchema) },
    responses: { 200: json(CheckSchema, 'The changed check'), ...errorResponses(400, 404, 422) },
  }),
  async (c) => c.json(await updateCheck(serviceContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
);

checkRoutes.openapi(
  createRoute({
    method: 'delete', path: '/{id}', tags, security, summary: 'Delete a check',
    middleware: requires('manageInventory'),
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404) },
  }),
  async (c) => {
    await deleteCheck(serviceContext(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
