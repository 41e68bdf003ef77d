import { createRoute } from '@hono/zod-openapi';
import { assetCreateSchema, assetPatchSchema } from '../../../core/domain/inventory.js';
import { createAsset, deleteAsset, getAsset, listAssets, updateAsset } from '../../../core/services/assets.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, ForceQuery, IdParam, json, jsonBody, security } from '../openapi.js';
import { registerUptimeRoute } from '../uptime.js';
import { passRoutes } from './passes.js';
import { AssetListQuerySchema, AssetPageSchema, AssetSchema } from './schemas.js';

const tags = ['Assets'];
export const assetRoutes = createRouter();

assetRoutes.openapi(
  createRoute({
    method: 'get', path: '/', tags, security, summary: 'List assets',
    description: 'Filter by kind, tag or operator; page with `limit` and the `nextCursor` of the previous page.',
    middleware: requires('read'),
    request: { query: AssetListQuerySchema },
    responses: { 200: json(AssetPageSchema, 'A page of assets'), ...errorResponses(400) },
  }),
  async (c) => c.json(await listAssets(serviceContext(c), c.req.valid('query')), 200),
);

assetRoutes.openapi(
  createRoute({
    method: 'get', path: '/{id}', tags, security, summary: 'Get an asset',
    middleware: requires('read'),
    request: { params: IdParam },
    responses: { 200: json(AssetSchema, 'The asset'), ...errorResponses(400, 404) },
  }),
  async (c) => c.json(await getAsset(serviceContext(c), c.req.valid('param').id), 200),
);

assetRoutes.openapi(
  createRoute({
    method: 'post', path: '/', tags, security, summary: 'Create an asset',
    middleware: requires('manageInventory'),
    request: { body: jsonBody(assetCreateSchema) },
    responses: { 201: json(AssetSchema, 'The new asset'), ...errorResponses(400, 409, 422) },
  }),
  async (c) => c.json(await createAsset(serviceContext(c), c.req.valid('json')), 201),
);

assetRoutes.openapi(
  createRoute({
    method: 'patch', path: '/{id}', tags, security, summary: 'Change an asset',
    description: 'Only the fields given change. The key cannot change.',
    middleware: requires('manageInventory'),
    request: { params: IdParam, body: jsonBody(assetPatchSchema) },
    responses: { 200: json(AssetSchema, 'The changed asset'), ...errorResponses(400, 404, 422) },
  }),
  async (c) => c.json(await updateAsset(serviceContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
);

assetRoutes.openapi(
  createRoute({
    method: 'delete', path: '/{id}', tags, security, summary: 'Delete an asset',
    description: 'Refused with 409 while a mission function depends on the asset or a link ends at it, unless `force=true`.',
    middleware: requires('manageInventory'),
    request: { params: IdParam, query: ForceQuery },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404, 409) },
  }),
  async (c) => {
    await deleteAsset(serviceContext(c), c.req.valid('param').id, c.req.valid('query').force);
    return c.body(null, 204);
  },
);
registerUptimeRoute(assetRoutes, 'asset', tags);

// GET /{id}/passes: upcoming satellite passes over a ground station.
assetRoutes.route('/', passRoutes);
