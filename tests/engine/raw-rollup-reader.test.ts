// The Node rollup reader thread sums raw rows in JS; the core's reader (and D1's) groups in SQL.
// On the same results they must give the same rollup rows, or the service's history bars would
// differ from a Workers deployment's: up, degraded and down results, results without a latency,
// hours and days crossed, a check since deleted (counts for itself, for no asset), and the
// legacy filter that keeps rows dated before the old ts mark out.
import { afterEach, beforeEach, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { rollupReader } from '../../src/core/monitor/history.js';
import type { RollupRow } from '../../src/core/monitor/rollup-buckets.js';
import { rawRollupReader } from '../../src/hosts/node/raw-rollup-reader.js';
import { createTestApp, rawClient, type TestApp } from '../helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FROM = Date.UTC(2026, 10, 30, 22, 0, 0);

let t: TestApp;
let reader: Database.Database;

beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => {
  reader?.close();
  t.close();
});

const ordered = (rows: RollupRow[]) =>
  [...rows].sort((a, b) => a.subjectKind.localeCompare(b.subjectKind) || a.granularity.localeCompare(b.granularity) || a.subjectId - b.subjectId || a.bucketStart - b.bucketStart);

it('gives the same rollup rows as the GROUP BY of the core and D1', async () => {
  const asset = await t.call('POST', '/api/assets', { body: { key: 'gs-usuda', kind: 'ground_station', name: 'Usuda' } });
  const other = await t.call('POST', '/api/assets', { body: { key: 'gs-uchinoura', kind: 'ground_station', name: 'Uchinoura' } });
  const ids: number[] = [];
  for (const [key, assetId] of [['usuda-api', asset.body.id], ['usuda-tm', asset.body.id], ['uchinoura-api', other.body.id]] as const) {
    ids.push((await t.call('POST', '/api/checks', { body: { key, assetId, kind: 'http', intervalSeconds: 60, http: { url: 'http://127.0.0.1:9/' } } })).body.id);
  }
  const client = rawClient(t.sqlite);
  const insert = client.prepare('insert into check_results (check_id, ts, status, latency_ms) values (?, ?, ?, ?)');
  client.transaction(() => {
    // Four hours across midnight UTC, every 7 minutes per check: statuses and missing latencies vary.
    for (let ts = FROM, i = 0; ts < FROM + 4 * HOUR; ts += 7 * 60_000, i++) {
      for (const id of ids) insert.run(id, ts, i % 5 === 0 ? 2 : i % 3 === 0 ? 1 : 0, i % 4 === 0 ? null : 10 + i + id);
    }
  })();
  const until = (client.prepare('select max(rowid) as n from check_results').get() as { n: number }).n;
  // A check deleted after its results were written: its results count for the check alone.
  expect((await t.call('DELETE', `/api/checks/${ids[2]}`)).status).toBe(204);

  reader = new Database(t.sqlite.file, { readonly: true, fileMustExist: true });
  const raw = rawRollupReader(reader);
  const grouped = rollupReader(t.sqlite.db);
  for (const [after, legacyFrom] of [[0, null], [5, null], [0, FROM + 18 * 7 * 60_000]] as const) {
    const expected = ordered(await grouped(after, until, legacyFrom));
    expect(expected.length).toBeGreaterThan(0);
    expect(ordered(await raw(after, until, legacyFrom))).toEqual(expected);
  }

  const all = ordered(await raw(0, until, null));
  expect(all.filter((row) => row.granularity === 'day').map((row) => row.bucketStart)).toEqual(expect.arrayContaining([FROM - 22 * HOUR, FROM + 2 * HOUR]));
  expect(all.filter((row) => row.subjectKind === 'asset').map((row) => row.subjectId)).not.toContain(other.body.id);
  expect(all.some((row) => row.subjectKind === 'check' && row.subjectId === ids[2])).toBe(true);
  expect(all.some((row) => row.degraded > 0) && all.some((row) => row.up < row.samples - row.degraded)).toBe(true);
  expect(all.every((row) => row.latencySamples < row.samples)).toBe(true);
});
