import { createRoute, z } from '@hono/zod-openapi';
import { FAULT_MODES, type FaultMode } from '../../../core/domain/enums.js';
import { NotFoundError } from '../../../core/domain/errors.js';
import { requires } from '../../middleware/auth.js';
import { createRouter } from '../../env.js';
import { errorResponses, json, jsonBody, security } from '../openapi.js';

/** The part of the demo fleet simulator the API drives. */
export interface DemoFleetControl {
  setFault(assetKey: string, mode: FaultMode): void;
  faults(): Record<string, FaultMode>;
}

const tags = ['Demo fleet'];
const ModeSchema = z.enum(FAULT_MODES);

/** Only mounted when the demo fleet runs (COOPWATCH_DEMO is not 0). */
export function demoRoutes(fleet: DemoFleetControl) {
  const routes = createRouter();
  routes.openapi(
    createRoute({
      method: 'get', path: '/assets', tags, security, summary: 'The simulated fault mode of every demo asset',
      middleware: requires('read'),
      responses: { 200: json(z.record(z.string(), ModeSchema), 'Modes by asset key'), ...errorResponses() },
    }),
    (c) => c.json(fleet.faults(), 200),
  );
  routes.openapi(
    createRoute({
      method: 'post', path: '/assets/{assetKey}/fault', tags, security,
      summary: 'Fail, degrade or restore a simulated asset (admin)',
      description: 'The asset\'s simulated endpoints change at once; coopwatch notices through its normal checks.',
      middleware: requires('manageInventory'),
      request: {
        params: z.object({ assetKey: z.string().max(80).openapi({ param: { name: 'assetKey', in: 'path' } }) }),
        body: jsonBody(z.strictObject({ mode: ModeSchema })),
      },
      responses: { 200: json(z.object({ key: z.string(), mode: ModeSchema }), 'The new mode'), ...errorResponses(400, 404) },
    }),
    (c) => {
      const { assetKey } = c.req.valid('param');
      const { mode } = c.req.valid('json');
      if (!(assetKey in fleet.faults())) throw new NotFoundError('demo asset with key', assetKey);
      fleet.setFault(assetKey, mode);
      return c.json({ key: assetKey, mode }, 200);
    },
  );
  return routes;
}
