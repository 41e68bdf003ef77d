// The Workers host at scale, in local workerd (`npm run bench -- --only workers`): N HTTP checks
// (default 2,000 every 10 s; BENCH_WORKERS_CHECKS to change) applied in one inventory file and
// spread by the host over its 4 shards (Durable Objects on 1 s alarms), probing the loopback
// targets. Over a window after a warm-up: checks/s at the targets against the ask, results/s the
// coordinator recorded in D1, CPU of the workerd processes per check, and what Cloudflare bills
// for, counted from the files workerd persists. Then one rollup run (the minute Cron Trigger),
// and the monthly cost of 10,000 checks at 60 s and at 10 s (workers-cost.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Targets } from './check-throughput.js';
import type { CheckDefinition } from '../../src/core/monitor/check-definition.js';
import { firstDueTime } from '../../src/core/monitor/scheduler.js';
import type { BenchContext, Child, Figure } from './common.js';
import { pct, round, sleep, tableBytes } from './common.js';
import { cpuMs, persistedFiles, startLocalWorker, workerdPids, type LocalWorker } from './workers-host.js';
import { describeScenario, monthlyCost, nodeMachine, NODE_VM, type MeasuredRates } from './workers-cost.js';

const ADMIN_TOKEN = 'bench-workers-admin-token-0123456789';
const PORT = 18_790;
const CHECKS_PER_STATION = 10;
/** Rollups fold only results older than this (SETTLE_MS in src/core/monitor/history.ts). */
const ROLLUP_SETTLE_MS = 150_000;

interface Window {
  from: number;
  until: number;
}

export async function workersBench(ctx: BenchContext, targets: Targets, targetProcess: Child): Promise<{ figures: Figure[]; raw: unknown }> {
  const checks = Number(process.env.BENCH_WORKERS_CHECKS ?? (ctx.quick ? 500 : 2_000));
  const intervalSeconds = 10;
  const measureSeconds = ctx.quick ? 20 : 60;
  const dir = fs.mkdtempSync(path.join(ctx.tmp, 'workers-'));
  ctx.log(`workers: starting wrangler dev (local workerd) in ${dir}`);
  const worker = await startLocalWorker(dir, PORT, { COOPWATCH_ADMIN_TOKEN: ADMIN_TOKEN });
  try {
    await applyFleet(worker, checks, intervalSeconds, targets);
    const firstResultAt = await waitForResults(worker, 60_000);
    // Past every check's first runs (their first results confirm states: a burst of writes).
    const warmSeconds = 2 * intervalSeconds + 5;
    ctx.log(`workers: ${checks} checks every ${intervalSeconds} s applied; warming up for ${warmSeconds} s, then a ${measureSeconds} s window`);
    await sleep(warmSeconds * 1000);
    const pids = workerdPids(worker.child.pid!);
    const before = { at: Date.now(), cpu: cpuMs(pids), served: (await targetProcess.ask<{ served: number }>({ type: 'served' })).served };
    await sleep(measureSeconds * 1000);
    const after = { at: Date.now(), cpu: cpuMs(pids), served: (await targetProcess.ask<{ served: number }>({ type: 'served' })).served };
    const loadAverage = os.loadavg()[0]!;
    // Results are written after their probe ends and uploaded on the next alarm: let them land.
    await sleep(3_000);
    const window = { from: before.at, until: after.at };
    const counts = countBilled(worker.persistDir, window);
    const lag = probeLag(worker.persistDir, window, intervalSeconds);
    // The rollup folds results older than the settle time: wait until that covers every check's runs.
    const wait = firstResultAt + ROLLUP_SETTLE_MS + (2 * intervalSeconds + 5) * 1000 - Date.now();
    ctx.log(`workers: window done; one rollup run once results are ${ROLLUP_SETTLE_MS / 1000} s old (in ${Math.max(0, Math.round(wait / 1000))} s)`);
    if (wait > 0) await sleep(wait);
    const rollupRows = await measureRollup(worker);
    const seconds = (after.at - before.at) / 1000;
    const done = after.served - before.served;
    const m = {
      checks, intervalSeconds, seconds, asked: checks / intervalSeconds, atTargets: done / seconds, recorded: counts.d1Results / seconds,
      cpuMsPerCheck: done ? (after.cpu - before.cpu) / done : null, cores: (after.cpu - before.cpu) / 1000 / seconds, workerdProcesses: pids.length,
      ...counts, rollupRows, lagP50: lag.p50, lagP99: lag.p99, loadAverage,
    };
    return report(ctx, m);
  } finally {
    await worker.stop();
  }
}

