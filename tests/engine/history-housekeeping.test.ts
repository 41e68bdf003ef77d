// History housekeeping that costs what is new, not what is stored: rollups read only the rows
// written since their mark (by rowid, through the table's own key), stay exact when a run dies
// between chunks, and pruning removes old raw results without touching any day's rollups.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { pruneHistory, rollUpHistory } from '../../src/core/monitor/history.js';
import { hourGroupsSql } from '../../src/core/monitor/rollup-buckets.js';
import { everyMinuteAfterStart, historyHousekeeping, sqliteUsedBytes } from '../../src/hosts/node/history-housekeeping.js';
import { registerStoreCapabilities, storeCapabilitiesOf } from '../../src/core/store/capabilities.js';
import { loadConfig } from '../../src/hosts/config.js';
import { createTestApp, rawClient, type TestApp } from '../helpers.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T = Date.UTC(2025, 0, 15);

let t: TestApp;
let checkIds: number[];

let assetId: number;

beforeEach(async () => {
  t = await createTestApp();
  const asset = await t.call('POST', '/api/assets', { body: { key: 'gs-kiruna', kind: 'ground_station', name: 'Kiruna' } });
  assetId = asset.body.id;
  checkIds = [];
  for (const key of ['kiruna-api', 'kiruna-tm', 'kiruna-acu']) checkIds.push(await addCheck(key));
});

async function addCheck(key: string): Promise<number> {
  const check = await t.call('POST', '/api/checks', { body: { key, assetId, kind: 'http', intervalSeconds: 60, http: { url: 'http://127.0.0.1:9/' } } });
  return check.body.id;
}
afterEach(() => t.close());

/** One result per check every `stepMs` over [from, until), as the monitor writes them: in time order. */
function writeResults(from: number, until: number, stepMs: number) {
  const insert = rawClient(t.sqlite).prepare('insert into check_results (check_id, ts, status, latency_ms) values (?, ?, ?, ?)');
  let n = 0;
  rawClient(t.sqlite).transaction(() => {
    for (let ts = from; ts < until; ts += stepMs) {
      for (const checkId of checkIds) {
        const status = (ts / stepMs + checkId) % 17 === 0 ? 2 : (ts / stepMs) % 5 === 0 ? 1 : 0;
        insert.run(checkId, ts, status, status === 2 ? null : 10 + (n % 90));
        n++;
      }
    }
  })();
  return n;
}

const all = (query: string, ...params: unknown[]) => rawClient(t.sqlite).prepare(query).all(...params) as any[];
const rollups = () => all('select subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples from rollups where subject_kind != ? order by 1, 2, 3, 4', 'function');

/** What the rollups must hold for these raw rows, computed straight from them. */
function expectedCheckRollups(granularity: 'hour' | 'day') {
  const ms = granularity === 'hour' ? HOUR : DAY;
  return all(
    `select 'check' as subject_kind, check_id as subject_id, ? as granularity, (ts / ${ms}) * ${ms} as bucket_start, count(*) as samples,
       sum(status = 0) as up_samples, sum(status = 1) as degraded_samples, coalesce(sum(latency_ms), 0) as latency_sum_ms, count(latency_ms) as latency_samples
     from check_results group by check_id, ts / ${ms} order by 2, 4`,
    granularity,
  );
}

