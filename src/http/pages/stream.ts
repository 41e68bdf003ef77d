// The live stream behind the watch floor: new rows of the events table as server-sent events.
// A signed-in browser opens GET /events/stream (EventSource sends the session cookie); a wall
// screen or a script sends `Authorization: Bearer <token>` instead. Each event carries its id, so
// a dropped stream reconnects with Last-Event-ID and catches up from there.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Db } from '../../core/store/client.js';
import { latestEventId, liveEventsAfter } from '../../core/services/read-models/live-events.js';
import { resolveSession } from '../../core/services/sessions.js';
import { authenticateToken } from '../../core/services/tokens.js';
import { authorize } from '../../core/domain/roles.js';
import { authenticate } from '../middleware/auth.js';
import type { AppEnv } from '../env.js';
import type { PageEnv } from './session.js';

/** How often the events table is read for new rows. */
export const STREAM_POLL_MS = 300;
/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
export const STREAM_HEARTBEAT_MS = 15_000;
/** The session or token behind a stream is re-checked this often: signing out or revoking the token ends it. */
const SESSION_RECHECK_MS = 30_000;
/** Rows read per query while catching up. */
const BATCH = 500;
/** EventSource waits this long before reconnecting. */
const RETRY_MS = 1_000;

function cursorFrom(value: string | undefined | null): number | null {
  return value && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : null;
}

let openStreams = 0;
/** Streams being served right now (a gauge: each ends when its client goes away). */
export function openStreamCount(): number {
  return openStreams;
}

export const streamRoutes = new Hono<PageEnv>();

/**
 * Whether the caller may still follow the stream, re-asked now and then; null when there is no
 * caller. A bearer token (checked, and counted when wrong, as on the API) wins over the cookie.
 */
function streamCredential(c: Context<PageEnv>): (() => Promise<boolean>) | null {
  const db = c.get('db');
  const now = c.get('now');
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (bearer && c.get('actor')) return async () => (await authenticateToken(db, bearer, now())) !== null;
  const session = c.get('session');
  if (session) return async () => (await resolveSession(db, session.id, now())) !== null;
  return null;
}

/** A given Authorization header is read as on the API: a wrong token is refused, not ignored. */
const bearerIfGiven: MiddlewareHandler<PageEnv> = (c, next) =>
  c.req.header('authorization') === undefined ? next() : authenticate(c as unknown as Context<AppEnv>, next);

streamRoutes.get('/events/stream', bearerIfGiven, async (c) => {
  const stillAllowed = streamCredential(c);
  if (!stillAllowed) {
    const message = 'Sign in at /login, or send Authorization: Bearer <token>: the stream needs a session or a token';
    return c.json({ error: { code: 'unauthenticated', message, details: [] } }, 401);
  }
  authorize(c.get('actor')!, 'read');
  const db = c.get('db');
  const newest = await latestEventId(db);
  // Last-Event-ID (a reconnect) wins over ?after= (the id the page was rendered at); neither: from now.
  const asked = cursorFrom(c.req.header('last-event-id')) ?? cursorFrom(c.req.query('after'));
  const cursor = asked === null || asked > newest ? newest : asked;

  return streamSSE(c, async (stream) => {
    openStreams++;
    try {
      await followEvents(stream, db, cursor, stillAllowed);
    } finally {
      openStreams--;
    }
  });
});

/** Writes new events as they are stored until the client goes away or its session ends. */
async function followEvents(stream: SSEStreamingApi, db: Db, from: number, sessionAlive: () => Promise<boolean>): Promise<void> {
  let cursor = from;
  let open = true;
  stream.onAbort(() => {
    open = false;
  });
  await stream.write(`retry: ${RETRY_MS}\n: connected at event ${cursor}\n\n`);
  let lastWrite = Date.now();
  let lastSessionCheck = Date.now();
  while (open && !stream.aborted && !stream.closed) {
    const batch = await liveEventsAfter(db, cursor, BATCH);
    for (const event of batch.events) {
      await stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(event) });
      lastWrite = Date.now();
    }
    cursor = batch.readTo;
    if (batch.full) continue; // more to catch up on: no pause
    const t = Date.now();
    if (t - lastWrite >= STREAM_HEARTBEAT_MS) {
      await stream.write(': heartbeat\n\n');
      lastWrite = t;
    }
    if (t - lastSessionCheck >= SESSION_RECHECK_MS) {
      lastSessionCheck = t;
      if (!(await sessionAlive())) return; // EventSource reconnects, is refused, and stops
    }
    await stream.sleep(STREAM_POLL_MS);
  }
}
