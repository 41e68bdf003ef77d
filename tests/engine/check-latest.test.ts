// check_latest: the one row per check that the watch floor's latency and the streak rebuild on start
// read, instead of looking raw results up by check (check_results has no index by check). A restart
// gets back the streaks and flap histories the monitor held, the watch floor the newest latency,
// neither reads check_results, and an upgraded database's rows come from its stored results.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, it, type TestContext } from 'vitest';
import { FLAP_HISTORY_BITS, FLAP_WINDOW, historyOf } from '../../src/core/domain/flapping.js';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { checkPhase, latestSlot } from '../../src/core/monitor/phase.js';
import type { ObservationRecord } from '../../src/core/monitor/check-definition.js';
import { STATUS_FROM_CODE } from '../../src/core/monitor/check-state.js';
import { commitAtomically } from '../../src/core/store/client.js';
import { MIGRATIONS_DIR, openSqlite } from '../../src/hosts/node/sqlite.js';
import { createTestApp, ok, rawClient, type TestApp } from '../helpers.js';

const SECOND = 1000;
const HISTORY_MASK = (1 << FLAP_HISTORY_BITS) - 1;
const STATUSES = ['up', 'degraded', 'down'] as const;

/** Deterministic outcomes with long and short runs of each status. */
function outcomes(seed: number, n: number): Array<(typeof STATUSES)[number]> {
  let x = seed;
  let current = 0;
  return Array.from({ length: n }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    if (x % 5 === 0) current = x % 3;
    return STATUSES[current]!;
  });
}

/**
 * What the start-up rebuild made of the stored results before check_latest (the rule kept): the
 * latest max(thresholds, 21) central results within (that + 2) intervals of now; the leading run
 * counted up to the longer threshold, dated by the oldest result it counted; the flap history of
 * those results.
 */
function rebuiltFromResults(db: Database.Database, check: { id: number; failureThreshold: number; successThreshold: number; intervalSeconds: number }, now: number) {
  const cap = Math.max(check.failureThreshold, check.successThreshold);
  const depth = Math.max(cap, FLAP_WINDOW);
  const recent = db.prepare('select status, ts from check_results where check_id = ? and vantage_id is null and ts >= ? order by ts desc limit ?')
    .all(check.id, now - check.intervalSeconds * SECOND * (depth + 2), depth) as Array<{ status: number; ts: number }>;
  let count = 0;
  let startedAt = recent[0]!.ts;
  for (const r of recent) {
    if (r.status !== recent[0]!.status || count === cap) break;
    count++;
    startedAt = r.ts;
  }
  const flap = historyOf(recent.map((r) => r.status === 2).reverse());
  return { streakStatus: STATUS_FROM_CODE[recent[0]!.status], streakCount: count, streakStartedAt: startedAt, lastObservedAt: recent[0]!.ts, flap };
}

async function appWithChecks(ctx: TestContext, thresholds: Array<[number, number]>) {
  const t = await createTestApp();
  ctx.onTestFinished(() => t.close());
  const assetId = (await ok(t.call('POST', '/api/assets', { body: { key: 'gs-latest', kind: 'ground_station', name: 'gs-latest' } }), 201)).id as number;
  const checks = [];
  for (const [i, [failureThreshold, successThreshold]] of thresholds.entries()) {
    const body = { key: `latest-${i}`, assetId, kind: 'http', intervalSeconds: 1, failureThreshold, successThreshold, http: { url: 'http://127.0.0.1:9/' } };
    checks.push({ ...(await ok(t.call('POST', '/api/checks', { body }), 201)), failureThreshold, successThreshold, intervalSeconds: 1 } as { id: number; failureThreshold: number; successThreshold: number; intervalSeconds: number });
  }
  return { t, assetId, checks };
}

/** Records one observation per check per second through the monitor's write plan, one batch a second. */
async function record(t: TestApp, monitor: Monitor, batches: ObservationRecord[][]) {
  for (const batch of batches) {
    const at = Math.max(...batch.map((r) => r.at));
    await commitAtomically(t.sqlite.db, monitor.planObservations(t.sqlite.db, batch, at));
  }
}

function observation(status: (typeof STATUSES)[number], latencyMs: number | null) {
  return { status, latencyMs, message: status === 'up' ? null : status };
}