async function api(worker: LocalWorker, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${worker.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function applyFleet(worker: LocalWorker, n: number, intervalSeconds: number, targets: Targets): Promise<void> {
  const stations = Math.ceil(n / CHECKS_PER_STATION);
  const assets = Array.from({ length: stations }, (_, i) => ({ key: `gs-bench-${i}`, kind: 'ground_station', name: `Bench station ${i}` }));
  const checks = Array.from({ length: n }, (_, i) => ({
    key: `bench-${i}`, assetKey: `gs-bench-${i % stations}`, kind: 'http', intervalSeconds,
    http: { url: `http://127.0.0.1:${targets.ports[i % targets.ports.length]}/t/${i}` },
  }));
  await api(worker, 'POST', '/api/inventory/apply', { assets, checks });
}

function openReadOnly(file: string): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true });
}

/** Waits for the coordinator's first results in D1; returns the earliest result's time. */
async function waitForResults(worker: LocalWorker, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const db = openReadOnly(persistedFiles(worker.persistDir).d1);
    try {
      const row = db.prepare('select min(ts) as first from check_results').get() as { first: number | null };
      if (row.first !== null) return row.first;
    } finally {
      db.close();
    }
    if (Date.now() > deadline) throw new Error('no results reached D1');
    await sleep(1_000);
  }
}

/** Rows written per table insert: the row and one per index on the table (D1's counting). */
function rowsPerInsert(db: Database.Database, table: string): number {
  return 1 + (db.prepare('select count(*) as n from pragma_index_list(?)').get(table) as { n: number }).n;
}

