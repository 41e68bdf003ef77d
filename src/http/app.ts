import { swaggerUI } from '@hono/swagger-ui';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Db } from '../core/store/client.js';
import type { ServiceContext } from '../core/services/context.js';
import { AppError } from '../core/domain/errors.js';
import { assetRoutes } from './api/assets/index.js';
import { checkRoutes } from './api/checks/index.js';
import { pushRoutes } from './api/push/index.js';
import { incidentRoutes } from './api/incidents/index.js';
import { reportRoutes } from './api/reports/index.js';
import { maintenanceRoutes } from './api/maintenance/index.js';
import { statusPageRoutes } from './api/status-pages/index.js';
import { scenarioRoutes } from './api/scenarios/index.js';
import { SHAKEMAP_UPLOAD_PATH } from './api/scenarios/shakemap.js';
import { drillRoutes, findingRoutes } from './api/drills/index.js';
import type { DrillControl } from '../core/services/drill-control.js';
import { ingestRoutes } from './api/ingest/index.js';
import { webhookRoutes } from './api/webhooks/index.js';
import { pageRoutes } from './pages/index.js';
import { demoRoutes, type DemoFleetControl } from './api/demo/index.js';
import { authenticate, requires } from './middleware/auth.js';
import { DEFAULT_FAILED_ATTEMPT_POLICY, FailedAttempts, type ClientAddressLookup, type FailedAttemptPolicy } from './middleware/rate-limit.js';
import { createRouter } from './env.js';
import { errorResponse, notFoundResponse } from './middleware/errors.js';
import { methodNotAllowed } from './middleware/method-not-allowed.js';
import { functionRoutes } from './api/functions/index.js';
import { inventoryRoutes } from './api/inventory/index.js';
import { healthRoutes, VERSION } from './api/system/health.js';
import { SECURITY_HEADERS, securityHeaders } from './middleware/security-headers.js';
import { tokenRoutes } from './api/tokens/index.js';
import { vantageRoutes } from './api/vantages/index.js';
import { partnerRoutes } from './api/partners/index.js';
import { sharingRoutes } from './api/sharing/index.js';
import { taxiiRoutes } from './taxii/index.js';
import { taxiiErrorResource } from './taxii/errors.js';
import { VANTAGE_RESULTS_PATH } from './api/vantages/agent.js';
import type { VantageIntake } from '../core/monitor/vantage-intake.js';

export interface AppDeps {
  /** The database for a request: a fixed handle on Node, built from the D1 binding on Workers. */
  database: (bindings: Record<string, unknown>) => Db;
  maxBodyBytes?: number;
  now?: () => number;
  /** Orbital elements older than this are flagged on stations (default 3 days). */
  elementsMaxAgeDays?: number;
  /** Check kinds this runtime cannot run (Workers: dns, tls); configuring one is refused with the reason. */
  unsupportedCheckKinds?: ServiceContext['unsupportedCheckKinds'];
  /** Prometheus exposition for /metrics, when the runtime keeps metrics. */
  metrics?: () => Promise<{ body: string; contentType: string }>;
  /** Outbound webhook policy and a nudge for the dispatcher. */
  webhooks?: { allowPrivate: boolean; wake?: (deliveryId: number, bindings: Record<string, unknown>) => void | Promise<void> };
  /** The Alertmanager label that names the asset (default `asset`). */
  alertmanagerLabel?: string;
  /** Starts and aborts drill runs; absent on an instance that runs no monitor. */
  drills?: DrillControl;
  /** The demo fleet simulator, when it runs: mounts /api/demo. */
  demoFleet?: DemoFleetControl;
  /** Failed sign-in attempts allowed per client address and window (COOPWATCH_AUTH_*). */
  failedAttempts?: Partial<FailedAttemptPolicy>;
  /**
   * The client's address, from the host's connection (hono's getConnInfo for its adapter). Absent
   * for in-process requests (`app.request()` in tests): every caller then counts as one address.
   */
  clientAddress?: ClientAddressLookup;
  /** Takes probe agents' result batches (the Node host's monitor); absent: the results route answers 501. */
  vantageIntake?: VantageIntake;
  /** This organisation's name: the owner partners see on allied tiles, and the STIX identity in TAXII (default coopwatch). */
  organisation?: string;
  /** Serves the Swagger UI files under /vendor/swagger-ui-dist/, so /docs works offline. */
  swaggerAssets?: MiddlewareHandler;
}