describe('rolling up the newest minute', () => {
  it('reads only that minute, through the table key in rowid order, however much is stored', async () => {
    writeResults(T, T + 2 * DAY, MINUTE); // two days already stored and rolled up
    await rollUpHistory(t.sqlite.db, T + 2 * DAY);
    const newest = writeResults(T + 2 * DAY, T + 2 * DAY + MINUTE, 1_000);

    const run = await rollUpHistory(t.sqlite.db, T + 2 * DAY + MINUTE);
    expect(run).toMatchObject({ rows: newest, caughtUp: true });
    // one row per check and per asset, hourly and daily: not one per result
    expect(run.written).toBe(2 * (checkIds.length + 1));

    // Each chunk is read by a seek on the rowid range; check_results is never scanned or walked by check.
    const { last } = all('select max(rowid) as last from check_results')[0];
    const { sql, params } = new SQLiteSyncDialect().sqlToQuery(hourGroupsSql(last - newest, last));
    const plan = all(`explain query plan ${sql}`, ...params).map((row) => row.detail as string);
    expect(plan.filter((step) => /check_results/.test(step))).toEqual(['SEARCH check_results USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)']);
  });

  it('counts a late result when it lands, in the hour it is dated', async () => {
    writeResults(T, T + HOUR, MINUTE);
    await rollUpHistory(t.sqlite.db, T + HOUR);
    // dated 10 minutes into the hour already rolled up, written only now
    rawClient(t.sqlite).prepare('insert into check_results (check_id, ts, status, latency_ms) values (?, ?, 2, null)').run(checkIds[0], T + 10 * MINUTE);
    await rollUpHistory(t.sqlite.db, T + HOUR + MINUTE);
    expect(rollups().filter((r) => r.subject_kind === 'check' && r.granularity === 'hour')).toEqual(expectedCheckRollups('hour'));
  });
});

describe('a run that dies between chunks', () => {
  it('leaves rollups exact: the next run counts each row once', async () => {
    for (let i = 0; i < 20; i++) checkIds.push(await addCheck(`kiruna-rx-${i}`));
    writeResults(T, T + 3 * DAY, 20 * MINUTE); // ~1,600 rollup rows to write: several transactions
    // The write of the last check's last hour (written last) fails as if the process died there;
    // earlier writes have committed.
    rawClient(t.sqlite).exec(`create trigger crash_late_in_the_run before insert on rollups
      when new.subject_kind = 'check' and new.subject_id = ${checkIds.at(-1)} and new.granularity = 'hour' and new.bucket_start = ${T + 3 * DAY - HOUR}
      begin select raise(abort, 'power lost'); end`);
    const failed = await rollUpHistory(t.sqlite.db, T + 3 * DAY).catch((err: Error) => err);
    expect(`${failed} ${(failed as Error).cause}`).toMatch(/power lost/);
    const partly = all(`select count(*) as n from rollups where subject_kind = 'check'`)[0].n;
    expect(partly).toBeGreaterThan(0);
    expect(partly).toBeLessThan(expectedCheckRollups('hour').length + expectedCheckRollups('day').length);

    rawClient(t.sqlite).exec('drop trigger crash_late_in_the_run');
    // results keep arriving meanwhile: the redone run ends where the crashed one meant to, the next takes these
    writeResults(T + 3 * DAY, T + 3 * DAY + HOUR, 20 * MINUTE);
    await rollUpHistory(t.sqlite.db, T + 3 * DAY);
    await rollUpHistory(t.sqlite.db, T + 3 * DAY + MINUTE);
    const checks = rollups().filter((r) => r.subject_kind === 'check');
    expect(checks.filter((r) => r.granularity === 'day')).toEqual(expectedCheckRollups('day'));
    expect(checks.filter((r) => r.granularity === 'hour')).toEqual(expectedCheckRollups('hour'));
    const [asset] = all(`select sum(samples) as n from rollups where subject_kind = 'asset' and granularity = 'day'`);
    expect(asset.n).toBe(all('select count(*) as n from check_results')[0].n);
  });

  it('carries on from the ts mark of a database rolled up before rowid marks, counting nothing twice', async () => {
    writeResults(T, T + 2 * HOUR, MINUTE);
    // the old engine counted everything dated before T + 1 h
    rawClient(t.sqlite).prepare(`insert into engine_marks (name, value) values ('rollup_until', ?)`).run(T + HOUR);
    await rollUpHistory(t.sqlite.db, T + 3 * HOUR);
    const hours = rollups().filter((r) => r.subject_kind === 'check' && r.granularity === 'hour');
    expect(hours.map((r) => r.bucket_start)).toEqual(checkIds.map(() => T + HOUR));
    expect(hours.every((r) => r.samples === 60)).toBe(true);
    // the ts mark is gone once caught up, and no run is left pending
    expect(all(`select name from engine_marks where name like 'rollup%' order by name`).map((r) => r.name)).toEqual(['rollup_rowid', 'rollup_runs']);
  });
});