function bytesPerRow(db: Database.Database, table: string): number | null {
  const rows = (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  return rows ? tableBytes(db, table) / rows : null;
}

/** What the window wrote, read from the persisted D1 and shard files. */
function countBilled(persistDir: string, w: Window) {
  const files = persistedFiles(persistDir);
  const d1 = openReadOnly(files.d1);
  const between = (sql: string) => (d1.prepare(sql).get(w.from, w.until) as { n: number }).n;
  const d1Counts = {
    d1Results: between('select count(*) as n from check_results where ts >= ? and ts < ?'),
    d1Receipts: between('select count(*) as n from probe_batches where received_at >= ? and received_at < ?'),
    d1Events: between('select count(*) as n from events where ts >= ? and ts < ?'),
    d1StateChanges: between('select count(*) as n from check_states where since >= ? and since < ?'),
    d1ResultRowWrites: rowsPerInsert(d1, 'check_results'),
    d1ReceiptRowWrites: rowsPerInsert(d1, 'probe_batches'),
    d1EventRowWrites: rowsPerInsert(d1, 'events'),
    d1BytesPerResult: bytesPerRow(d1, 'check_results'),
    queueMessages: between('select count(*) as n from webhook_deliveries where created_at >= ? and created_at < ?'),
  };
  d1.close();
  let shardInserts = 0;
  let shardSentUpdates = 0;
  let shardUploads = 0;
  let shardRowWrites = 0;
  let shardBytes = 0;
  for (const file of files.shards) {
    const db = openReadOnly(file);
    if (!db.prepare("select 1 from sqlite_master where name = 'results'").get()) {
      db.close();
      continue;
    }
    const one = (sql: string) => (db.prepare(sql).get(w.from, w.until) as { n: number }).n;
    shardInserts += one('select count(*) as n from results where at >= ? and at < ?');
    shardSentUpdates += one('select count(*) as n from results where sent_at >= ? and sent_at < ?');
    // One sent_at per acknowledged batch: the shard's uploads to the coordinator.
    shardUploads += one('select count(distinct sent_at) as n from results where sent_at >= ? and sent_at < ?');
    shardRowWrites = rowsPerInsert(db, 'results');
    shardBytes = Math.max(shardBytes, bytesPerRow(db, 'results') ?? 0);
    db.close();
  }
  return { ...d1Counts, shards: files.shards.length, shardInserts, shardSentUpdates, shardUploads, shardRowWrites, shardBytesPerResult: shardBytes };
}

/** Each result's start after its due time on the check's grid (the scheduler's epoch-fixed phase). */
function probeLag(persistDir: string, w: Window, intervalSeconds: number): { p50: number | null; p99: number | null } {
  const db = openReadOnly(persistedFiles(persistDir).d1);
  const rows = db.prepare('select check_id as id, ts from check_results where ts >= ? and ts < ?').all(w.from, w.until) as Array<{ id: number; ts: number }>;
  db.close();
  const grid = (id: number, at: number) => firstDueTime({ id, kind: 'http', intervalSeconds, cron: null } as CheckDefinition, at - intervalSeconds * 1000 + 1);
  const lags = rows.map((r) => r.ts - grid(r.id, r.ts));
  return { p50: pct(lags, 50), p99: pct(lags, 99) };
}

/** Runs the minute Cron Trigger once and counts the rollup rows it inserted or changed. */
async function measureRollup(worker: LocalWorker): Promise<{ changed: number; checks: number }> {
  const snapshot = () => {
    const db = openReadOnly(persistedFiles(worker.persistDir).d1);
    try {
      const rows = db.prepare('select subject_kind || subject_id || granularity || bucket_start as k, samples from rollups').all() as Array<{ k: string; samples: number }>;
      const mark = db.prepare("select value from engine_marks where name = 'rollup_until'").get() as { value: number } | undefined;
      const checks = (db.prepare('select count(*) as n from checks').get() as { n: number }).n;
      return { rows: new Map(rows.map((r) => [r.k, r.samples])), mark: mark?.value ?? null, checks };
    } finally {
      db.close();
    }
  };
  const before = snapshot();
  // wrangler dev's handler for a scheduled event (its /__scheduled needs the bundling it skips here).
  const res = await fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`, { signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`the scheduled handler answered ${res.status}: ${text.slice(0, 200)}`);
  const deadline = Date.now() + 30_000;
  let after = snapshot();
  while (after.mark === before.mark && Date.now() < deadline) {
    await sleep(500);
    after = snapshot();
  }
  let changed = 0;
  for (const [k, samples] of after.rows) if (before.rows.get(k) !== samples) changed++;
  return { changed, checks: after.checks };
}

type Measured = Awaited<ReturnType<typeof countBilled>> & {
  checks: number; intervalSeconds: number; seconds: number; asked: number; atTargets: number; recorded: number;
  cpuMsPerCheck: number | null; cores: number; workerdProcesses: number; rollupRows: { changed: number; checks: number };
  lagP50: number | null; lagP99: number | null; loadAverage: number;
};

function rates(m: Measured): MeasuredRates {
  const results = m.d1Results || 1;
  return {
    // The result row and its index rows, written once and deleted once (pruned past retention).
    d1RowsPerResult: 2 * m.d1ResultRowWrites + (m.d1Events * m.d1EventRowWrites + m.d1StateChanges) / results,
    d1RowsPerUpload: (m.d1Receipts * m.d1ReceiptRowWrites) / (m.shardUploads || 1),
    rollupRowsPerCheck: m.rollupRows.changed / m.rollupRows.checks,
    d1BytesPerResult: m.d1BytesPerResult ?? 0,
    // Insert and `sent` update (sent_at is indexed), measured; the delete an hour later, assumed.
    shardRowsPerResult: m.shardRowWrites * ((m.shardInserts + m.shardSentUpdates) / (m.shardInserts || 1) + 1),
    shardRowsPerUpload: 2,
    shardBytesPerResult: m.shardBytesPerResult,
    uploadsPerShardSecond: m.shardUploads / (m.shards || 1) / m.seconds,
    queueMessagesPerResult: m.queueMessages / results,
  };
}

function report(ctx: BenchContext, m: Measured): { figures: Figure[]; raw: unknown } {
  const label = `N=${m.checks.toLocaleString('en')} every ${m.intervalSeconds} s`;
  const r = rates(m);
  const scenarios = [monthlyCost(10_000, 60, r), monthlyCost(10_000, 10, r)];
  for (const s of scenarios) ctx.log(`workers cost: ${describeScenario(s)}`);
  const info = (figure: string, value: number | null, unit: string, note?: string): Figure => ({ bench: 'workers', figure, value, unit, target: null, pass: null, ...(note ? { note } : {}) });
  const doRequestsPerSecond = m.shards + m.shardUploads / m.seconds;
  const figures: Figure[] = [
    {
      bench: 'workers', figure: `${label}: checks/s at the targets (asked ${m.asked})`, value: round(m.atTargets, 1), unit: '/s', target: '≥ 95 % of asked',
      pass: m.atTargets >= 0.95 * m.asked, note: `${m.seconds.toFixed(0)} s window, ${m.shards} shards, local workerd (wrangler dev); machine load average ${round(m.loadAverage, 1)} on ${os.cpus().length} cores`,
    },
    {
      bench: 'workers', figure: `${label}: scheduling lag p50 / p99`, value: round(m.lagP99, 0), unit: 'ms', target: '< 1000 ms',
      pass: m.lagP99 !== null && m.lagP99 < 1000, note: `p50 ${round(m.lagP50, 0)} ms (result start after its due time on the check's grid)`,
    },
    info(`${label}: results/s recorded in D1`, round(m.recorded, 1), '/s', `${m.d1Results} results; ${m.d1Events} events, ${m.d1StateChanges} state changes in the window`),
    info(`${label}: workerd CPU per check`, round(m.cpuMsPerCheck, 3), 'ms', `${round(m.cores, 2)} cores over ${m.workerdProcesses} workerd processes`),
    info(`${label}: DO requests/s (alarms + uploads)`, round(doRequestsPerSecond, 2), '/s', `${m.shards} alarms/s assumed (1 s each); ${round(m.shardUploads / m.seconds, 2)} uploads/s counted (acknowledged batches)`),
    info(`${label}: D1 rows written per result`, round(r.d1RowsPerResult, 2), '', `result + ${m.d1ResultRowWrites - 1} index row(s), ×2 for its pruning; and ${round(r.d1RowsPerUpload, 2)} per upload (${m.d1Receipts} receipts × ${m.d1ReceiptRowWrites})`),
    info(`${label}: D1 rollup rows per check per minute`, round(r.rollupRowsPerCheck, 2), '', `${m.rollupRows.changed} rows changed by one run, ${m.rollupRows.checks} checks`),
    info(`${label}: shard SQLite rows written per result`, round(r.shardRowsPerResult, 2), '', `${m.shardInserts} inserts, ${m.shardSentUpdates} sent updates, each + index; delete after 1 h assumed alike`),
    info(`${label}: bytes per result (D1 / shard)`, round(r.d1BytesPerResult, 1), 'B', `shard ${round(r.shardBytesPerResult, 1)} B`),
    ...scenarios.flatMap((s) => {
      const node = nodeMachine(s.checks, s.intervalSeconds);
      return [
        info(`cost/month: 10,000 checks every ${s.intervalSeconds} s on Workers`, round(s.totalUsd, 2), 'USD', `${s.shards} shards; largest: ${largest(s)}; D1 holds ${round(s.d1StoredGb, 1)} GB`),
        info(`cost/month: the same on one Node machine`, node.eur, 'EUR', `${NODE_VM.name}; the load is ${round(node.share * 100, 1)} % of the Node host's 10,000 checks/s, ≈ ${round(node.cores, 2)} cores`),
      ];
    }),
  ];
  return { figures, raw: { measured: m, rates: r, scenarios } };
}

function largest(s: ReturnType<typeof monthlyCost>): string {
  const top = [...s.lines].sort((a, b) => b.usd - a.usd).slice(0, 2);
  return top.map((l) => `${l.item.replace(/ \(.*/, '')} $${round(l.usd, 2)}`).join(', ');
}
