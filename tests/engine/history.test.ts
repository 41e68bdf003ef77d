// History: raw results roll up into hourly and daily rows (counts and sums merged by UPSERT),
// raw results are pruned after the retention window, and availability reads the rollups.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkResults, functionStates } from '../../src/core/store/schema/index.js';
import { availability, pruneHistory, rollUpHistory } from '../../src/core/monitor/history.js';
import { createTestApp, rawClient, type TestApp } from '../helpers.js';
import { eq } from 'drizzle-orm';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Midnight UTC: hours H0 = T+1h and H1 = T+2h fall in the same day. */
const T = Date.UTC(2025, 0, 15);

let t: TestApp;
let assetId: number;
let c1: number;
let c2: number;
let fnId: number;

beforeEach(async () => {
  t = await createTestApp();
  const asset = await t.call('POST', '/api/assets', { body: { key: 'gs-wallops', kind: 'ground_station', name: 'Wallops' } });
  assetId = asset.body.id;
  const check = (key: string) =>
    t.call('POST', '/api/checks', { body: { key, assetId, kind: 'http', intervalSeconds: 60, http: { url: 'http://127.0.0.1:9/' } } });
  c1 = (await check('wallops-api')).body.id;
  c2 = (await check('wallops-tm')).body.id;
  const fn = await t.call('POST', '/api/functions', {
    body: { key: 'tt-and-c', name: 'TT&C', tier: 'PMEF', rtoSeconds: 600, mtdSeconds: 3600, groups: [{ name: 'stations', k: 1, members: [{ assetId }] }] },
  });
  fnId = fn.body.id;
  // the engine keeps a high-water mark; its first run starts it
  await rollUpHistory(t.sqlite.db, T);
});
afterEach(() => t.close());

type Status = 'up' | 'degraded' | 'down';
const CODE: Record<Status, number> = { up: 0, degraded: 1, down: 2 };

async function insertResults(checkId: number, start: number, rows: Array<[Status, number | null]>) {
  await t.sqlite.db.insert(checkResults).values(
    rows.map(([status, latencyMs], i) => ({ checkId, ts: start + i * 60_000, status: CODE[status], latencyMs })),
  );
}

function rollupRows(kind: 'check' | 'asset' | 'function', id: number) {
  return rawClient(t.sqlite)
    .prepare(
      `select granularity, bucket_start as bucketStart, samples, up_samples as up, degraded_samples as degraded,
              latency_sum_ms as latencySum, latency_samples as latencySamples
       from rollups where subject_kind = ? and subject_id = ? order by granularity, bucket_start`,
    )
    .all(kind, id);
}

async function seedTwoHours() {
  // H0: 4 up, 1 degraded, 1 down on c1; 2 up on c2
  await insertResults(c1, T + HOUR, [['up', 10], ['up', 20], ['up', 30], ['up', 40], ['degraded', 500], ['down', null]]);
  await insertResults(c2, T + HOUR + 30_000, [['up', 100], ['up', 100]]);
  // H1: 2 up, 2 down on c1
  await insertResults(c1, T + 2 * HOUR, [['up', 50], ['up', 50], ['down', null], ['down', null]]);
}

