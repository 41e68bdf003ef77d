import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError, InvalidInputError } from '../../../core/domain/errors.js';
import { SHAKEMAP_MAX_BYTES, SHAKEMAP_MAX_POINTS } from '../../../core/scenarios/shakemap-grid.js';
import { attachShakeMap, detachShakeMap } from '../../../core/scenarios/shakemap-store.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, IdParam, json, security } from '../openapi.js';

const tags = ['Scenarios'];
export const shakemapRoutes = createRouter();

/** The path whose body may exceed the API's general limit: it has its own (SHAKEMAP_MAX_BYTES). */
export const SHAKEMAP_UPLOAD_PATH = /^\/api\/scenarios\/[^/]+\/shakemap\/?$/;

const ShakeMapSchema = z
  .object({
    scenarioId: z.number().int(),
    eventId: z.string(),
    event: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
    grid: z.object({ lonMin: z.number(), latMin: z.number(), lonMax: z.number(), latMax: z.number(), nlon: z.number().int(), nlat: z.number().int(), points: z.number().int() }),
    fields: z.array(z.string()),
    bytes: z.number().int(),
    attachedAt: z.string(),
    attachedBy: z.string(),
  })
  .openapi('ScenarioShakeMap');

shakemapRoutes.openapi(
  createRoute({
    method: 'post', path: '/{id}/shakemap', tags, security, summary: 'Attach a USGS ShakeMap grid.xml to an earthquake scenario (planner)',
    description:
      `The body is a ShakeMap \`grid.xml\` (ShakeMap 3.5 or 4: \`shakemap_grid\`, \`event\`, \`grid_specification\`, \`grid_field\`s with LON, LAT and PGV in cm/s, MMI optional, and \`grid_data\`). ` +
      `At most ${SHAKEMAP_MAX_BYTES} bytes (413) and ${SHAKEMAP_MAX_POINTS} grid points (400). A malformed file is refused whole with a 400 naming the element; nothing is stored. ` +
      'Replaces a ShakeMap attached before. While attached, the scenario\'s assessment reads each asset\'s PGV and MMI from the grid (bilinear) and converts PGV to JMA intensity; ' +
      'assets outside the grid are listed in `shakemap.notCovered` and carry `coverage: "not_covered"` (impact none, shaking unknown).',
    middleware: [requires('planExercises'), bodyLimit({
      maxSize: SHAKEMAP_MAX_BYTES,
      onError: () => {
        throw new AppError(413, 'payload_too_large', `A ShakeMap grid.xml may be at most ${SHAKEMAP_MAX_BYTES} bytes`);
      },
    })] as const,
    request: {
      params: IdParam,
      body: { required: true, content: { 'application/xml': { schema: { type: 'string' } }, 'text/xml': { schema: { type: 'string' } } } },
    },
    responses: { 201: json(ShakeMapSchema, 'The attached ShakeMap (not its grid)'), ...errorResponses(400, 404, 422) },
  }),
  async (c) => {
    const xml = await c.req.text();
    if (!xml.trim()) throw new InvalidInputError([{ path: '', location: 'body', message: 'the body is empty; send the grid.xml file' }]);
    const bytes = new TextEncoder().encode(xml).length;
    return c.json(await attachShakeMap(serviceContext(c), c.req.valid('param').id, xml, bytes), 201);
  },
);

shakemapRoutes.openapi(
  createRoute({
    method: 'delete', path: '/{id}/shakemap', tags, security, summary: 'Detach the ShakeMap of a scenario (planner); the model estimates again',
    middleware: requires('planExercises'),
    request: { params: IdParam },
    responses: { 204: { description: 'Detached' }, ...errorResponses(400, 404) },
  }),
  async (c) => {
    await detachShakeMap(serviceContext(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
