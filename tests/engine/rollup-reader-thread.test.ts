// The Node host's history housekeeping, with the rollup's reading on a thread and connection of
// its own: the sums it hands back are exact while the monitor keeps committing, the log still
// reaches the host, and a run whose reader stops partway is redone exactly by the next one.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { commitAtomically } from '../../src/core/store/client.js';
import { checkResults } from '../../src/core/store/schema/index.js';
import { sqliteUsedBytes, startHistoryHousekeeper, type HistoryHousekeeper } from '../../src/hosts/node/history-housekeeping.js';
import { createTestApp, rawClient, type TestApp } from '../helpers.js';

const DAY = 86_400_000;
const SECOND = 1_000;
/** Recent days: the thread runs on the real clock, and these are inside the default retention. */
const FROM = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;

let t: TestApp;
let checkIds: number[];
const keepers: HistoryHousekeeper[] = [];

beforeEach(async () => {
  t = await createTestApp();
  const asset = await t.call('POST', '/api/assets', { body: { key: 'gs-usuda', kind: 'ground_station', name: 'Usuda' } });
  checkIds = [];
  for (const key of ['usuda-api', 'usuda-tm']) {
    checkIds.push((await t.call('POST', '/api/checks', { body: { key, assetId: asset.body.id, kind: 'http', intervalSeconds: 60, http: { url: 'http://127.0.0.1:9/' } } })).body.id);
  }
});
afterEach(async () => {
  await Promise.all(keepers.splice(0).map((keeper) => keeper.stop()));
  t.close();
});

function keeper(options: { retentionMaxBytes?: number; log?: (message: string) => void } = {}): HistoryHousekeeper {
  const started = startHistoryHousekeeper(t.sqlite, { retentionDays: 30, retentionMaxBytes: options.retentionMaxBytes, log: options.log ?? (() => {}) });
  keepers.push(started);
  return started;
}

function writeResults(from: number, until: number, stepMs: number): void {
  const client = rawClient(t.sqlite);
  const insert = client.prepare('insert into check_results (check_id, ts, status, latency_ms) values (?, ?, ?, ?)');
  client.transaction(() => {
    for (let ts = from; ts < until; ts += stepMs) for (const checkId of checkIds) insert.run(checkId, ts, (ts / stepMs) % 7 === 0 ? 2 : 0, 20);
  })();
}

const all = (query: string) => rawClient(t.sqlite).prepare(query).all() as any[];
const checkDays = () => all(`select subject_id, bucket_start, samples, up_samples from rollups where subject_kind = 'check' and granularity = 'day' order by 1, 2`);
const rawDays = (where = 'true') =>
  all(`select check_id as subject_id, (ts / ${DAY}) * ${DAY} as bucket_start, count(*) as samples, sum(status = 0) as up_samples from check_results where ${where} group by 1, 2 order by 1, 2`);

it('rolls up exactly from sums read on its own connection, while the monitor keeps committing', async () => {
  writeResults(FROM, FROM + DAY, 10 * SECOND);
  const before = rawDays();
  let committed = 0;
  let failed: unknown = null;
  // The monitor's connection commits results every few milliseconds throughout the run.
  const writer = setInterval(() => {
    commitAtomically(t.sqlite.db, [t.sqlite.db.insert(checkResults).values({ checkId: checkIds[0]!, ts: FROM + 2 * DAY + committed, status: 0, latencyMs: 5 })]).then(
      () => committed++,
      (err: unknown) => (failed = err),
    );
  }, 2);
  const run = await keeper().run();
  clearInterval(writer);
  expect(failed).toBeNull();
  expect(committed).toBeGreaterThan(0);
  expect(run.rolledUpRows).toBeGreaterThanOrEqual(before.reduce((n, day) => n + day.samples, 0));
  // Everything written before the run counted once; what came in during it counts at most once.
  const days = checkDays();
  expect(days.filter((day) => day.bucket_start < FROM + 2 * DAY)).toEqual(before);
  await keeper().run();
  expect(checkDays()).toEqual(rawDays());
});

it('sends its log to the host: the size cap, when it drops the oldest results', async () => {
  writeResults(FROM, FROM + 2 * DAY, 10 * SECOND);
  const logged: string[] = [];
  await keeper().run();
  const used = await sqliteUsedBytes(t.sqlite.db)();
  const run = await keeper({ retentionMaxBytes: Math.floor(used * 0.9), log: (message) => logged.push(message) }).run();
  expect(run.droppedForSize).toBeGreaterThan(0);
  expect(logged).toEqual([expect.stringMatching(/size cap \(COOPWATCH_RETENTION_MAX_MB=\d+\): dropped about [\d,]+ of the oldest raw results/)]);
});

it('a run whose reader is stopped partway is redone exactly by the next start', async () => {
  writeResults(FROM, FROM + 2 * DAY, SECOND);
  const first = keeper();
  const cut = first.run();
  // Stopped once it has recorded where it runs to, before it can have written every rollup row.
  while (!all(`select 1 from engine_marks where name = 'rollup_pending_rowid'`).length) await new Promise((resolve) => setTimeout(resolve, 5));
  await first.stop();
  await expect(cut).rejects.toThrow(/rollup reader thread stopped/);
  expect(all(`select 1 from engine_marks where name = 'rollup_pending_rowid'`)).toHaveLength(1);

  await keeper().run();
  expect(checkDays()).toEqual(rawDays());
});
