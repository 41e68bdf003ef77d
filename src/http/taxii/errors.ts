// Errors under /taxii2/ as the TAXII 2.1 "error" resource (OASIS TAXII 2.1, section 3.6.1: `title`
// required; `description`, `error_id`, `error_code`, `http_status` (a string), `external_details`
// and `details` optional), in the TAXII media type, as OASIS's reference server answers them
// (github.com/oasis-open/cti-taxii-server, medallion/__init__.py: handle_processing_error). Every
// failure is built once in the project's shape (middleware/errors.ts, the auth guard, not-found);
// this turns that answer into the TAXII resource, so the rest of the API keeps its own shape.
import { createMiddleware } from 'hono/factory';
import { TAXII_MEDIA_TYPE } from '../../core/services/taxii.js';
import type { AppEnv } from '../env.js';
import type { ErrorBody } from '../middleware/errors.js';

const TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed', 406: 'Not acceptable',
  413: 'Request too large', 415: 'Unsupported media type', 422: 'Unprocessable', 429: 'Too many requests', 503: 'Unavailable',
};

interface Detail {
  path?: string;
  location?: string;
  message: string;
}

/** The TAXII 2.1 error resource for a project error answer; `details` names each field with what is wrong with it. */
export function taxiiError(status: number, error: ErrorBody['error']) {
  const fields = (error.details as Detail[]).map((d) => [d.path || d.location || 'request', d.message] as const);
  return {
    title: TITLES[status] ?? (status >= 500 ? 'Server error' : 'Request refused'),
    description: error.message,
    error_code: error.code,
    http_status: String(status),
    ...(fields.length ? { details: Object.fromEntries(fields) } : {}),
  };
}

/** Mounted before authentication on /taxii2/*: every error answer there leaves as the TAXII error resource. */
export const taxiiErrorResource = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const status = c.res.status;
  if (status < 400) return;
  const body = (await c.res.clone().json().catch(() => null)) as Partial<ErrorBody> | null;
  const error = body?.error ?? { code: 'http_error', message: c.res.statusText || `HTTP ${status}`, details: [] };
  // The old answer's headers (Allow, Retry-After, the security headers) carry over; the type is TAXII's.
  c.res = c.json(taxiiError(status, error) as unknown as Record<string, never>, status as 400, { 'content-type': TAXII_MEDIA_TYPE });
});
