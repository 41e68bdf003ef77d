import { createRoute, z } from '@hono/zod-openapi';
import { addAlliedSource, alliedSourceInputSchema, deleteAlliedSource, loadAlliedPicture } from '../../../core/services/allied.js';
import { receiveAlliedPush } from '../../../core/services/allied-push.js';
import { SYSTEM_ACTOR } from '../../../core/domain/roles.js';
import { requires } from '../../middleware/auth.js';
import type { createRouter } from '../../env.js';
import { serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, jsonBody, security } from '../openapi.js';
import { MarkingSchema } from './marking-schema.js';

const tags = ['Sharing'];

const SourceSchema = z
  .object({
    id: z.number().int(),
    name: z.string().openapi({ description: 'The owner, as allied tiles show it' }),
    url: z.string(),
    cursor: z.number().int().openapi({ description: 'The last feed event taken in' }),
    takesPushes: z.boolean().openapi({ description: 'A push secret is set: the ally\'s signed pushes land at once (the pull fills gaps)' }),
    lastSuccessAt: z.string().nullable(),
    lastError: z.string().nullable(),
    stale: z.boolean().openapi({ description: 'No successful read for 15 s: the tiles say so' }),
  })
  .openapi('AlliedSource');

/** The allies this instance follows (admin), and the allied picture (viewer): mounted on /api/sharing. */
export function registerAlliedRoutes(routes: ReturnType<typeof createRouter>) {
  routes.openapi(
    createRoute({
      method: 'post', path: '/sources', tags, security, summary: "Follow an ally's coopwatch (admin)",
      description: 'Give its base URL and the partner token it minted for us, and `pushSecret` when it pushes to our POST /api/sharing/push (the secret its PUT /api/partners/{key}/push answered). The Node host then reads its shared objects once and follows its feed, keeping the cursor in the database.',
      middleware: requires('manageSharing'),
      request: { body: jsonBody(alliedSourceInputSchema) },
      responses: { 201: json(SourceSchema, 'The source (its token is never shown again)'), ...errorResponses(400, 409) },
    }),
    async (c) => c.json(await addAlliedSource(serviceContext(c), c.req.valid('json')), 201),
  );

  routes.openapi(
    createRoute({
      method: 'delete', path: '/sources/{id}', tags, security, summary: 'Stop following an ally, and drop its tiles (admin)',
      middleware: requires('manageSharing'),
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404) },
    }),
    async (c) => {
      await deleteAlliedSource(serviceContext(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  routes.openapi(
    createRoute({
      method: 'post', path: '/push', tags, summary: "An ally's pushed feed item (Standard Webhooks, signed with the source's push secret)",
      description: 'No bearer token: the `webhook-signature` over the exact body is the credential, within 5 minutes of `webhook-timestamp`. The body is `{ type, timestamp, data }` with `data` one item of the ally\'s GET /api/sharing/feed; applied once however often it comes, and never over a later state.',
      responses: { 200: json(z.object({ source: z.string(), eventId: z.number().int().nullable() }), 'Applied (or already had)'), ...errorResponses(400) },
    }),
    async (c) => {
      const ctx = { db: c.get('db'), actor: { ...SYSTEM_ACTOR, name: 'allied push' }, now: c.get('now') };
      return c.json(await receiveAlliedPush(ctx, { body: await c.req.text(), headers: c.req.raw.headers }), 200);
    },
  );

  const ItemSchema = z.object({ kind: z.string(), key: z.string(), name: z.string(), status: z.string(), marking: MarkingSchema, drill: z.boolean(), updatedAt: z.string() });
  const EventSchema = z.object({ id: z.number().int(), type: z.string(), at: z.string(), drill: z.boolean(), data: z.record(z.string(), z.unknown()) });
  routes.openapi(
    createRoute({
      method: 'get', path: '/allied', tags, security, summary: "The allies' shared assets and functions, read-only, with their freshness",
      middleware: requires('read'),
      responses: { 200: json(z.object({ sources: z.array(SourceSchema.extend({ items: z.array(ItemSchema), events: z.array(EventSchema) })) }), 'Each followed ally'), ...errorResponses() },
    }),
    async (c) => c.json(await loadAlliedPicture(serviceContext(c)), 200),
  );
}
