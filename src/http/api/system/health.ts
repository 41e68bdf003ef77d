import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import pkg from '../../../../package.json' with { type: 'json' };
import { storageHealthOf } from '../../../core/store/storage-health.js';
import { createRouter } from '../../env.js';
import { json } from '../openapi.js';

export const VERSION: string = pkg.version;

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    database: z.object({
      status: z.enum(['ok', 'error']),
      latencyMs: z.number(),
      error: z.string().optional(),
      writable: z.boolean().openapi({ description: 'False while writes fail (disk full, read-only or moved file, I/O error): reads are still served' }),
      problem: z.string().optional().openapi({ description: 'Why writes fail, e.g. "disk full (SQLITE_FULL: …)"' }),
      since: z.number().int().optional().openapi({ description: 'When writes started failing, ms since the epoch' }),
    }),
  })
  .openapi('Health');

export const healthRoutes = createRouter();

healthRoutes.openapi(
  createRoute({
    method: 'get', path: '/healthz', tags: ['System'], summary: 'Liveness and database status (no token needed)',
    responses: {
      200: json(HealthSchema, 'Healthy'),
      503: json(HealthSchema, 'The database does not answer, or answers reads but refuses writes (database.writable false)'),
    },
  }),
  async (c) => {
    const started = performance.now();
    const db = c.get('db');
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    try {
      await db.run(sql`select 1`);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      return c.json({ status: 'degraded' as const, version: VERSION, database: { status: 'error' as const, latencyMs: elapsed(), error, writable: false } }, 503);
    }
    const latencyMs = elapsed();
    const storage = storageHealthOf(db);
    if (storage && !storage.writable) {
      const database = { status: 'ok' as const, latencyMs, writable: false, ...(storage.problem ? { problem: storage.problem } : {}), ...(storage.since ? { since: storage.since } : {}) };
      return c.json({ status: 'degraded' as const, version: VERSION, database }, 503);
    }
    return c.json({ status: 'ok' as const, version: VERSION, database: { status: 'ok' as const, latencyMs, writable: true } }, 200);
  },
);
