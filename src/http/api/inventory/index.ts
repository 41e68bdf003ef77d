import { createRoute, z } from '@hono/zod-openapi';
import { InvalidInputError } from '../../../core/domain/errors.js';
import { applyInventory } from '../../../core/services/inventory/apply.js';
import { parseInventoryDocument } from '../../../core/services/inventory/document.js';
import { exportInventoryYaml } from '../../../core/services/inventory/export.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, json, security } from '../openapi.js';

const tags = ['Inventory as code'];
export const inventoryRoutes = createRouter();

const SectionKeys = z.object({
  assets: z.array(z.string()),
  functions: z.array(z.string()),
  checks: z.array(z.string()),
  satellites: z.array(z.string()),
  scenarios: z.array(z.string()),
  drills: z.array(z.string()),
  statusPages: z.array(z.string()),
  vantages: z.array(z.string()),
});

const SummarySchema = z
  .object({
    dryRun: z.boolean(),
    created: SectionKeys,
    updated: SectionKeys,
    unchanged: z.number().int(),
  })
  .openapi('ApplySummary');

const booleanFlag = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');

inventoryRoutes.openapi(
  createRoute({
    method: 'get', path: '/', tags, security, summary: 'Export the inventory as YAML',
    description:
      'The same file `coopwatch export` writes; applying it back changes nothing. Secrets (push tokens, header values) read `********` and the file says so; `includeSecrets=true` writes them (admin only, 403 otherwise).',
    middleware: requires('read'),
    request: { query: z.object({ includeSecrets: booleanFlag }) },
    responses: { 200: { description: 'The inventory', content: { 'application/yaml': { schema: z.string() } } }, ...errorResponses(400) },
  }),
  async (c) => {
    const yaml = await exportInventoryYaml(serviceContext(c), { includeSecrets: c.req.valid('query').includeSecrets });
    return c.body(yaml, 200, { 'content-type': 'application/yaml; charset=utf-8', 'cache-control': 'no-store' });
  },
);

inventoryRoutes.openapi(
  createRoute({
    method: 'post', path: '/apply', tags, security, summary: 'Apply an inventory file (YAML or JSON)',
    description:
      'Creates and updates assets, functions, satellites, checks, scenarios, drills and status pages by key, in one transaction. A file with any error is refused whole, with the line of each error. `dryRun=true` reports what would change.',
    middleware: requires('manageInventory'),
    request: {
      query: z.object({ dryRun: booleanFlag }),
      // Plain OpenAPI schemas: the file is parsed (with line numbers) by the handler, not by zod.
      body: { required: true, content: { 'application/yaml': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'string' } } } },
    },
    responses: { 200: json(SummarySchema, 'What changed'), ...errorResponses(400, 422) },
  }),
  async (c) => {
    const source = await c.req.text();
    if (!source.trim()) throw new InvalidInputError([{ path: '', message: 'the body is empty; send the YAML or JSON file', location: 'body' }]);
    const { document, locate } = parseInventoryDocument(source);
    return c.json(await applyInventory(serviceContext(c), document, { dryRun: c.req.valid('query').dryRun, locate }), 200);
  },
);