describe('check_latest', () => {
  it('gives a restarted monitor every streak and flap history it held, the count held to the longer threshold', async (ctx) => {
    const { expect } = ctx;
    const { t, checks } = await appWithChecks(ctx, [[3, 2], [1, 1], [2, 5], [30, 2]]);
    const start = Date.now() - 60 * SECOND;
    const first = await Monitor.load(t.sqlite.db, start);
    const seconds = 50;
    const series = checks.map((_, i) => outcomes(i + 7, seconds));
    await record(t, first, Array.from({ length: seconds }, (_, s) =>
      checks.map((c, i) => ({ checkId: c.id, at: start + s * SECOND, observation: observation(series[i]![s]!, 10 + s) }))));
    const now = start + seconds * SECOND;

    const restarted = await Monitor.load(t.sqlite.db, now);
    for (const check of checks) {
      const held = first.checkState(check.id)!;
      const back = restarted.checkState(check.id)!;
      const cap = Math.max(check.failureThreshold, check.successThreshold);
      expect(back, `check ${check.id}`).toMatchObject({
        streakStatus: held.streakStatus, streakCount: Math.min(held.streakCount, cap), streakStartedAt: held.streakStartedAt,
        lastObservedAt: held.lastObservedAt, flap: held.flap & HISTORY_MASK,
      });
      // The same as the rebuild from the results made of them, but for the start of a run longer
      // than the thresholds: now its first result, not the oldest of the results the rebuild read.
      const old = rebuiltFromResults(rawClient(t.sqlite), check, now);
      expect({ ...back, streakStartedAt: 0 }).toMatchObject({ ...old, streakStartedAt: 0 });
      if (held.streakCount <= cap) expect(back.streakStartedAt).toBe(old.streakStartedAt);
    }
    // The series cover a run longer than its check's thresholds and one shorter.
    expect(checks.some((c) => first.checkState(c.id)!.streakCount > Math.max(c.failureThreshold, c.successThreshold))).toBe(true);
    expect(checks.some((c) => first.checkState(c.id)!.streakCount <= Math.max(c.failureThreshold, c.successThreshold))).toBe(true);
  });

  it('leaves a streak seen too long ago to the stored state, as the rebuild from results did', async (ctx) => {
    const { expect } = ctx;
    const { t, checks: [check] } = await appWithChecks(ctx, [[3, 2]]);
    const start = Date.now() - 3_600 * SECOND;
    const first = await Monitor.load(t.sqlite.db, start);
    await record(t, first, [0, 1].map((s) => [{ checkId: check!.id, at: start + s * SECOND, observation: observation('down', null) }]));
    // 1 s checks with thresholds below 21: a streak last seen more than 23 s ago is not picked up again.
    const later = await Monitor.load(t.sqlite.db, start + 25 * SECOND);
    expect(later.checkState(check!.id)).toMatchObject({ streakStatus: null, streakCount: 0, lastObservedAt: null });
    const soon = await Monitor.load(t.sqlite.db, start + 24 * SECOND);
    expect(soon.checkState(check!.id)).toMatchObject({ streakStatus: 'down', streakCount: 2, streakStartedAt: start, lastObservedAt: start + SECOND });
  });

  it('shows the newest latency on the watch floor: a late upload of an older result does not replace it, nor a vantage\'s result the central streak', async (ctx) => {
    const { expect } = ctx;
    const { t, assetId, checks: [check] } = await appWithChecks(ctx, [[3, 2]]);
    const login = await t.app.request('/login', { method: 'POST', body: new URLSearchParams({ token: t.tokens.viewer, next: '/' }), redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const latencyShown = async () => {
      const data = (await (await t.app.request('/watch.json', { headers: { cookie } })).json()) as { assetFields: string[]; assets: unknown[][] };
      const row = data.assets.find((r) => r[0] === assetId)!;
      return row[data.assetFields.indexOf('latencyMs')];
    };
    const start = Date.now() - 60 * SECOND;
    const monitor = await Monitor.load(t.sqlite.db, start);
    const id = check!.id;
    await record(t, monitor, [[{ checkId: id, at: start, observation: observation('up', 40) }], [{ checkId: id, at: start + SECOND, observation: observation('up', 55) }]]);
    expect(await latencyShown()).toBe(55);
    await record(t, monitor, [[{ checkId: id, at: start - 10 * SECOND, observation: observation('up', 999), vantageId: 1, late: true }]]);
    expect(await latencyShown()).toBe(55);
    await record(t, monitor, [[{ checkId: id, at: start + 2 * SECOND, observation: observation('down', 70), vantageId: 1 }]]);
    expect(await latencyShown()).toBe(70);
    // a result without a latency is the newest: the asset shows none rather than an older one
    await record(t, monitor, [[{ checkId: id, at: start + 3 * SECOND, observation: observation('down', null) }]]);
    expect(await latencyShown()).toBe(null);
    const restarted = await Monitor.load(t.sqlite.db, start + 4 * SECOND);
    expect(restarted.checkState(id)).toMatchObject({ streakStatus: 'down', streakCount: 1, streakStartedAt: start + 3 * SECOND });
  });

  it('keeps the rows of checks that come due together next to each other', async (ctx) => {
    const { expect } = ctx;
    const { t, checks } = await appWithChecks(ctx, Array.from({ length: 12 }, () => [3, 2] as [number, number]));
    const start = Date.now() - 10 * SECOND;
    await record(t, await Monitor.load(t.sqlite.db, start), [checks.map((c) => ({ checkId: c.id, at: start, observation: observation('up', 12) }))]);
    // Same interval: the order in which they come due is the order of their phases.
    const dueOrder = checks.map((c) => c.id).sort((a, b) => checkPhase(a) - checkPhase(b));
    const stored = rawClient(t.sqlite).prepare('select check_id from check_latest order by slot').pluck().all();
    expect(stored).toEqual(dueOrder);
    expect(dueOrder).not.toEqual([...dueOrder].sort((a, b) => a - b));
  });

  it('is read by key on the watch floor and once per check on start, never through check_results', async (ctx) => {
    const { expect } = ctx;
    const { t, checks } = await appWithChecks(ctx, [[3, 2], [3, 2]]);
    const client = rawClient(t.sqlite);
    const start = Date.now() - 10 * SECOND;
    await record(t, await Monitor.load(t.sqlite.db, start), [checks.map((c) => ({ checkId: c.id, at: start, observation: observation('up', 12) }))]);
    const seen: string[] = [];
    const prepare = client.prepare;
    client.prepare = function (this: Database.Database, source: string) {
      seen.push(source);
      return prepare.call(this, source);
    } as typeof client.prepare;
    ctx.onTestFinished(() => {
      client.prepare = prepare;
    });
    await Monitor.load(t.sqlite.db, start + SECOND);
    const login = await t.app.request('/login', { method: 'POST', body: new URLSearchParams({ token: t.tokens.viewer, next: '/' }), redirect: 'manual' });
    expect((await t.app.request('/watch.json', { headers: { cookie: login.headers.get('set-cookie')!.split(';')[0]! } })).status).toBe(200);
    client.prepare = prepare;

    expect(seen.filter((s) => /check_results/.test(s))).toEqual([]);
    const readers = seen.filter((s) => /check_latest/.test(s));
    expect(readers).toHaveLength(2);
    const plans = readers.map((s) => {
      const params = Array.from(s.matchAll(/\?/g), () => 0);
      return (client.prepare(`explain query plan ${s}`).all(...params) as Array<{ detail: string }>).map((step) => step.detail);
    });
    const [rebuild, watchFloor] = /json_array/.test(readers[0]!) ? [plans[1]!, plans[0]!] : [plans[0]!, plans[1]!];
    // start: one pass over check_latest (a row a check), each one's check by key
    expect(rebuild).toEqual(['SCAN l', 'SEARCH c USING INTEGER PRIMARY KEY (rowid=?)']);
    // the watch floor: per asset its checks by index, each one's row by key
    expect(watchFloor).toEqual(expect.arrayContaining(['SEARCH c USING INDEX checks_asset_idx (asset_id=?)', 'SEARCH l USING INDEX check_latest_check_id_unique (check_id=?)']));
    expect(watchFloor.filter((d) => /^SCAN/.test(d))).toEqual(['SCAN a']);
  });
});

describe('the migration that drops check_results_check_ts_idx', () => {
  it('fills check_latest from the stored results, so an upgraded database rebuilds its streaks on first start', async (ctx) => {
    const { expect } = ctx;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-upgrade-'));
    ctx.onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    // The database as the release before left it: every migration up to this one.
    const before = path.join(dir, 'migrations');
    fs.cpSync(MIGRATIONS_DIR, before, { recursive: true });
    const journalFile = path.join(before, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
    journal.entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag.endsWith('_drop_results_check_index')));
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    const file = path.join(dir, 'coopwatch.db');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: before });

    const now = Date.now();
    const checks = [
      { id: 1, failureThreshold: 3, successThreshold: 2, intervalSeconds: 1 },
      { id: 2, failureThreshold: 30, successThreshold: 2, intervalSeconds: 1 },
      { id: 3, failureThreshold: 1, successThreshold: 1, intervalSeconds: 1 },
      { id: 4, failureThreshold: 3, successThreshold: 2, intervalSeconds: 1 },
    ];
    old.prepare(`insert into assets (id, key, kind, name, created_at, updated_at) values (1, 'gs-old', 'ground_station', 'gs-old', 0, 0)`).run();
    const insertCheck = old.prepare(`insert into checks (id, key, asset_id, kind, interval_seconds, failure_threshold, success_threshold, settings, created_at, updated_at)
      values (?, ?, 1, 'http', ?, ?, ?, '{}', 0, 0)`);
    for (const c of checks) insertCheck.run(c.id, `old-${c.id}`, c.intervalSeconds, c.failureThreshold, c.successThreshold);
    const insertResult = old.prepare('insert into check_results (check_id, ts, status, latency_ms, vantage_id) values (?, ?, ?, ?, ?)');
    const codes = { up: 0, degraded: 1, down: 2 };
    for (const c of checks.slice(0, 3)) {
      const series = outcomes(c.id * 3 + 1, 40);
      // off the whole seconds, so no result sits on the edge of a window counted from now
      series.forEach((s, i) => insertResult.run(c.id, now - (40 - i) * SECOND + 300, codes[s], s === 'down' ? null : 100 + i, null));
    }
    // a vantage's result is the newest of check 1 (its latency shows) but no part of its streak
    insertResult.run(1, now - 500, 2, 321, 7);
    // check 3's results: only 5, the oldest down, so it fills the rest of the flap history
    old.prepare('delete from check_results where check_id = 3').run();
    [2, 0, 2, 2, 0].forEach((status, i) => insertResult.run(3, now - (5 - i) * SECOND + 300, status, null, null));
    // check 4 has never run
    // The backfill reads each check's recent results through the index it is about to drop, never all of them.
    const migration = fs.readdirSync(MIGRATIONS_DIR).find((f) => f.endsWith('_drop_results_check_index.sql'))!;
    const [create, backfill] = fs.readFileSync(path.join(MIGRATIONS_DIR, migration), 'utf8').split('--> statement-breakpoint');
    old.exec('begin');
    old.exec(create!);
    const plan = (old.prepare(`explain query plan ${backfill!.replace(/^\s*--.*$/gm, '')}`).all() as Array<{ detail: string }>).map((step) => step.detail);
    old.exec('rollback');
    expect(plan.filter((d) => /^SCAN (r|n|check_results)\b/.test(d))).toEqual([]);
    expect(plan).toContain('SEARCH r USING INDEX check_results_check_ts_idx (check_id=? AND ts>?)');
    old.close();

    const upgraded = openSqlite(file);
    ctx.onTestFinished(() => upgraded.close());
    const client = rawClient(upgraded);
    expect(client.prepare(`select name from sqlite_master where name = 'check_results_check_ts_idx'`).all()).toEqual([]);
    const rows = client.prepare('select * from check_latest order by check_id').all() as Array<Record<string, number | null>>;
    expect(rows.map((r) => r.check_id)).toEqual([1, 2, 3]);
    // laid out by due phase (migration 0020), as the monitor writes new rows
    for (const row of rows) expect(row.slot).toBe(latestSlot(row.check_id!));
    const newest = (id: number) => client.prepare('select ts, latency_ms from check_results where check_id = ? order by ts desc limit 1').get(id);
    for (const row of rows) expect({ ts: row.ts, latency_ms: row.latency_ms }).toEqual(newest(row.check_id!));
    expect(rows[0]).toMatchObject({ ts: now - 500, latency_ms: 321 });

    const monitor = await Monitor.load(upgraded.db, now);
    for (const c of checks.slice(0, 3)) {
      expect(monitor.checkState(c.id), `check ${c.id}`).toMatchObject(rebuiltFromResults(client, c, now));
    }
    expect(monitor.checkState(4)).toMatchObject({ streakStatus: null, streakCount: 0, lastObservedAt: null });
  });
});
