import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError } from '../../core/domain/errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details: unknown[] };
}

const HTTP_CODES: Record<number, string> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** The one error handler: every failure leaves as `{ error: { code, message, details } }`. */
export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof AppError) {
    return c.json<ErrorBody>({ error: { code: err.code, message: err.message, details: err.details } }, err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = HTTP_CODES[status] ?? 'http_error';
    return c.json<ErrorBody>({ error: { code, message: err.message || code, details: [] } }, status);
  }
  const sqliteCode = (err as { code?: string }).code ?? '';
  if (sqliteCode.startsWith('SQLITE_CONSTRAINT') || /UNIQUE constraint failed/.test(err.message)) {
    return c.json<ErrorBody>({ error: { code: 'conflict', message: 'The change conflicts with stored data; reload and try again', details: [] } }, 409);
  }
  // Extended codes too (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE…): a storage fault is a 503, not a 500.
  if (/^SQLITE_(BUSY|FULL|READONLY|IOERR)/.test(sqliteCode)) {
    console.error(`[coopwatch] database unavailable: ${sqliteCode}`);
    return c.json<ErrorBody>({ error: { code: 'unavailable', message: 'The database cannot take writes right now; nothing was changed', details: [] } }, 503);
  }
  console.error('[coopwatch] unexpected error', err);
  return c.json<ErrorBody>({ error: { code: 'internal', message: 'Internal error', details: [] } }, 500);
}

export function notFoundResponse(c: Context): Response {
  return c.json<ErrorBody>({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}`, details: [] } }, 404);
}
