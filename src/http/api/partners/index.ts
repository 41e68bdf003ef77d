import { createRoute, z } from '@hono/zod-openapi';
import { createPartner, listPartners, partnerInputSchema, revokePartner } from '../../../core/services/partners.js';
import { partnerPushInputSchema, setPartnerPush, stopPartnerPush } from '../../../core/services/partner-push.js';
import type { WebhookPolicy } from '../../../core/services/webhooks.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, json, jsonBody, security } from '../openapi.js';

const tags = ['Sharing'];

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

const PushSchema = z.object({ partner: z.string(), url: z.string(), secret: z.string() }).openapi('PartnerPush');

/** Partners (admin); `policy`: where a push may go, as for any webhook. */
export function partnerRoutes(policy: WebhookPolicy) {
  const routes = createRouter();
  routes.openapi(
    createRoute({
      method: 'get', path: '/', tags, security, summary: 'List partners (admin)',
      middleware: requires('manageSharing'),
      responses: { 200: json(z.object({ items: z.array(PartnerSchema) }), 'Every partner, revoked ones included'), ...errorResponses() },
    }),
    async (c) => c.json({ items: await listPartners(serviceContext(c)) }, 200),
  );

  routes.openapi(
    createRoute({
      method: 'post', path: '/', tags, security, summary: 'Register an allied partner (admin)',
      description: 'Then mint it a token with role `partner` and this `partner` key (POST /api/tokens): it reads the shared feed and TAXII, only what its country may see.',
      middleware: requires('manageSharing'),
      request: { body: jsonBody(partnerInputSchema) },
      responses: { 201: json(PartnerSchema, 'The new partner'), ...errorResponses(400, 409) },
    }),
    async (c) => c.json(await createPartner(serviceContext(c), c.req.valid('json')), 201),
  );

  routes.openapi(
    createRoute({
      method: 'delete', path: '/{key}', tags, security, summary: 'Revoke a partner and all its tokens (admin)',
      description: 'Every feed stops at once: its next request is refused with 401.',
      middleware: requires('manageSharing'),
      request: { params: PartnerKeyParam },
      responses: { 200: json(PartnerSchema, 'The revoked partner'), ...errorResponses(400, 404) },
    }),
    async (c) => c.json(await revokePartner(serviceContext(c), c.req.valid('param').key), 200),
  );

  routes.openapi(
    createRoute({
      method: 'put', path: '/{key}/push', tags, security, summary: "Push the partner's shared feed to its coopwatch (admin)",
      description: "Standard Webhooks deliveries of what the partner's feed would carry, from now on, to its POST /api/sharing/push, signed with `secret` (made here when omitted, shown in this answer only; the partner sets it on its allied source). Replaces an earlier push URL.",
      middleware: requires('manageSharing'),
      request: { params: PartnerKeyParam, body: jsonBody(partnerPushInputSchema) },
      responses: { 200: json(PushSchema, 'Pushing; the secret is shown this once'), ...errorResponses(400, 404, 409) },
    }),
    async (c) => c.json(await setPartnerPush(serviceContext(c), c.req.valid('param').key, c.req.valid('json'), policy), 200),
  );

  routes.openapi(
    createRoute({
      method: 'delete', path: '/{key}/push', tags, security, summary: 'Stop pushing to the partner (admin); its pull goes on',
      middleware: requires('manageSharing'),
      request: { params: PartnerKeyParam },
      responses: { 204: { description: 'Stopped' }, ...errorResponses(400, 404) },
    }),
    async (c) => {
      await stopPartnerPush(serviceContext(c), c.req.valid('param').key);
      return c.body(null, 204);
    },
  );
  return routes;
}
