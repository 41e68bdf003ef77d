// Security headers, computed once: the same set hono's secureHeaders() sends by default on every
// answer, plus the strict Content-Security-Policy on the pages.
// One middleware sets them (hono's secureHeaders was applied twice on the pages: 24 header writes
// per request); a hot answer may carry them itself (`withHeaders`), then nothing is set again.
import type { MiddlewareHandler } from 'hono';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
});

/** Scripts and styles from this origin only, never inline; nothing from other origins. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * On the pages. (Their Referrer-Policy stays no-referrer: the pages once asked for same-origin,
 * but the app-wide set written after it always replaced it.)
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...SECURITY_HEADERS,
  'content-security-policy': PAGE_CSP,
});

/**
 * On what other sites embed or fetch: status badges, summary.json and the Atom feed. Their
 * Cross-Origin-Resource-Policy lets another origin load them (an <img> of a badge, a dashboard's
 * fetch); every other answer keeps same-origin.
 */
export const EMBEDDABLE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...PAGE_SECURITY_HEADERS,
  'cross-origin-resource-policy': 'cross-origin',
});

/** Responses that already carry their security headers (built by withHeaders). */
const complete = new WeakSet<Response>();

/**
 * Sets `headers` on every answer that does not carry its security headers already; the innermost
 * one wins (the pages' set is not overwritten by the app-wide one).
 */
export function securityHeaders(headers: Readonly<Record<string, string>>): MiddlewareHandler {
  const entries = Object.entries(headers);
  return async (c, next) => {
    await next();
    if (complete.has(c.res)) return;
    const target = c.res.headers;
    for (const [name, value] of entries) target.set(name, value);
    complete.add(c.res);
  };
}

/**
 * An answer with its security headers and `extra` in one plain header object: on Node the
 * server writes it without building a Headers list, and the middleware leaves it alone.
 */
export function withHeaders(
  body: string | Uint8Array | null,
  status: number,
  security: Readonly<Record<string, string>>,
  extra: Record<string, string>,
  init: { encodeBody?: 'manual' } = {},
): Response {
  const res = new Response(body as BodyInit | null, { ...init, status, headers: { ...security, ...extra } } as ResponseInit);
  complete.add(res);
  return res;
}
