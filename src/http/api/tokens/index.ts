import { createRoute, z } from '@hono/zod-openapi';
import { ROLES } from '../../../core/domain/enums.js';
import { listTokens, mintToken, revokeToken } from '../../../core/services/tokens.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, jsonBody, security } from '../openapi.js';

const tags = ['Tokens'];
export const tokenRoutes = createRouter();

const TokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: z.enum(ROLES),
    vantage: z.string().nullable().openapi({ description: "A probe token's vantage; null for other roles" }),
    partner: z.string().nullable().openapi({ description: "A partner token's partner (its key); null for other roles" }),
    prefix: z.string().openapi({ description: 'The first characters of the secret, to tell tokens apart' }),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('Token');

const MintSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  vantage: z.string().max(63).optional().openapi({ description: 'Required for role `probe` (and refused for other roles): the agent vantage the token speaks for' }),
  partner: z.string().max(80).optional().openapi({ description: 'Required for role `partner` (and refused for other roles): the partner (key) the token reads for' }),
  expiresAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'ISO 8601; the token stops working then' }),
});

tokenRoutes.openapi(
  createRoute({
    method: 'get', path: '/', tags, security, summary: 'List tokens (never their secrets)',
    middleware: requires('manageTokens'),
    responses: { 200: json(z.object({ items: z.array(TokenSchema) }), 'All tokens, revoked ones included'), ...errorResponses() },
  }),
  async (c) => c.json({ items: await listTokens(serviceContext(c)) }, 200),
);

tokenRoutes.openapi(
  createRoute({
    method: 'post', path: '/', tags, security, summary: 'Mint a token',
    description:
      'The response carries the secret. It is shown this once and cannot be read again. A `probe` token names its agent `vantage`: it reads only that vantage\'s assignment and posts only its results, nothing else. A `partner` token names its `partner`: it reads only the sharing feed and TAXII, and only what is released to that partner\'s country.',
    middleware: requires('manageTokens'),
    request: { body: jsonBody(MintSchema) },
    responses: { 201: json(TokenSchema.extend({ secret: z.string() }), 'The new token and its secret'), ...errorResponses(400, 422) },
  }),
  async (c) => {
    const input = c.req.valid('json');
    const expiresAt = input.expiresAt ? Date.parse(input.expiresAt) : null;
    return c.json(await mintToken(serviceContext(c), { name: input.name, role: input.role, vantage: input.vantage, partner: input.partner, expiresAt }), 201);
  },
);

tokenRoutes.openapi(
  createRoute({
    method: 'delete', path: '/{id}', tags, security, summary: 'Revoke a token',
    description: 'Takes effect at once. The last admin token cannot be revoked (409).',
    middleware: requires('manageTokens'),
    request: { params: IdParam },
    responses: { 200: json(TokenSchema, 'The revoked token'), ...errorResponses(400, 404, 409) },
  }),
  async (c) => c.json(await revokeToken(serviceContext(c), c.req.valid('param').id), 200),
);
