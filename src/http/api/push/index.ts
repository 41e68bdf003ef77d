import { createRoute, z } from '@hono/zod-openapi';
import { recordHeartbeat } from '../../../core/services/push.js';
import { createRouter } from '../../env.js';
import { errorResponses, json } from '../openapi.js';

export const pushRoutes = createRouter();

const HeartbeatSchema = z.strictObject({
  status: z.enum(['up', 'degraded', 'down']).default('up'),
  message: z.string().max(500).optional(),
  metrics: z.record(z.string().max(64), z.number()).optional(),
});

pushRoutes.openapi(
  createRoute({
    method: 'post', path: '/{token}', tags: ['Push heartbeats'],
    summary: 'Heartbeat from an asset behind a firewall (no bearer token: the URL is the secret)',
    description: 'A push check goes down when no heartbeat arrives within its interval plus grace. The body is optional.',
    request: {
      params: z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/).openapi({ param: { name: 'token', in: 'path' } }) }),
      body: { required: false, content: { 'application/json': { schema: HeartbeatSchema } } },
    },
    responses: { 200: json(z.object({ ok: z.literal(true), check: z.string() }), 'Recorded'), ...errorResponses(400, 404) },
  }),
  async (c) => {
    const heartbeat = HeartbeatSchema.parse(c.req.valid('json') ?? {});
    const { checkKey } = await recordHeartbeat(c.get('db'), c.req.valid('param').token, heartbeat, c.get('now')());
    return c.json({ ok: true as const, check: checkKey }, 200);
  },
);
