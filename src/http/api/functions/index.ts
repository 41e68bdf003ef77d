import { createRoute } from '@hono/zod-openapi';
import { functionCreateSchema, functionPatchSchema } from '../../../core/domain/inventory.js';
import { createFunction, deleteFunction, getFunction, listFunctions, updateFunction } from '../../../core/services/functions.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, ForceQuery, IdParam, json, jsonBody, security } from '../openapi.js';
import { registerUptimeRoute } from '../uptime.js';
import { FunctionListQuerySchema, FunctionPageSchema, FunctionSchema } from './schemas.js';

const tags = ['Mission functions'];
export const functionRoutes = createRouter();

functionRoutes.openapi(
  createRoute({
    method: 'get', path: '/', tags, security, summary: 'List mission functions with their dependency groups',
    middleware: requires('read'),
    request: { query: FunctionListQuerySchema },
    responses: { 200: json(FunctionPageSchema, 'A page of mission functions'), ...errorResponses(400) },
  }),
  async (c) => c.json(await listFunctions(serviceContext(c), c.req.valid('query')), 200),
);

functionRoutes.openapi(
  createRoute({
    method: 'get', path: '/{id}', tags, security, summary: 'Get a mission function',
    middleware: requires('read'),
    request: { params: IdParam },
    responses: { 200: json(FunctionSchema, 'The mission function'), ...errorResponses(400, 404) },
  }),
  async (c) => c.json(await getFunction(serviceContext(c), c.req.valid('param').id), 200),
);

functionRoutes.openapi(
  createRoute({
    method: 'post', path: '/', tags, security, summary: 'Create a mission function',
    description: 'Each group holds while at least `k` of its members are up. A dependency cycle between functions is refused with 422.',
    middleware: requires('manageInventory'),
    request: { body: jsonBody(functionCreateSchema) },
    responses: { 201: json(FunctionSchema, 'The new mission function'), ...errorResponses(400, 409, 422) },
  }),
  async (c) => c.json(await createFunction(serviceContext(c), c.req.valid('json')), 201),
);

functionRoutes.openapi(
  createRoute({
    method: 'patch', path: '/{id}', tags, security, summary: 'Change a mission function',
    description: 'Only the fields given change; `groups`, when given, replaces all groups.',
    middleware: requires('manageInventory'),
    request: { params: IdParam, body: jsonBody(functionPatchSchema) },
    responses: { 200: json(FunctionSchema, 'The changed mission function'), ...errorResponses(400, 404, 422) },
  }),
  async (c) => c.json(await updateFunction(serviceContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
);

functionRoutes.openapi(
  createRoute({
    method: 'delete', path: '/{id}', tags, security, summary: 'Delete a mission function',
    description: 'Refused with 409 while another function depends on it, unless `force=true`.',
    middleware: requires('manageInventory'),
    request: { params: IdParam, query: ForceQuery },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404, 409) },
  }),
  async (c) => {
    await deleteFunction(serviceContext(c), c.req.valid('param').id, c.req.valid('query').force);
    return c.body(null, 204);
  },
);
registerUptimeRoute(functionRoutes, 'function', tags);
