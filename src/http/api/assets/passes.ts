import { createRoute, z } from '@hono/zod-openapi';
import { listUpcomingPasses } from '../../../core/services/passes.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, security } from '../openapi.js';

const tags = ['Assets'];
export const passRoutes = createRouter();

const PassSchema = z
  .object({
    satelliteKey: z.string(),
    satelliteName: z.string(),
    aosAt: z.string().openapi({ description: 'Acquisition of signal: the satellite rises through the mask (now, for a pass under way)' }),
    tcaAt: z.string().openapi({ description: 'Time of closest approach: highest elevation' }),
    losAt: z.string().openapi({ description: 'Loss of signal: the satellite sets through the mask' }),
    maxElevationDeg: z.number(),
    aosAzimuthDeg: z.number().openapi({ description: 'Degrees clockwise from true north' }),
    losAzimuthDeg: z.number(),
  })
  .openapi('Pass');

const PassListSchema = z.object({ items: z.array(PassSchema) }).openapi('PassList');

const PassQuery = z.object({
  hours: z.coerce.number().int().min(1).max(168).default(24).openapi({ description: 'How far ahead to look, 1–168 hours' }),
});

passRoutes.openapi(
  createRoute({
    method: 'get', path: '/{id}/passes', tags, security, summary: 'Upcoming satellite passes over a ground station',
    description:
      'Passes of the satellites its contact checks follow, above their elevation mask, in AOS order. Empty for a station without a contact check; 422 for an asset that is not a ground station or has no location.',
    middleware: requires('read'),
    request: { params: IdParam, query: PassQuery },
    responses: { 200: json(PassListSchema, 'The passes'), ...errorResponses(400, 404, 422) },
  }),
  async (c) => c.json(await listUpcomingPasses(serviceContext(c), c.req.valid('param').id, c.req.valid('query').hours), 200),
);