/** Builds the whole HTTP application. No side effects: the runtime adapters serve it. */
export function createApp(deps: AppDeps) {
  const app = createRouter();
  const now = deps.now ?? Date.now;
  const failedAttempts = new FailedAttempts({ ...DEFAULT_FAILED_ATTEMPT_POLICY, ...deps.failedAttempts }, deps.clientAddress ?? (() => undefined));

  app.onError(errorResponse);
  // Read when the first request misses: by then every route below is registered.
  app.notFound(methodNotAllowed(() => app.routes, notFoundResponse));
  // Every answer gets the security headers; the pages add their CSP (pageRoutes), set over these.
  app.use('*', securityHeaders(SECURITY_HEADERS));
  app.use('*', async (c, next) => {
    c.set('db', deps.database(c.env ?? {}));
    c.set('now', now);
    c.set('elementsMaxAgeDays', deps.elementsMaxAgeDays);
    c.set('unsupportedCheckKinds', deps.unsupportedCheckKinds);
    c.set('failedAttempts', failedAttempts);
    await next();
  });
  const apiBodyLimit = bodyLimit({
    maxSize: deps.maxBodyBytes ?? 1024 * 1024,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `The request body is larger than ${deps.maxBodyBytes ?? 1024 * 1024} bytes`);
    },
  });
  // A ShakeMap upload and an agent's results batch have their own, larger limits (on their routes).
  const ownLimit = (path: string) => SHAKEMAP_UPLOAD_PATH.test(path) || VANTAGE_RESULTS_PATH.test(path);
  app.use('/api/*', (c, next) => (ownLimit(c.req.path) ? next() : apiBodyLimit(c, next)));
  // Push heartbeats carry no bearer token (the URL is the secret): a stray Authorization header
  // from a proxy or an old script must not cost a heartbeat, nor count as a failed sign-in.
  app.use('/api/*', async (c, next) => (c.req.path.startsWith('/api/push/') ? next() : authenticate(c, next)));

  app.route('/', healthRoutes);
  app.route('/api/assets', assetRoutes);
  app.route('/api/functions', functionRoutes);
  app.route('/api/tokens', tokenRoutes);
  app.route('/api/inventory', inventoryRoutes);
  app.route('/api/checks', checkRoutes);
  app.route('/api/vantages', vantageRoutes(deps.vantageIntake));
  app.route('/api/partners', partnerRoutes({ allowPrivate: deps.webhooks?.allowPrivate ?? false }));
  app.route('/api/sharing', sharingRoutes);
  app.route('/api/push', pushRoutes);
  app.use('/taxii2/*', taxiiErrorResource, authenticate);
  app.route('/', taxiiRoutes(deps.organisation ?? 'coopwatch'));
  app.route('/api/incidents', incidentRoutes);
  app.route('/api/reports', reportRoutes);
  app.route('/api/maintenance', maintenanceRoutes);
  app.route('/api/status-pages', statusPageRoutes);
  app.route('/api/scenarios', scenarioRoutes);
  app.route('/api/drills', drillRoutes(deps.drills));
  app.route('/api/findings', findingRoutes);
  app.route('/api/webhooks', webhookRoutes({ allowPrivate: deps.webhooks?.allowPrivate ?? false }, deps.webhooks?.wake ?? (() => {})));
  app.route('/api/ingest', ingestRoutes(deps.alertmanagerLabel ?? 'asset'));
  if (deps.demoFleet) app.route('/api/demo', demoRoutes(deps.demoFleet));
  if (deps.metrics) {
    const exposition = deps.metrics;
    app.get('/metrics', authenticate, requires('read'), async (c) => {
      const { body, contentType } = await exposition();
      return c.body(body, 200, { 'content-type': contentType });
    });
  }

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'coopwatch API',
      version: VERSION,
      description:
        'Continuity-of-operations monitor for a space ground segment. Send `Authorization: Bearer <token>`. Roles: viewer < officer < planner < admin; a probe token (an agent at a vantage) reads only its assignment and posts only its results.',
    },
  });
  if (deps.swaggerAssets) app.use('/vendor/swagger-ui-dist/*', deps.swaggerAssets);
  app.get('/docs', swaggerUI({ url: '/openapi.json', title: 'coopwatch API', baseUrl: '/vendor' }));
  app.route('/', pageRoutes({ drills: deps.drills }));
  return app;
}

export type App = ReturnType<typeof createApp>;
