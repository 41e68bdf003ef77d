// A cache for hot public reads (status summaries, the watch floor's JSON): an answer is reused
// only while the database has not changed since it was computed — no write committed by this
// process, and none by another within the last quarter second (see changeStamp) — and within the
// same second of the clock, so time-dependent parts (maintenance starting, recent incidents) stay
// right. Only a synchronous SQLite client (better-sqlite3) can tell that cheaply; on D1 every read
// is computed.
import type { Db } from '../../store/client.js';
import { committedWritesOf } from '../../store/storage-health.js';

interface StampStatement {
  pluck(toggle?: boolean): StampStatement;
  get(): unknown;
}

interface Entry {
  stamp: unknown;
  second: number;
  value: unknown;
}

const STAMP_SQL = "select total_changes() || ':' || data_version from pragma_data_version";
/** Another process's writes (the CLI's apply, say) may go unseen this long; this process's never are. */
const OTHER_WRITERS_CHECK_MS = 250;
const MAX_ENTRIES = 256;

const stamps = new WeakMap<object, StampStatement>();
const caches = new WeakMap<object, Map<string, Entry>>();
const otherWriters = new WeakMap<object, { at: number; stamp: unknown }>();

function clientOf(db: Db): { prepare(sql: string): StampStatement } | null {
  if (typeof (db as unknown as { batch?: unknown }).batch === 'function') return null;
  const client = (db as unknown as { $client?: { prepare?: unknown } }).$client;
  return client && typeof client.prepare === 'function' ? (client as { prepare(sql: string): StampStatement }) : null;
}

/**
 * The database's change stamp, or null when this client cannot tell: this connection's committed
 * writes (counted by the SQLite client as they happen, no query) and SQLite's data_version, which
 * moves when another connection commits and is read at most every OTHER_WRITERS_CHECK_MS.
 */
export function changeStamp(db: Db): unknown {
  const now = Date.now();
  const client = clientOf(db);
  if (!client) return null;
  let statement = stamps.get(client);
  if (!statement) {
    statement = client.prepare(STAMP_SQL).pluck();
    stamps.set(client, statement);
  }
  const writes = committedWritesOf(db);
  if (writes === undefined) return statement.get();
  let other = otherWriters.get(client);
  if (!other || now - other.at >= OTHER_WRITERS_CHECK_MS || now < other.at) {
    other = { at: now, stamp: statement.get() };
    otherWriters.set(client, other);
  }
  return `${writes}/${String(other.stamp)}`;
}

/** `compute()`'s answer for `key`, reused while the database is unchanged within the same second. */
export async function cachedRead<T>(db: Db, key: string, now: number, compute: () => Promise<T>): Promise<T> {
  const client = clientOf(db);
  if (!client) return compute();
  const stamp = changeStamp(db);
  const second = Math.floor(now / 1000);
  let cache = caches.get(client);
  if (!cache) {
    cache = new Map();
    caches.set(client, cache);
  }
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp && hit.second === second) return hit.value as T;
  const value = await compute();
  // Stamped before computing would be safer against writes in between, but the compute is
  // synchronous on this client; a write that lands after it changes the stamp for the next read.
  if (changeStamp(db) === stamp) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, { stamp, second, value });
  }
  return value;
}
