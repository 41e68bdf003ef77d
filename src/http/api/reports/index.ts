import { createRoute, z } from '@hono/zod-openapi';
import { InvalidInputError } from '../../../core/domain/errors.js';
import { recoveryReport } from '../../../core/services/incidents.js';
import { resilienceReport } from '../../../core/services/drill-reports.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, json, security } from '../openapi.js';
import { DAY_MS } from '../../../core/domain/time.js';

export const reportRoutes = createRouter();

const Stat = z.object({ count: z.number().int(), meanMs: z.number().nullable(), p50Ms: z.number().nullable(), p95Ms: z.number().nullable() });

reportRoutes.openapi(
  createRoute({
    method: 'get', path: '/recovery', tags: ['Reports'], security,
    summary: 'MTTD, MTTA and MTTR (mean, p50, p95) over incidents opened in a period',
    middleware: requires('read'),
    request: {
      query: z.object({
        from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Default: 30 days before `to`' }),
        to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Default: now' }),
      }),
    },
    responses: {
      200: json(
        z.object({ from: z.string(), to: z.string(), incidents: z.number().int(), open: z.number().int(), detect: Stat, acknowledge: Stat, recover: Stat, bySeverity: z.record(z.string(), z.number()) }).openapi('RecoveryReport'),
        'The report',
      ),
      ...errorResponses(400),
    },
  }),
  async (c) => {
    const ctx = serviceContext(c);
    const query = c.req.valid('query');
    const to = query.to ? Date.parse(query.to) : ctx.now();
    const from = query.from ? Date.parse(query.from) : to - 30 * DAY_MS;
    if (from >= to) throw new InvalidInputError([{ path: 'from', message: 'must be before `to`', location: 'query' }]);
    return c.json(await recoveryReport(ctx, from, to), 200);
  },
);

reportRoutes.openapi(
  createRoute({
    method: 'get', path: '/resilience', tags: ['Reports'], security,
    summary: 'Per function TTD/TTF/TTR p50 and p95 (each function\'s own, from drills that exercised it, and incidents), RTO compliance, overdue exercises, resilience score',
    description: 'Function score from the latest run that took that function below full strength and was not stopped by a guardrail: passed (failed over within its RTO and came back) within the cycle 100, passed longer ago (expired) 75, failed 0, never exercised 0; `scoreFormula` states it. Runs that never hurt a function record nothing for it; guardrail aborts are listed per function (`guardrailAborts`), not scored. Overall: tier-weighted mean (PMEF 3, MEF 2, supporting 1).',
    middleware: requires('read'),
    request: { query: z.object({ cycleDays: z.coerce.number().int().min(1).max(3650).default(365) }) },
    responses: { 200: json(z.record(z.string(), z.unknown()).openapi('ResilienceReport'), 'The report'), ...errorResponses(400) },
  }),
  async (c) => c.json(await resilienceReport(serviceContext(c), c.req.valid('query').cycleDays), 200),
);
