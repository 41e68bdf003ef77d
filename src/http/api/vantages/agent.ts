// The probe agent's side of /api/vantages/{name}: its assignment and its results. Only the probe
// token bound to {name} gets through; anyone else, an admin included, is refused before the body
// is read.
import { createRoute, z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { bodyLimit } from 'hono/body-limit';
import { etag } from 'hono/etag';
import { AppError } from '../../../core/domain/errors.js';
import type { VantageIntake } from '../../../core/monitor/vantage-intake.js';
import { probeVantage, readAssignment } from '../../../core/services/vantages.js';
import { createRouter, serviceContext, type AppEnv } from '../../env.js';
import { ErrorSchema, errorResponses, json, jsonBody, security } from '../openapi.js';

const tags = ['Vantages'];

export const VantageNameParam = z.object({
  name: z.string().min(1).max(63).openapi({ param: { name: 'name', in: 'path' }, example: 'svalbard-site' }),
});

/** A results batch may be much larger than the API's general limit. */
export const RESULTS_MAX_BYTES = 8 * 1024 * 1024;
/** The path whose body has its own limit (RESULTS_MAX_BYTES). */
export const VANTAGE_RESULTS_PATH = /^\/api\/vantages\/[^/]+\/results\/?$/;
export const MAX_RESULTS_PER_BATCH = 20_000;

// Kept lean (no transforms or refinements per result): a busy agent sends tens of thousands a second.
const AgentResultSchema = z.object({
  checkId: z.number().int().positive(),
  at: z.number().int().nonnegative().openapi({ description: 'When the probe started (ms since the epoch)' }),
  status: z.enum(['up', 'degraded', 'down']),
  latencyMs: z.number().nonnegative().nullable(),
  message: z.string().max(4000).nullable(),
  metrics: z.record(z.string(), z.number()).optional(),
});

const AgentBatchSchema = z
  .object({
    batchId: z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/).openapi({ description: 'The agent\'s id for the batch: the same on a retry, so it is not counted twice' }),
    sentAt: z.number().int().nonnegative().openapi({ description: "The agent's clock when it sent the batch (ms)" }),
    results: z.array(AgentResultSchema).max(MAX_RESULTS_PER_BATCH),
  })
  .openapi('AgentBatch');

const ReceiptSchema = z
  .object({
    batchId: z.string(),
    duplicate: z.boolean().openapi({ description: 'Delivered before: nothing counted again' }),
    accepted: z.number().int(),
    late: z.number().int().openapi({ description: 'Accepted into history only: too old to vote, no stale alert replayed' }),
    ignored: z.number().int().openapi({ description: 'For checks that do not list this vantage' }),
  })
  .openapi('BatchReceipt');

const AssignmentSchema = z
  .object({
    vantage: z.string(),
    graceSeconds: z.number().int(),
    version: z.string().openapi({ description: 'Changes whenever the assignment does; also the ETag' }),
    checks: z.array(z.object({
      id: z.number().int(), key: z.string(), assetId: z.number().int(), kind: z.string(), intervalSeconds: z.number().int().nullable(),
      cron: z.string().nullable(), timezone: z.string().nullable(), timeoutMs: z.number().int(), failureThreshold: z.number().int(),
      successThreshold: z.number().int(), settings: z.record(z.string(), z.unknown()),
    })),
    assets: z.array(z.object({
      id: z.number().int(), key: z.string(), lat: z.number().nullable(), lon: z.number().nullable(), altM: z.number().nullable(),
      slaLatencyMs: z.number().nullable(), slaJitterMs: z.number().nullable(), slaLossPct: z.number().nullable(),
    })),
  })
  .openapi('Assignment');

/** 401 without a token; 403 unless it is the probe token bound to the vantage in the path. */
const boundProbe = createMiddleware<AppEnv>(async (c, next) => {
  await probeVantage(serviceContext(c), c.req.param('name') ?? '');
  return next();
});

type Router = ReturnType<typeof createRouter>;

export function registerAgentRoutes(routes: Router, intake: VantageIntake | undefined): void {
  routes.openapi(
    createRoute({
      method: 'get', path: '/{name}/assignment', tags, security, summary: "A probe agent's assignment (its probe token only)",
      description:
        'The enabled checks that list the vantage, with their settings (secrets included), and their assets. Only the probe token bound to the vantage reads it (403 for any other token, admin too). Send the last `ETag` as `If-None-Match` to get 304 while nothing changed.',
      // hono's etag middleware answers 304 to an If-None-Match naming the ETag the handler sets.
      middleware: [boundProbe, etag()] as const,
      request: { params: VantageNameParam },
      responses: { 200: json(AssignmentSchema, 'The assignment'), 304: { description: 'Unchanged since the ETag sent' }, ...errorResponses(400) },
    }),
    async (c) => {
      const assignment = await readAssignment(serviceContext(c), c.req.valid('param').name);
      return c.json(assignment, 200, { etag: `"${assignment.version}"` });
    },
  );

  routes.openapi(
    createRoute({
      method: 'post', path: '/{name}/results', tags, security, summary: "A probe agent's results (its probe token only)",
      description:
        `A batch of at most ${MAX_RESULTS_PER_BATCH} results and ${RESULTS_MAX_BYTES} bytes. A batch sent again with the same \`batchId\` is recognised (\`duplicate\`) and not counted twice. ` +
        'Answers 501 on a host that takes no agent results (Workers).',
      middleware: [boundProbe, bodyLimit({
        maxSize: RESULTS_MAX_BYTES,
        onError: () => {
          throw new AppError(413, 'payload_too_large', `A results batch may be at most ${RESULTS_MAX_BYTES} bytes`);
        },
      })] as const,
      request: { params: VantageNameParam, body: jsonBody(AgentBatchSchema) },
      responses: {
        200: json(ReceiptSchema, 'Committed: the agent may forget the batch'),
        501: json(ErrorSchema, 'This host takes no agent results'),
        ...errorResponses(400),
      },
    }),
    async (c) => {
      const batch = c.req.valid('json');
      if (!intake) return c.json({ error: { code: 'not_available', message: NO_INTAKE, details: [] } }, 501);
      // boundProbe has checked that the token's vantage is the one in the path.
      const vantageId = c.get('actor')!.vantageId!;
      return c.json(await intake.submitBatch({ vantageId, ...batch }), 200);
    },
  );
}

const NO_INTAKE = 'This host does not take probe results: agent results are taken by the Node host, which runs the monitor';