describe('rollUpHistory', () => {
  it('turns results into hourly and daily rows per check and per asset: counts, up/degraded, latency sums', async () => {
    await seedTwoHours();
    await rollUpHistory(t.sqlite.db, T + 5 * HOUR);

    expect(rollupRows('check', c1)).toEqual([
      { granularity: 'day', bucketStart: T, samples: 10, up: 6, degraded: 1, latencySum: 700, latencySamples: 7 },
      { granularity: 'hour', bucketStart: T + HOUR, samples: 6, up: 4, degraded: 1, latencySum: 600, latencySamples: 5 },
      { granularity: 'hour', bucketStart: T + 2 * HOUR, samples: 4, up: 2, degraded: 0, latencySum: 100, latencySamples: 2 },
    ]);
    expect(rollupRows('check', c2)).toEqual([
      { granularity: 'day', bucketStart: T, samples: 2, up: 2, degraded: 0, latencySum: 200, latencySamples: 2 },
      { granularity: 'hour', bucketStart: T + HOUR, samples: 2, up: 2, degraded: 0, latencySum: 200, latencySamples: 2 },
    ]);
    // the asset's rows add up its checks
    expect(rollupRows('asset', assetId)).toEqual([
      { granularity: 'day', bucketStart: T, samples: 12, up: 8, degraded: 1, latencySum: 900, latencySamples: 9 },
      { granularity: 'hour', bucketStart: T + HOUR, samples: 8, up: 6, degraded: 1, latencySum: 800, latencySamples: 7 },
      { granularity: 'hour', bucketStart: T + 2 * HOUR, samples: 4, up: 2, degraded: 0, latencySum: 100, latencySamples: 2 },
    ]);
  });

  it('running again does not count anything twice', async () => {
    await seedTwoHours();
    await rollUpHistory(t.sqlite.db, T + 5 * HOUR);
    const once = { check: rollupRows('check', c1), asset: rollupRows('asset', assetId) };
    await rollUpHistory(t.sqlite.db, T + 5 * HOUR);
    await rollUpHistory(t.sqlite.db, T + 6 * HOUR);
    expect({ check: rollupRows('check', c1), asset: rollupRows('asset', assetId) }).toEqual(once);
  });

  it('merges results of one hour that arrive across several runs', async () => {
    await insertResults(c1, T + 5 * HOUR, [['up', 10], ['down', null]]);
    await rollUpHistory(t.sqlite.db, T + 5 * HOUR + 30 * 60_000);
    await insertResults(c1, T + 5 * HOUR + 40 * 60_000, [['up', 30], ['degraded', 400]]);
    await rollUpHistory(t.sqlite.db, T + 8 * HOUR);
    const hour = rollupRows('check', c1).find((r: any) => r.granularity === 'hour' && r.bucketStart === T + 5 * HOUR);
    expect(hour).toEqual({ granularity: 'hour', bucketStart: T + 5 * HOUR, samples: 4, up: 2, degraded: 1, latencySum: 440, latencySamples: 3 });
  });

  it('still counts a result written late by a probe that ran into a long timeout', async () => {
    const now = T + 10 * HOUR;
    await rollUpHistory(t.sqlite.db, now);
    // a probe started 60 s ago (timeoutMs 60 000) against a black hole: its down result, dated
    // by when it started, only lands now
    await insertResults(c1, now - 60_000, [['down', null]]);
    await rollUpHistory(t.sqlite.db, now + HOUR);
    const rows = rollupRows('check', c1).filter((r: any) => r.granularity === 'hour');
    expect(rows.reduce((n: number, r: any) => n + r.samples, 0)).toBe(1);
  });

  it('samples every function status at most once a minute', async () => {
    await t.sqlite.db.insert(functionStates).values({ functionId: fnId, status: 'operational', redundancy: 'SPOF', since: T })
      .onConflictDoUpdate({ target: functionStates.functionId, set: { status: 'operational' } });
    await rollUpHistory(t.sqlite.db, T + 5 * HOUR);
    await t.sqlite.db.update(functionStates).set({ status: 'degraded' }).where(eq(functionStates.functionId, fnId));
    await rollUpHistory(t.sqlite.db, T + 5 * HOUR + 30_000); // within the minute: not sampled
    await rollUpHistory(t.sqlite.db, T + 5 * HOUR + 61_000);
    await t.sqlite.db.update(functionStates).set({ status: 'lost', redundancy: 'none' }).where(eq(functionStates.functionId, fnId));
    await rollUpHistory(t.sqlite.db, T + 5 * HOUR + 125_000);

    const hourly = rollupRows('function', fnId).filter((r: any) => r.granularity === 'hour' && r.bucketStart === T + 5 * HOUR);
    expect(hourly).toEqual([{ granularity: 'hour', bucketStart: T + 5 * HOUR, samples: 3, up: 1, degraded: 1, latencySum: 0, latencySamples: 0 }]);
    const fnAvailability = await availability(t.sqlite.db, { kind: 'function', id: fnId }, T + 6 * HOUR, DAY);
    expect(fnAvailability.samples).toBe(3);
    expect(fnAvailability.availability).toBeCloseTo(2 / 3, 10);
    expect(fnAvailability.upRatio).toBeCloseTo(1 / 3, 10);
  });
});

