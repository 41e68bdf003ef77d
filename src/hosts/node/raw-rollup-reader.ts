// The rollup reader thread's arithmetic: the results' raw columns, summed per check and hour here
// rather than by SQLite. A GROUP BY over a run's results passes every row through a temporary
// b-tree to sort it first; for a minute at 10,000 checks/s (600,000 results) that took about four
// times the CPU of reading the rows and summing them in a Map (`node --import tsx
// tests/bench/rollup-cost.ts`). The core's reader (history.ts rollupReader) keeps the GROUP BY:
// on D1 it spares sending every row over the wire. Both give the same sums (raw-rollup-reader.test.ts).
import type Database from 'better-sqlite3';
import type { RollupReader } from '../../core/monitor/history.js';
import { STATUS_CODE } from '../../core/monitor/check-state.js';
import { BUCKET_KEY_SPAN, HOUR_MS, RollupSums, type HourGroup } from '../../core/monitor/rollup-buckets.js';

/**
 * Rows per statement: each is its own read transaction, so the WAL is never pinned for long, and
 * between them the thread's event loop turns, so a stop is answered within one.
 */
const CHUNK_ROWS = 65_536;

type ResultColumns = [checkId: number, ts: number, status: number, latencyMs: number | null];

export function rawRollupReader(client: Database.Database): RollupReader {
  const results = client.prepare('select check_id, ts, status, latency_ms from check_results where rowid > ? and rowid <= ?').raw();
  const checkAssets = client.prepare('select id, asset_id from checks').raw();
  return async (after, until, legacyFrom) => {
    const groups = new Map<number, HourGroup>();
    for (let from = after; from < until; from += CHUNK_ROWS) {
      if (from > after) await new Promise(setImmediate);
      for (const [checkId, ts, status, latencyMs] of results.iterate(from, Math.min(until, from + CHUNK_ROWS)) as IterableIterator<ResultColumns>) {
        if (legacyFrom !== null && ts < legacyFrom) continue;
        const hour = Math.floor(ts / HOUR_MS);
        const key = checkId * BUCKET_KEY_SPAN + hour;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { checkId, hour, assetId: null, samples: 0, up: 0, degraded: 0, latencySum: 0, latencySamples: 0 }));
        group.samples++;
        if (status === STATUS_CODE.up) group.up++;
        else if (status === STATUS_CODE.degraded) group.degraded++;
        if (latencyMs !== null) {
          group.latencySum += latencyMs;
          group.latencySamples++;
        }
      }
    }
    // Each check's asset as it is now; a check since deleted counts for no asset.
    const assetOf = new Map(checkAssets.all() as Array<[number, number]>);
    for (const group of groups.values()) group.assetId = assetOf.get(group.checkId) ?? null;
    const sums = new RollupSums();
    sums.add([...groups.values()]);
    return sums.rows();
  };
}