describe('on a driver that prepares no statements and binds 100 parameters at most (D1)', () => {
  it('writes the same exact rollups through multi-row upserts, and a redone run still counts once', async () => {
    const sqliteCapabilities = storeCapabilitiesOf(t.sqlite.db);
    registerStoreCapabilities(t.sqlite.db, { ...sqliteCapabilities, prepare: undefined, maxBoundParameters: 100 });
    for (let i = 0; i < 20; i++) checkIds.push(await addCheck(`kiruna-rx-${i}`));
    writeResults(T, T + 2 * DAY, 10 * MINUTE); // ~1,200 rollup rows: several transactions
    rawClient(t.sqlite).exec(`create trigger crash_late_in_the_run before insert on rollups
      when new.subject_kind = 'check' and new.subject_id = ${checkIds.at(-1)} and new.granularity = 'hour' and new.bucket_start = ${T + 2 * DAY - HOUR}
      begin select raise(abort, 'power lost'); end`);
    await expect(rollUpHistory(t.sqlite.db, T + 2 * DAY)).rejects.toThrow();
    expect(all(`select count(*) as n from rollups where subject_kind = 'check'`)[0].n).toBeGreaterThan(0);
    rawClient(t.sqlite).exec('drop trigger crash_late_in_the_run');
    await rollUpHistory(t.sqlite.db, T + 2 * DAY);
    const checks = rollups().filter((r) => r.subject_kind === 'check');
    expect(checks.filter((r) => r.granularity === 'hour')).toEqual(expectedCheckRollups('hour'));
    expect(checks.filter((r) => r.granularity === 'day')).toEqual(expectedCheckRollups('day'));

    await pruneHistory(t.sqlite.db, T + 3 * DAY, 2);
    expect(all('select min(ts) as ts from check_results')[0].ts).toBe(T + DAY);
    expect(rollups().filter((r) => r.subject_kind === 'check')).toEqual(checks);
  });
});