describe('availability', () => {
  beforeEach(async () => {
    await seedTwoHours();
    await rollUpHistory(t.sqlite.db, T + 5 * HOUR);
  });

  it('over 24 h reads hourly rows: degraded counts as available, down does not', async () => {
    const check = await availability(t.sqlite.db, { kind: 'check', id: c1 }, T + 6 * HOUR, DAY);
    expect(check).toEqual({ availability: 0.7, upRatio: 0.6, samples: 10, meanLatencyMs: 100 });
    const asset = await availability(t.sqlite.db, { kind: 'asset', id: assetId }, T + 6 * HOUR, DAY);
    expect(asset).toEqual({ availability: 0.75, upRatio: 8 / 12, samples: 12, meanLatencyMs: 100 });
  });

  it('over 30 d reads daily rows, and the 24 h window forgets what is older', async () => {
    const later = T + 3 * DAY;
    expect(await availability(t.sqlite.db, { kind: 'check', id: c1 }, later, DAY)).toEqual({ availability: null, upRatio: null, samples: 0, meanLatencyMs: null });
    expect(await availability(t.sqlite.db, { kind: 'check', id: c1 }, later, 30 * DAY)).toEqual({ availability: 0.7, upRatio: 0.6, samples: 10, meanLatencyMs: 100 });
    expect((await availability(t.sqlite.db, { kind: 'asset', id: assetId }, later, 30 * DAY)).availability).toBe(0.75);
    // long after, 30 d forgets too
    expect((await availability(t.sqlite.db, { kind: 'check', id: c1 }, T + 45 * DAY, 30 * DAY)).samples).toBe(0);
  });

  it('is null for a subject with no history', async () => {
    expect(await availability(t.sqlite.db, { kind: 'check', id: 9999 }, T + 6 * HOUR, DAY)).toEqual({ availability: null, upRatio: null, samples: 0, meanLatencyMs: null });
  });
});

describe('pruneHistory', () => {
  it('removes raw results older than the retention window and keeps the rollups', async () => {
    await seedTwoHours();
    await rollUpHistory(t.sqlite.db, T + 5 * HOUR);
    const count = () => (rawClient(t.sqlite).prepare('select count(*) as n from check_results').get() as { n: number }).n;
    expect(count()).toBe(12);

    // 7 days of retention, 7 days and 90 minutes later: the first hour's results go, the second's stay
    await pruneHistory(t.sqlite.db, T + 7 * DAY + 90 * 60_000, 7);
    const left = rawClient(t.sqlite).prepare('select min(ts) as min, count(*) as n from check_results').get() as { min: number; n: number };
    expect(left).toEqual({ min: T + 2 * HOUR, n: 4 });
    expect(rollupRows('check', c1)).toHaveLength(3);
    expect((await availability(t.sqlite.db, { kind: 'check', id: c1 }, T + 7 * DAY + 2 * HOUR, 30 * DAY)).samples).toBe(10);

    // much later, hourly rollups age out while daily ones stay
    await pruneHistory(t.sqlite.db, T + 40 * DAY, 7);
    expect(count()).toBe(0);
    expect(rollupRows('check', c1).map((r: any) => r.granularity)).toEqual(['day']);
  });
});
