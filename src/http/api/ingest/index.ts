import { createRoute, z } from '@hono/zod-openapi';
import { alertmanagerPayloadSchema, ingestAlertmanager } from '../../../core/services/ingest.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, json, jsonBody, security } from '../openapi.js';

export function ingestRoutes(label: string) {
  const routes = createRouter();
  routes.openapi(
    createRoute({
      method: 'post', path: '/alertmanager', tags: ['Inbound'], security,
      summary: 'Prometheus Alertmanager webhook (v4), officer role',
      description: `Each alert is mapped to an asset by its \`${label}\` label (COOPWATCH_ALERTMANAGER_LABEL). Firing alerts take the asset's external check down; when all are resolved it recovers. Alerts naming no known asset are listed in \`unknownAssets\`.`,
      middleware: requires('handleIncidents'),
      request: { body: jsonBody(alertmanagerPayloadSchema) },
      responses: {
        200: json(
          z.object({
            accepted: z.array(z.object({ fingerprint: z.string(), assetKey: z.string(), status: z.enum(['firing', 'resolved']) })),
            unknownAssets: z.array(z.object({ fingerprint: z.string(), label: z.string().nullable() })),
          }),
          'What was taken, and what named no asset',
        ),
        ...errorResponses(400),
      },
    }),
    async (c) => c.json(await ingestAlertmanager(serviceContext(c), c.req.valid('json'), label), 200),
  );
  return routes;
}
