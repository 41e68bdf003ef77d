// The soak, in a process of its own: a database pre-filled with a long raw history (1,000 checks/s
// for `prefillDays`, plus 35 days of hourly and 90 of daily rollups for them), then the real
// LiveMonitor running 10,000 checks every second against the target process for `soakSeconds`,
// with the Node host's history housekeeping on its once-a-minute schedule (rollups, then pruning
// past a retention that the pre-fill's oldest minutes cross). Measures the rate per second,
// event-loop delay, each housekeeping run, and the file's size and growth.
import fs from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { Cron } from 'croner';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { defaultProbeThreads, NodeProbeThreads } from '../../src/hosts/node/probe-threads/pool.js';
import { startHistoryHousekeeper, type HousekeepingRun } from '../../src/hosts/node/history-housekeeping.js';
import { fileBytes, pct, rawClient, seedFleet, serveParent, sleep, tableBytes, tempDatabase } from './common.js';
import type Database from 'better-sqlite3';

export interface SoakRequest {
  checks: number;
  /** Raw history at 1,000 checks/s written before the soak: this many days (the retention) and 2 minutes. */
  prefillDays: number;
  soakSeconds: number;
  concurrency: number;
  ports: number[];
  tmp: string;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const PREFILL_CHECKS = 1_000;
/** The pre-fill reaches this far past the retention window, so the first prune has a backlog. */
const PREFILL_OVERHANG_MS = 2 * 60_000;

/** Raw results for the first 1,000 checks, one a second each, in time order, an hour per statement. */
function prefillResults(client: Database.Database, from: number, until: number, log: (m: string) => void): number {
  const insert = client.prepare(`insert into check_results (check_id, ts, status, latency_ms)
    select k.id, ? + s.i * 1000, case when (k.id + s.i) % 97 = 0 then 2 else 0 end, case when (k.id + s.i) % 97 = 0 then null else 20 + (k.id + s.i) % 50 end
    from (with recursive q(i) as (select 0 union all select i + 1 from q where i < ? - 1) select i from q) s
    cross join (select id from checks order by id limit ${PREFILL_CHECKS}) k`);
  let rows = 0;
  for (let start = from; start < until; start += HOUR) {
    const seconds = Math.min(3600, Math.floor((until - start) / 1000));
    rows += insert.run(start, seconds).changes;
    if ((start - from) % (6 * HOUR) === 0) log(`soak: pre-fill at ${((start - from) / HOUR).toFixed(0)} h, ${rows.toLocaleString('en')} rows`);
  }
  return rows;
}

/** Rollups as months of running would have left them: 35 days hourly and 90 days daily, per check and per asset. */
function prefillRollups(client: Database.Database, now: number): number {
  let rows = 0;
  for (const [granularity, ms, count] of [['hour', HOUR, 35 * 24], ['day', DAY, 90]] as const) {
    for (const subject of [['check', 'id'], ['asset', 'asset_id']] as const) {
      rows += client.prepare(`insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples)
        select '${subject[0]}', k.${subject[1]}, '${granularity}', ? - s.i * ${ms}, ${ms / 1000}, ${ms / 1000 - 40}, 3, ${(ms / 1000) * 44}, ${ms / 1000 - 37}
        from (with recursive q(i) as (select 0 union all select i + 1 from q where i < ${count - 1}) select i from q) s
        cross join (select id, asset_id from checks order by id limit ${PREFILL_CHECKS}) k
        where true on conflict do nothing`).run(Math.floor(now / ms) * ms).changes;
    }
  }
  return rows;
}

/** The old rollup's access path, for comparison: one minute of results found by ts, without a ts index. */
function legacyMinuteScanMs(client: Database.Database, until: number): number {
  const started = performance.now();
  client.prepare('select count(*) from check_results where ts >= ? and ts < ?').get(until - 60_000, until);
  return performance.now() - started;
}

/**
 * The calling thread's time on a CPU and waiting for one, in ms (/proc/thread-self/schedstat; null
 * where there is none). Read every few ms on the monitor's own thread, so through one open file and
 * one buffer: readFileSync (open, stat, read, close and a string) took a tenth of that thread's CPU.
 */
const schedstat = (() => {
  try {
    return { fd: fs.openSync('/proc/thread-self/schedstat', 'r'), buffer: Buffer.alloc(64) };
  } catch {
    return null;
  }
})();
function threadSchedMs(): { onCpu: number; waiting: number } | null {
  if (!schedstat) return null;
  const length = fs.readSync(schedstat.fd, schedstat.buffer, 0, schedstat.buffer.length, 0);
  const [onCpu, waiting] = schedstat.buffer.toString('latin1', 0, length).split(' ').map(Number);
  return { onCpu: onCpu! / 1e6, waiting: waiting! / 1e6 };
}

/** Stalls this long and longer are traced: enough of them to tell what holds the thread. */
const TRACED_STALL_MS = 25;

export interface Stall {
  /** Seconds since the soak began, and the stall's length in ms. */
  at: number;
  ms: number;
  housekeeping: boolean;
  /** Of the stall, the main thread's garbage collection (PerformanceObserver 'gc' entries overlapping it). */
  gcMs: number;
  /**
   * Of the stall, the main thread's time running and its time runnable but waiting for a CPU
   * (schedstat): the rest it was blocked (a lock, a system call). Null where /proc has no schedstat.
   */
  onCpuMs: number | null;
  waitingMs: number | null;
}

/** Turns of the event loop longer than 25 ms (a 5 ms timer that fired late), each with what the thread did in it. */
function traceStalls(t0: number) {
  const seen: Stall[] = [];
  const pauses: Array<{ start: number; end: number }> = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.duration >= 1) pauses.push({ start: entry.startTime, end: entry.startTime + entry.duration });
  });
  gc.observe({ entryTypes: ['gc'] });
  const stallEnds: number[] = [];
  let last = performance.now();
  let lastSched = threadSchedMs();
  const state = {
    housekeeping: false,
    seen,
    stop: () => {
      clearInterval(timer);
      gc.disconnect();
      seen.forEach((stall, i) => {
        const end = stallEnds[i]!;
        const start = end - stall.ms - 5;
        stall.gcMs = Math.round(pauses.reduce((ms, p) => ms + Math.max(0, Math.min(end, p.end) - Math.max(start, p.start)), 0));
      });
    },
  };
  const timer = setInterval(() => {
    const now = performance.now();
    const sched = threadSchedMs();
    if (now - last > 5 + TRACED_STALL_MS) {
      const delta = (key: 'onCpu' | 'waiting') => (sched && lastSched ? Math.round(sched[key] - lastSched[key]) : null);
      seen.push({ at: Math.round((now - t0) / 100) / 10, ms: Math.round(now - last - 5), housekeeping: state.housekeeping, gcMs: 0, onCpuMs: delta('onCpu'), waitingMs: delta('waiting') });
      stallEnds.push(now);
    }
    last = now;
    lastSched = sched;
  }, 5);
  return state;
}

