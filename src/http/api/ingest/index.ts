import { createRoute, z } from '@hono/zod-openapi';
import { ALERT_STATUSES, alertmanagerPayloadSchema, ingestAlertmanager } from '../../../core/services/ingest.js';
import { requires } from '../../middleware/auth.js';
import { createRouter, serviceContext } from '../../env.js';
import { errorResponses, json, jsonBody, security } from '../openapi.js';

const AlertStatus = z.enum(ALERT_STATUSES);

export function ingestRoutes(label: string) {
  const routes = createRouter();
  routes.openapi(
    createRoute({
      method: 'post', path: '/alertmanager', tags: ['Inbound'], security,
      summary: 'Prometheus Alertmanager (v4) and Grafana (v1) alert webhooks, officer role',
      description: `Takes Prometheus Alertmanager's webhook (\`version: "4"\`) and Grafana's webhook contact point (\`version: "1"\`); other fields are ignored. Each alert is mapped to an asset by its \`${label}\` label (COOPWATCH_ALERTMANAGER_LABEL). Firing alerts take the asset's external check down; when all are resolved it recovers. Alerts naming no known asset are listed in \`unknownAssets\`. Over-long label and annotation keys and values (and fingerprints) are clipped to the stored limits, ending in "…", and named in the alert's \`clipped\`. Notifications are ordered by \`startsAt\`/\`endsAt\`, not by arrival: one older than what is stored for its fingerprint (a firing that started no later than the stored resolve ended) changes nothing and is listed in \`stale\`. At most 1,000 alerts per request.`,
      middleware: requires('handleIncidents'),
      request: { body: jsonBody(alertmanagerPayloadSchema) },
      responses: {
        200: json(
          z.object({
            accepted: z.array(z.object({ fingerprint: z.string(), assetKey: z.string(), status: AlertStatus, clipped: z.array(z.string()).optional() })),
            unknownAssets: z.array(z.object({ fingerprint: z.string(), label: z.string().nullable() })),
            stale: z.array(z.object({ fingerprint: z.string(), assetKey: z.string(), status: AlertStatus })),
          }),
          'What was taken (and what of it was clipped), what named no asset, and what was older than the stored state',
        ),
        ...errorResponses(400),
      },
    }),
    async (c) => c.json(await ingestAlertmanager(serviceContext(c), c.req.valid('json'), label), 200),
  );
  return routes;
}
