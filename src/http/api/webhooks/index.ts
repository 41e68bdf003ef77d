import { createRoute, z } from '@hono/zod-openapi';
import { WEBHOOK_EVENT_TYPES, webhookCreateSchema, webhookPatchSchema } from '../../../core/outbox/schemas.js';
import { WEBHOOK_FORMATS } from '../../../core/store/schema/webhooks.js';
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, queuePing, redeliver, updateWebhook, type WebhookPolicy } from '../../../core/services/webhooks.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, jsonBody, security } from '../openapi.js';

const tags = ['Webhooks'];

const WebhookSchema = z
  .object({
    id: z.number().int(), name: z.string(), url: z.string(), events: z.array(z.string()).openapi({ description: WEBHOOK_EVENT_TYPES.join(', ') }), format: z.enum(WEBHOOK_FORMATS),
    includeDrills: z.boolean(), filters: z.record(z.string(), z.unknown()), hasRoutingKey: z.boolean(), enabled: z.boolean(),
    disabledReason: z.string().nullable(), rotatingUntil: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
    secret: z.string().openapi({ description: '`********` except in the answer that created or rotated it' }),
    routingKey: z.string().nullable().openapi({ description: 'pagerduty: the Events API v2 integration key (32 characters); `********` when set, except in the answer that created it, and sent back as is to keep it' }),
  })
  .openapi('Webhook');
const DeliverySchema = z
  .object({ id: z.number().int(), eventId: z.number().int().nullable(), messageId: z.string(), status: z.enum(['pending', 'succeeded', 'failed', 'skipped']) })
  .passthrough()
  .openapi('WebhookDelivery');

/** `/api/webhooks` (admin). `wake` nudges the dispatcher (Workers: enqueues the delivery) so a ping or redelivery goes out at once. */
export function webhookRoutes(policy: WebhookPolicy, wake: (deliveryId: number, bindings: Record<string, unknown>) => void | Promise<void>) {
  const routes = createRouter();
  routes.openapi(
    createRoute({ method: 'get', path: '/', tags, security, summary: 'List subscriptions (secrets masked)', middleware: requires('manageIntegrations'),
      responses: { 200: json(z.object({ items: z.array(WebhookSchema) }), 'Subscriptions'), ...errorResponses() } }),
    async (c) => c.json({ items: await listWebhooks(serviceContext(c)) }, 200),
  );
  routes.openapi(
    createRoute({ method: 'get', path: '/{id}', tags, security, summary: 'Get a subscription', middleware: requires('manageIntegrations'),
      request: { params: IdParam }, responses: { 200: json(WebhookSchema, 'The subscription'), ...errorResponses(400, 404) } }),
    async (c) => c.json(await getWebhook(serviceContext(c), c.req.valid('param').id), 200),
  );
  routes.openapi(
    createRoute({
      method: 'post', path: '/', tags, security, summary: 'Subscribe an endpoint',
      description: 'Signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The `secret` (whsec_…) is returned once. Drill events only with `includeDrills`. Link-local and cloud metadata addresses are always refused; private and loopback ones only when COOPWATCH_WEBHOOK_ALLOW_PRIVATE=1.',
      middleware: requires('manageIntegrations'),
      request: { body: jsonBody(webhookCreateSchema) },
      responses: { 201: json(WebhookSchema, 'The subscription, with its secret'), ...errorResponses(400) },
    }),
    async (c) => c.json(await createWebhook(serviceContext(c), c.req.valid('json'), policy), 201),
  );
  routes.openapi(
    createRoute({
      method: 'patch', path: '/{id}', tags, security, summary: 'Change a subscription; `rotateSecret` issues a new secret (both sign during the grace period)',
      middleware: requires('manageIntegrations'),
      request: { params: IdParam, body: jsonBody(webhookPatchSchema) },
      responses: { 200: json(WebhookSchema, 'The subscription (with the new secret after a rotation)'), ...errorResponses(400, 404) },
    }),
    async (c) => c.json(await updateWebhook(serviceContext(c), c.req.valid('param').id, c.req.valid('json'), policy), 200),
  );
  routes.openapi(
    createRoute({ method: 'delete', path: '/{id}', tags, security, summary: 'Delete a subscription and its delivery log', middleware: requires('manageIntegrations'),
      request: { params: IdParam }, responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404) } }),
    async (c) => {
      await deleteWebhook(serviceContext(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
  routes.openapi(
    createRoute({ method: 'post', path: '/{id}/test', tags, security, summary: 'Send a signed test message now, in the subscription\'s format and labelled a test (PagerDuty: a resolve that pages no one)', middleware: requires('manageIntegrations'),
      request: { params: IdParam }, responses: { 202: json(z.object({ deliveryId: z.number().int(), messageId: z.string() }), 'Queued; see its deliveries for the result'), ...errorResponses(400, 404) } }),
    async (c) => {
      const row = await queuePing(serviceContext(c), c.req.valid('param').id);
      await wake(row.id, c.env);
      return c.json({ deliveryId: row.id, messageId: row.messageId }, 202);
    },
  );
  routes.openapi(
    createRoute({ method: 'get', path: '/{id}/deliveries', tags, security, summary: 'Deliveries, newest first, each with every attempt (status, latency, response snippet, next retry)',
      middleware: requires('manageIntegrations'),
      request: { params: IdParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
      responses: { 200: json(z.object({ items: z.array(DeliverySchema) }), 'Deliveries'), ...errorResponses(400, 404) } }),
    async (c) => c.json({ items: await listDeliveries(serviceContext(c), c.req.valid('param').id, c.req.valid('query').limit) }, 200),
  );
  routes.openapi(
    createRoute({ method: 'post', path: '/{id}/deliveries/{deliveryId}/redeliver', tags, security, summary: 'Send a delivery again (same webhook-id)',
      middleware: requires('manageIntegrations'),
      request: { params: z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }), deliveryId: z.coerce.number().int().positive().openapi({ param: { name: 'deliveryId', in: 'path' } }) }) },
      responses: { 202: json(DeliverySchema, 'Queued again'), ...errorResponses(400, 404, 409) } }),
    async (c) => {
      const { id, deliveryId } = c.req.valid('param');
      const view = await redeliver(serviceContext(c), id, deliveryId);
      await wake(deliveryId, c.env);
      return c.json(view, 202);
    },
  );
  return routes;
}