async function soak(req: SoakRequest, log: (m: string) => void) {
  const handle = tempDatabase(req.tmp, 'soak');
  const client = rawClient(handle);
  const url = (assetId: number, i: number) => `http://127.0.0.1:${req.ports[i % req.ports.length]}/t/${assetId}`;
  seedFleet(client, { assets: req.checks, checkUrl: url, intervalSeconds: 1, timeoutMs: 5_000 });

  const retentionDays = req.prefillDays;
  const prefillUntil = Date.now();
  const prefillFrom = prefillUntil - retentionDays * DAY - PREFILL_OVERHANG_MS;
  const prefillStarted = performance.now();
  const prefillRows = prefillResults(client, prefillFrom, prefillUntil, log);
  const rollupRows = prefillRollups(client, prefillUntil);
  // The pre-fill counts as rolled up (its rollups are the synthetic ones above).
  client.prepare(`insert into engine_marks (name, value) values ('rollup_rowid', (select max(rowid) from check_results))
    on conflict (name) do update set value = excluded.value`).run();
  client.pragma('wal_checkpoint(TRUNCATE)');
  const prefillSeconds = (performance.now() - prefillStarted) / 1000;
  const legacyScanMs = legacyMinuteScanMs(client, prefillUntil);
  const startBytes = fileBytes(handle.file);
  log(`soak: pre-filled ${prefillRows.toLocaleString('en')} raw rows (${(startBytes / 2 ** 30).toFixed(2)} GiB) and ${rollupRows.toLocaleString('en')} rollups in ${prefillSeconds.toFixed(0)} s; the old ts scan of one minute took ${legacyScanMs.toFixed(0)} ms`);

  const perSecond = new Map<number, number>();
  const flushMs: number[] = [];
  let counting = false;
  const probes = createNodeProbeRuntime();
  // As the Node host runs by default (cores − 1 probe threads, at least 2).
  const threads = process.env.BENCH_PROBE_THREADS ? Number(process.env.BENCH_PROBE_THREADS) : defaultProbeThreads();
  const live = await LiveMonitor.start({
    db: handle.db,
    probeContext: probes.context,
    probeThreads: threads > 0 ? new NodeProbeThreads({ threads, concurrency: req.concurrency, log: (m) => console.error(`[bench threads] ${m}`) }) : undefined,
    concurrency: req.concurrency,
    onFlush: (records, ms) => {
      if (!counting) return;
      const second = Math.floor(performance.now() / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + records.length);
      flushMs.push(ms);
    },
    log: (m) => console.error(`[bench monitor] ${m}`),
  });
  await sleep(10_000); // past the first interval's burst of state changes

  const runs: Array<HousekeepingRun & { at: number }> = [];
  const housekeeper = startHistoryHousekeeper(handle, { retentionDays, retentionMaxBytes: undefined, log });
  const t0 = performance.now();
  const stalls = traceStalls(t0);
  // As the Node host schedules it (everyMinuteAfterStart): every minute, never overlapping; but from
  // the first minute on, since the monitor is already past its first interval here.
  const cron = new Cron('* * * * *', { protect: true }, async () => {
    if (process.env.BENCH_SOAK_NO_HOUSEKEEPING) return;
    stalls.housekeeping = true;
    const run = await housekeeper.run();
    stalls.housekeeping = false;
    runs.push({ ...run, at: (performance.now() - t0) / 1000 });
    log(`soak: housekeeping at ${((performance.now() - t0) / 1000).toFixed(0)} s: rollup ${run.rolledUpRows.toLocaleString('en')} rows in ${run.rollupMs.toFixed(0)} ms, prune ${run.expiredRows.toLocaleString('en')} rows in ${run.pruneMs.toFixed(0)} ms, longest write chunk ${run.longestChunkMs.toFixed(0)} ms`);
  });
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  // It records the time between its ticks, the resolution included (an idle loop at 10 ms reads ~10 ms): 1 ms keeps that out of the figure.
  loopDelay.enable();
  const resultsBefore = (client.prepare('select max(rowid) as n from check_results').get() as { n: number }).n;
  counting = true;
  const firstSecond = Math.floor(performance.now() / 1000) + 1;
  await sleep(req.soakSeconds * 1000);
  counting = false;
  const lastSecond = Math.floor(performance.now() / 1000) - 1;
  const elapsed = (performance.now() - t0) / 1000;
  loopDelay.disable();
  stalls.stop();
  cron.stop();
  while (cron.isBusy()) await sleep(100);
  await housekeeper.stop();
  await live.stop();
  await probes.close();

  const resultsAfter = (client.prepare('select max(rowid) as n from check_results').get() as { n: number }).n;
  const endBytes = fileBytes(handle.file);
  const rollupCount = (client.prepare('select count(*) as n from rollups').get() as { n: number }).n;
  const rollupBytesPerRow = tableBytes(client, 'rollups') / rollupCount;
  handle.close();
  const rates = Array.from({ length: Math.max(0, lastSecond - firstSecond + 1) }, (_, i) => perSecond.get(firstSecond + i) ?? 0);
  const results = rates.reduce((a, b) => a + b, 0);
  return {
    checks: req.checks,
    asked: req.checks,
    achieved: results / rates.length,
    ratePerSecond: rates,
    minSecond: Math.min(...rates),
    p1Second: pct(rates, 1),
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    flushP99Ms: pct(flushMs, 99),
    flushMaxMs: flushMs.length ? Math.max(...flushMs) : null,
    runs,
    stalls: stalls.seen,
    prefillRows,
    prefillHours: (prefillUntil - prefillFrom) / HOUR,
    prefillSeconds,
    rollupRows,
    rollupBytesPerRow,
    retentionDays,
    legacyScanMs,
    startBytes,
    endBytes,
    growthBytesPerMinute: ((endBytes - startBytes) / elapsed) * 60,
    rowsWritten: resultsAfter - resultsBefore,
    elapsed,
  };
}

serveParent(async (message) => {
  if (message.type === 'run') return { result: await soak(message.request as SoakRequest, (m) => console.error(`[soak] ${m}`)) };
});