describe('pruning', () => {
  it('removing the oldest day of raw results leaves every day’s rollups as they were', async () => {
    writeResults(T, T + 3 * DAY, 5 * MINUTE);
    await rollUpHistory(t.sqlite.db, T + 3 * DAY);
    const before = rollups();
    const perDay = () => all(`select ts / ${DAY} * ${DAY} as day, count(*) as n from check_results group by 1 order by 1`);
    const [, second, third] = perDay();

    // 2 days of retention, a day later: the first day goes
    const run = await pruneHistory(t.sqlite.db, T + 3 * DAY, 2);
    expect(run.expired).toBe(checkIds.length * 288);
    expect(perDay()).toEqual([second, third]);
    expect(rollups()).toEqual(before);

    // 35 days on, the oldest day's hourly rollups go and the other days' stay, as do all daily ones
    await pruneHistory(t.sqlite.db, T + DAY + 35 * DAY, 2);
    const after = rollups();
    expect(after.filter((r) => r.granularity === 'day')).toEqual(before.filter((r) => r.granularity === 'day'));
    expect(after.filter((r) => r.granularity === 'hour')).toEqual(before.filter((r) => r.granularity === 'hour' && r.bucket_start >= T + DAY));
  });

  it('never removes results not yet rolled up, and rolls up what comes after emptying the table', async () => {
    writeResults(T, T + DAY, 10 * MINUTE);
    await rollUpHistory(t.sqlite.db, T + DAY);
    writeResults(T + DAY, T + DAY + HOUR, 10 * MINUTE); // not rolled up yet
    await pruneHistory(t.sqlite.db, T + 30 * DAY, 7);
    expect(all('select count(*) as n from check_results')[0].n).toBe(checkIds.length * 6);

    await rollUpHistory(t.sqlite.db, T + 30 * DAY);
    await pruneHistory(t.sqlite.db, T + 30 * DAY, 7);
    expect(all('select count(*) as n from check_results')[0].n).toBe(0);
    // an empty table numbers its next rows from 1 again: they still count
    writeResults(T + 30 * DAY, T + 30 * DAY + HOUR, 10 * MINUTE);
    await rollUpHistory(t.sqlite.db, T + 30 * DAY + HOUR);
    const [latest] = all(`select sum(samples) as n from rollups where subject_kind = 'check' and granularity = 'day' and bucket_start = ?`, T + 30 * DAY);
    expect(latest.n).toBe(checkIds.length * 6);
  });

  it('with a size cap, drops the oldest results (rolled up ones only) until the database is back under it, and says so', async () => {
    // the housekeeping runs on the real clock: four recent days, ~69,000 rows, a few MB
    const from = Math.floor(Date.now() / DAY) * DAY - 5 * DAY;
    writeResults(from, from + 4 * DAY, MINUTE / 4);
    await rollUpHistory(t.sqlite.db, from + 4 * DAY);
    const used = await sqliteUsedBytes(t.sqlite.db)();
    const rollupsBefore = rollups();
    const logged: string[] = [];
    const run = historyHousekeeping(t.sqlite.db, { retentionDays: 3650, retentionMaxBytes: Math.floor(used * 0.97), log: (m) => logged.push(m) });

    const result = await run();
    expect(result.droppedForSize).toBeGreaterThan(0);
    expect(await sqliteUsedBytes(t.sqlite.db)()).toBeLessThanOrEqual(used * 0.97 * 0.9);
    const oldest = all('select min(ts) as ts, max(ts) as newest from check_results')[0];
    expect(oldest.ts).toBeGreaterThan(from);
    expect(oldest.newest).toBe(from + 4 * DAY - MINUTE / 4); // the newest are kept
    expect(rollups()).toEqual(rollupsBefore);
    expect(logged).toEqual([expect.stringMatching(new RegExp(`size cap \\(COOPWATCH_RETENTION_MAX_MB=\\d+\\): dropped about [\\d,]+ of the oldest raw results, already rolled up; raw results now start ${new Date(oldest.ts).toISOString()}`))]);

    // back under the cap: the next run drops nothing more
    expect((await run()).droppedForSize).toBe(0);
  });
});

describe('COOPWATCH_RETENTION_MAX_MB', () => {
  it('is read in MiB, unset means no cap, and a value too small to hold anything is refused by name', () => {
    expect(loadConfig({ COOPWATCH_RETENTION_MAX_MB: '2048' }).retentionMaxBytes).toBe(2048 * 2 ** 20);
    expect(loadConfig({}).retentionMaxBytes).toBeUndefined();
    expect(() => loadConfig({ COOPWATCH_RETENTION_MAX_MB: '10' })).toThrow(/COOPWATCH_RETENTION_MAX_MB/);
  });
});

describe('the housekeeping schedule', () => {
  it('leaves the first minute after a start to the monitor, then runs at the start of every minute', () => {
    const started = Date.UTC(2026, 11, 5, 10, 0, 50); // ten seconds before a minute begins
    const cron = everyMinuteAfterStart(async () => {}, started);
    try {
      const [first, second] = cron.nextRuns(2, new Date(started));
      expect(first!.getTime()).toBe(Date.UTC(2026, 11, 5, 10, 2, 0)); // not 10:01:00, ten seconds in
      expect(second!.getTime() - first!.getTime()).toBe(60_000);
    } finally {
      cron.stop();
    }
  });
});
