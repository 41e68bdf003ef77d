import { createRoute, z } from '@hono/zod-openapi';
import { createPartner, listPartners, partnerInputSchema, revokePartner } from '../../../core/services/partners.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, json, jsonBody, security } from '../openapi.js';

const tags = ['Sharing'];
export const partnerRoutes = createRouter();

const PartnerSchema = z
  .object({
    id: z.number().int(),
    key: z.string(),
    name: z.string(),
    country: z.string().openapi({ description: 'ISO 3166-1 alpha-3: what it reads is what is released (REL TO) to this country' }),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('Partner');

const PartnerKeyParam = z.object({
  key: z.string().min(1).max(80).openapi({ param: { name: 'key', in: 'path' }, example: 'jp-jaxa' }),
});

partnerRoutes.openapi(
  createRoute({
    method: 'get', path: '/', tags, security, summary: 'List partners (admin)',
    middleware: requires('manageSharing'),
    responses: { 200: json(z.object({ items: z.array(PartnerSchema) }), 'Every partner, revoked ones included'), ...errorResponses() },
  }),
  async (c) => c.json({ items: await listPartners(serviceContext(c)) }, 200),
);

partnerRoutes.openapi(
  createRoute({
    method: 'post', path: '/', tags, security, summary: 'Register an allied partner (admin)',
    description: 'Then mint it a token with role `partner` and this `partner` key (POST /api/tokens): it reads the shared feed and TAXII, only what its country may see.',
    middleware: requires('manageSharing'),
    request: { body: jsonBody(partnerInputSchema) },
    responses: { 201: json(PartnerSchema, 'The new partner'), ...errorResponses(400, 409) },
  }),
  async (c) => c.json(await createPartner(serviceContext(c), c.req.valid('json')), 201),
);

partnerRoutes.openapi(
  createRoute({
    method: 'delete', path: '/{key}', tags, security, summary: 'Revoke a partner and all its tokens (admin)',
    description: 'Every feed stops at once: its next request is refused with 401.',
    middleware: requires('manageSharing'),
    request: { params: PartnerKeyParam },
    responses: { 200: json(PartnerSchema, 'The revoked partner'), ...errorResponses(400, 404) },
  }),
  async (c) => c.json(await revokePartner(serviceContext(c), c.req.valid('param').key), 200),
);
