// A cache for hot public reads (status summaries, the watch floor's JSON): an answer is reused
// only while the database's change stamp (a store capability, see StoreCapabilities.changeStamp)
// is unchanged since it was computed, and within the same second of the clock, so time-dependent
// parts (maintenance starting, recent incidents) stay right. Where the driver has no cheap change
// stamp (D1), every read is computed.
import { storeCapabilitiesOf, type StoreCapabilities } from '../../store/capabilities.js';
import type { Db } from '../../store/client.js';

interface Entry {
  stamp: unknown;
  second: number;
  value: unknown;
}

const MAX_ENTRIES = 256;

const caches = new WeakMap<StoreCapabilities, Map<string, Entry>>();

/** `compute()`'s answer for `key`, reused while the database is unchanged within the same second. */
export async function cachedRead<T>(db: Db, key: string, now: number, compute: () => Promise<T>): Promise<T> {
  const capabilities = storeCapabilitiesOf(db);
  if (!capabilities.changeStamp) return compute();
  const stamp = capabilities.changeStamp();
  const second = Math.floor(now / 1000);
  let cache = caches.get(capabilities);
  if (!cache) {
    cache = new Map();
    caches.set(capabilities, cache);
  }
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp && hit.second === second) return hit.value as T;
  const value = await compute();
  // Stamped before computing would be safer against writes in between, but the compute is
  // synchronous on this client; a write that lands after it changes the stamp for the next read.
  if (capabilities.changeStamp() === stamp) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, { stamp, second, value });
  }
  return value;
}
