import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import pkg from '../../../package.json' with { type: 'json' };
import { createRouter } from '../env.js';
import { json } from '../openapi.js';

export const VERSION: string = pkg.version;

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    database: z.object({ status: z.enum(['ok', 'error']), latencyMs: z.number(), error: z.string().optional() }),
  })
  .openapi('Health');

export const healthRoutes = createRouter();

healthRoutes.openapi(
  createRoute({
    method: 'get', path: '/healthz', tags: ['System'], summary: 'Liveness and database status (no token needed)',
    responses: { 200: json(HealthSchema, 'Healthy'), 503: json(HealthSchema, 'The database does not answer') },
  }),
  async (c) => {
    const started = performance.now();
    try {
      await c.get('db').run(sql`select 1`);
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      return c.json({ status: 'ok' as const, version: VERSION, database: { status: 'ok' as const, latencyMs } }, 200);
    } catch (err) {
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      const error = err instanceof Error ? err.message : String(err);
      return c.json({ status: 'degraded' as const, version: VERSION, database: { status: 'error' as const, latencyMs, error } }, 503);
    }
  },
);
