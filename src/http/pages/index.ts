import { Hono } from 'hono';
import { PAGE_SECURITY_HEADERS, securityHeaders } from '../middleware/security-headers.js';
import type { AppEnv } from '../env.js';
import { assetRoutes } from './static/index.js';
import { loginPages } from './login/index.js';
import { readSession, type PageEnv } from './session.js';
import { plannerRoutes, type PlannerDeps } from './planner/index.js';
import { statusRoutes } from './status/index.js';
import { streamRoutes } from './stream.js';
import { watchFloorPages } from './watch/index.js';

/**
 * The pages, served by the same app: sign-in, the watch floor, public status pages, the
 * planner's views. A strict Content-Security-Policy: scripts and styles from this origin only,
 * never inline.
 */
export function pageRoutes(deps: PlannerDeps = {}) {
  const pages = new Hono<PageEnv>();
  pages.use('*', securityHeaders(PAGE_SECURITY_HEADERS));
  pages.route('/assets', assetRoutes);
  // Public, no sign-in: mounted before the session is read.
  pages.route('/status', statusRoutes);
  pages.use('*', readSession);
  pages.route('/', loginPages);
  pages.route('/', watchFloorPages);
  pages.route('/', streamRoutes);
  pages.route('/planner', plannerRoutes(deps));
  return pages as unknown as Hono<AppEnv>;
}
