import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../api/env.js';
import { assetRoutes } from './assets.js';
import { loginPages } from './login.js';
import { readSession, type PageEnv } from './session.js';

/**
 * The pages, served by the same app: sign-in, the watch floor, public status pages, the
 * planner's views. A strict Content-Security-Policy: scripts and styles from this origin only,
 * never inline.
 */
export function pageRoutes() {
  const pages = new Hono<PageEnv>();
  pages.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  pages.route('/assets', assetRoutes);
  pages.use('*', readSession);
  pages.route('/', loginPages);
  return pages as unknown as Hono<AppEnv>;
}
