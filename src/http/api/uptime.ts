import { createRoute, z } from '@hono/zod-openapi';
import { uptimeOf } from '../../core/services/uptime.js';
import { requires } from '../middleware/auth.js';
import { serviceContext, type createRouter } from '../env.js';
import { errorResponses, IdParam, json, security } from './openapi.js';

const Window = z.object({
  availability: z.number().nullable().openapi({ description: 'Share of samples up or degraded (still serving); null without data' }),
  upRatio: z.number().nullable().openapi({ description: 'Share of samples fully up' }),
  samples: z.number().int(),
  meanLatencyMs: z.number().nullable(),
});
const UptimeSchema = z.object({ '24h': Window, '30d': Window, '90d': Window }).openapi('Uptime');

/** Registers `GET /{id}/uptime` on an asset or function router. */
export function registerUptimeRoute(router: ReturnType<typeof createRouter>, kind: 'asset' | 'function', tags: string[]) {
  router.openapi(
    createRoute({
      method: 'get', path: '/{id}/uptime', tags, security, summary: `Availability of the ${kind} over 24 h, 30 d and 90 d`,
      description: kind === 'asset' ? 'From its checks\' results, rolled up hourly and daily.' : 'From its status, sampled every minute.',
      middleware: requires('read'),
      request: { params: IdParam },
      responses: { 200: json(UptimeSchema, 'Availability per window'), ...errorResponses(400, 404) },
    }),
    async (c) => c.json(await uptimeOf(serviceContext(c), { kind, id: c.req.valid('param').id }), 200),
  );
}
