import { createRoute, z } from '@hono/zod-openapi';
import { listSharingAudit, readSharedFeed, readSharedObjects } from '../../../core/services/sharing.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, json, pageOf, pageQuery, security } from '../openapi.js';
import { MarkingSchema } from './marking-schema.js';
import { registerAlliedRoutes } from './allied.js';

const tags = ['Sharing'];
export const sharingRoutes = createRouter();

const PartnerRef = z.object({ key: z.string(), name: z.string(), country: z.string() });
const Subject = z.object({ kind: z.enum(['asset', 'function', 'incident', 'drill']), key: z.string() });

const FeedItemSchema = z
  .object({
    id: z.number().int().openapi({ description: 'The event id; the cursor moves past it' }),
    type: z.string().openapi({ description: 'The event type (asset.down, function.lost, incident.opened, drill.started, sharing.retracted, …)' }),
    at: z.string(),
    subject: Subject,
    drill: z.boolean().openapi({ description: 'A drill step, or a state change a drill caused: show it as a drill, never as a real outage' }),
    marking: MarkingSchema,
    data: z.record(z.string(), z.unknown()).openapi({ description: 'Only the fields the redaction rule allows (README, Allied sharing)' }),
  })
  .openapi('SharedEvent');

const cursor = z.string().regex(/^\d{1,15}$/, 'the nextCursor of the previous answer (an event id), or 0');

sharingRoutes.openapi(
  createRoute({
    method: 'get', path: '/feed', tags, security, summary: 'The shared feed: events released to the partner, after a cursor (partner token)',
    description: 'Redacted events about assets, functions, incidents and drills whose marking releases them to the partner\'s country, oldest first, and retractions of items whose marking got more restrictive. Each item sent is logged (GET /api/sharing/audit).',
    middleware: requires('readShared'),
    request: {
      query: z.object({
        cursor: cursor.default('0'),
        limit: z.coerce.number().int().min(1).max(500).default(100).openapi({ description: 'Events looked at per answer, at most 500' }),
      }),
    },
    responses: {
      200: json(z.object({ partner: PartnerRef, items: z.array(FeedItemSchema), nextCursor: z.string(), hasMore: z.boolean() }), 'A page of the feed'),
      ...errorResponses(400),
    },
  }),
  async (c) => {
    const query = c.req.valid('query');
    return c.json(await readSharedFeed(serviceContext(c), { cursor: Number(query.cursor), limit: query.limit }), 200);
  },
);

sharingRoutes.openapi(
  createRoute({
    method: 'get', path: '/objects', tags, security, summary: 'What is shared with the partner now, and the feed cursor to follow from (partner token)',
    middleware: requires('readShared'),
    responses: {
      200: json(
        z.object({
          partner: PartnerRef,
          assets: z.array(z.record(z.string(), z.unknown())),
          functions: z.array(z.record(z.string(), z.unknown())),
          incidents: z.array(z.record(z.string(), z.unknown())),
          cursor: z.string(),
        }),
        'The shared assets, functions and incidents, redacted',
      ),
      ...errorResponses(),
    },
  }),
  async (c) => c.json(await readSharedObjects(serviceContext(c)), 200),
);

sharingRoutes.openapi(
  createRoute({
    method: 'get', path: '/audit', tags, security, summary: 'Every item sent to partners: what, to whom, under which marking, when (admin)',
    middleware: requires('manageSharing'),
    request: {
      query: z.object({
        partner: z.string().max(80).optional().openapi({ description: 'Only this partner (key)' }),
        ...pageQuery,
      }),
    },
    responses: {
      200: json(
        pageOf(z.object({
          id: z.number().int(), at: z.string(), partner: z.string(), country: z.string(), channel: z.string(),
          action: z.enum(['sent', 'retracted']).or(z.string()), item: Subject.or(z.object({ kind: z.string(), key: z.string() })),
          eventId: z.number().int().nullable(), marking: MarkingSchema,
        }), 'SharingAuditPage'),
        'Newest first',
      ),
      ...errorResponses(400),
    },
  }),
  async (c) => c.json(await listSharingAudit(serviceContext(c), c.req.valid('query')), 200),
);

registerAlliedRoutes(sharingRoutes);
