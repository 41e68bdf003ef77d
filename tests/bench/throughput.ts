// Check throughput (and, when asked, alert latency under that load), in a process of its own so
// its CPU time and memory are its own. Steps: seed N assets with one HTTP check each against the
// target process; measure the ceiling (a bare undici request() loop over the same URLs); start the
// real LiveMonitor (scheduler, probes, state, batched writes) and measure a window of it.
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { WebhookDispatcher } from '../../src/core/outbox/dispatcher.js';
import { createWebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { SYSTEM_ACTOR } from '../../src/core/domain/roles.js';
import { createNodeMetrics } from '../../src/hosts/node/metrics.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { NodeProbeThreads } from '../../src/hosts/node/probe-threads/pool.js';
import { createWebhook } from '../../src/core/services/webhooks.js';
import { cpuSince, fileBytes, pct, rawClient, seedFleet, serveParent, sleep, tableBytes, tempDatabase } from './common.js';

export interface ThroughputRequest {
  n: number;
  intervalSeconds: number;
  warmSeconds: number;
  measureSeconds: number;
  ceilingSeconds: number;
  concurrency: number;
  ports: number[];
  receiverPort: number;
  tmp: string;
  /** Fail this many assets, staggered through the window, and time their webhooks. */
  alerts?: number;
  failureThreshold: number;
  /** Probe threads beside the monitor's (0: probes on the monitor's thread, as before issue 22). */
  probeThreads: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const rss = () => {
  gc?.();
  return process.memoryUsage();
};

/** Requests a second of a bare request() loop, and the process's CPU per request in it. */
async function bareCeiling(urls: string[], seconds: number, concurrency: number): Promise<{ rate: number; cpuMs: number }> {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 4_000 });
  let done = 0;
  let next = 0;
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const url = urls[next++ % urls.length]!;
      const res = await request(url, { dispatcher: agent });
      await res.body.text();
      done++;
    }
  };
  // A short warm-up, then the measured run.
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpuMs = cpuSince(cpu);
  const elapsed = (performance.now() - started) / 1000;
  await agent.close();
  return { rate: done / elapsed, cpuMs: cpuMs / done };
}

/** Profiles the measured window only (BENCH_WINDOW_PROF=dir), through the inspector. */
async function startProfiler() {
  const { Session } = await import('node:inspector');
  const fs = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await post('Profiler.stop');
      fs.mkdirSync(process.env.BENCH_WINDOW_PROF!, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function run(req: ThroughputRequest) {
  const handle = tempDatabase(req.tmp, `throughput-${req.n}`);
  const client = rawClient(handle);
  const url = (assetId: number, i: number) => `http://127.0.0.1:${req.ports[i % req.ports.length]}/t/${assetId}`;
  const { assetIds } = seedFleet(client, { assets: req.n, checkUrl: url, intervalSeconds: req.intervalSeconds, timeoutMs: 5_000, failureThreshold: req.failureThreshold });
  const urls = assetIds.slice(0, Math.min(assetIds.length, 10_000)).map((id, i) => url(id, i));

  // Fixed-size buffers for the measurements are allocated before the base is taken.
  const lags = new Float64Array(Math.ceil(Math.min(req.n / req.intervalSeconds, 20_000) * (req.measureSeconds + 5)));
  let lagCount = 0;
  const flushMs: number[] = [];
  const base = rss();

  let secret: string | null = null;
  let dispatcherLoop: { stop(): Promise<void> } | null = null;
  let sender: ReturnType<typeof createWebhookSender> | null = null;
  const ctx = { db: handle.db, actor: SYSTEM_ACTOR, now: Date.now };
  if (req.alerts) {
    const hook = await createWebhook(ctx, { url: `http://127.0.0.1:${req.receiverPort}/hook`, events: ['asset.down'], format: 'standard', includeDrills: false, enabled: true, filters: { assetIds: [], functionIds: [], tags: [], minSeverity: 'info' } }, { allowPrivate: true });
    secret = hook.secret;
    await fetch(`http://127.0.0.1:${req.receiverPort}/__secret/${encodeURIComponent(secret)}`);
    sender = createWebhookSender({ allowPrivate: true, timeoutMs: 10_000 });
    const dispatcher = new WebhookDispatcher({ db: handle.db, send: sender.send, concurrency: 16 });
    // The Node runtime's outbox loop: fan out, then deliver, every 250 ms (src/hosts/node/main.ts).
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        try {
          await dispatcher.fanOut();
          await dispatcher.deliverDue();
        } catch {
          /* counted by the missing deliveries */
        }
        await sleep(250);
      }
    })();
    dispatcherLoop = { stop: async () => { stopped = true; await loop; } };
  }

  let counting = false;
  let results = 0;
  const slices = new CpuSlices((req.measureSeconds - 0.5) / CPU_SLICES); // five whole slices fit before the window closes
  const probes = createNodeProbeRuntime();
  const probeThreads = req.probeThreads > 0 ? new NodeProbeThreads({ threads: req.probeThreads, concurrency: req.concurrency, log: (m) => console.error(`[bench threads] ${m}`) }) : undefined;
  // The service's own metrics, as `npm start` runs them: their per-result counters and histograms
  // are part of a check's cost, and their event-loop sampler gives the loop-delay figures below.
  const metrics = createNodeMetrics();
  const live = await LiveMonitor.start({
    db: handle.db,
    probeContext: probes.context,
    probeThreads,
    concurrency: req.concurrency,
    onStart: (lag) => {
      metrics.hooks.onStart?.(lag);
      if (counting && lagCount < lags.length) lags[lagCount++] = lag;
    },
    onFlush: (records, ms) => {
      metrics.hooks.onFlush?.(records, ms);
      if (counting) {
        results += records.length;
        flushMs.push(ms);
        slices.mark(results);
      }
    },
    log: (m) => console.error(`[bench monitor] ${m}`),
  });
  const loaded = rss();
  await sleep(req.warmSeconds * 1000);

  client.pragma('wal_checkpoint(TRUNCATE)');
  const resultsBefore = (client.prepare('select count(*) as n from check_results').get() as { n: number }).n;
  const fileBefore = fileBytes(handle.file);
  const profiler = process.env.BENCH_WINDOW_PROF ? await startProfiler() : null;
  await metrics.exposition(); // starts the event-loop sampler's histogram afresh for the window
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  slices.begin();
  counting = true;

  // Faults for the alert timing, staggered through the first 60 % of the window.
  const faults: Array<{ assetId: number; at: number }> = [];
  const faultTimers: NodeJS.Timeout[] = [];
  if (req.alerts) {
    for (let k = 0; k < req.alerts; k++) {
      const assetId = assetIds[Math.floor(((k + 0.5) / req.alerts) * assetIds.length)]!;
      faultTimers.push(setTimeout(async () => {
        const res = await fetch(`http://127.0.0.1:${req.ports[0]}/__fail/${assetId}`);
        const { at } = (await res.json()) as { at: number };
        faults.push({ assetId, at });
      }, (k / req.alerts) * req.measureSeconds * 600));
    }
  }

  await sleep(req.measureSeconds * 1000);
  counting = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpuMs = cpuSince(cpu0);
  const loopDelay = eventLoopDelay((await metrics.exposition()).body);
  if (profiler) await profiler.stop(`${process.env.BENCH_WINDOW_PROF}/window-${req.n}-${Date.now()}.cpuprofile`);
  const during = rss();
  const stats = { flushes: flushMs.length, flushP99: pct(flushMs, 99), inFlight: live.probesInFlight };

  // Alerts: let the outbox finish what is due, then compare.
  let alerts: unknown = null;
  if (req.alerts) {
    await sleep(Math.max(2_000, req.failureThreshold * req.intervalSeconds * 1000 + 1_500));
    const deliveries = (await (await fetch(`http://127.0.0.1:${req.receiverPort}/__deliveries`)).json()) as Array<{ at: number; type: string; assetKey: string | null; verified: boolean }>;
    const samples: Array<{ beyondThresholdMs: number; fromFaultMs: number }> = [];
    let missing = 0;
    for (const fault of faults) {
      const key = `bench-asset-${assetIds.indexOf(fault.assetId)}`;
      const arrival = deliveries.find((d) => d.type === 'asset.down' && d.assetKey === key && d.verified);
      // The failing result that reached the threshold: when its probe ended is when the alert was due.
      const failures = client
        .prepare(`select r.ts, r.latency_ms as latency from check_results r join checks c on c.id = r.check_id where c.asset_id = ? and r.status = 2 and r.ts >= ? order by r.ts limit ?`)
        .all(fault.assetId, fault.at - 50, req.failureThreshold) as Array<{ ts: number; latency: number | null }>;
      const threshold = failures[req.failureThreshold - 1];
      if (!arrival || !threshold) {
        missing++;
        continue;
      }
      samples.push({ beyondThresholdMs: arrival.at - (threshold.ts + (threshold.latency ?? 0)), fromFaultMs: arrival.at - fault.at });
    }
    alerts = {
      faults: faults.length,
      delivered: samples.length,
      missing,
      unverified: deliveries.filter((d) => !d.verified).length,
      p50: pct(samples.map((s) => s.beyondThresholdMs), 50),
      p99: pct(samples.map((s) => s.beyondThresholdMs), 99),
      fromFaultP50: pct(samples.map((s) => s.fromFaultMs), 50),
      fromFaultP99: pct(samples.map((s) => s.fromFaultMs), 99),
    };
    await fetch(`http://127.0.0.1:${req.ports[0]}/__heal/${faults.map((f) => f.assetId).join(',')}`);
  }
  for (const t of faultTimers) clearTimeout(t);

  await live.stop();
  await dispatcherLoop?.stop();
  await sender?.close?.();
  await probes.close();

  client.pragma('wal_checkpoint(TRUNCATE)');
  const resultsAfter = (client.prepare('select count(*) as n from check_results').get() as { n: number }).n;
  const resultBytes = tableBytes(client, 'check_results');
  const fileAfter = fileBytes(handle.file);
  handle.close();

  // The ceiling last, on the same (now quiet) process, so the monitor's memory figures are its own.
  let ceiling = { rate: NaN, cpuMs: NaN };
  if (!process.env.BENCH_NO_CEILING) {
    await bareCeiling(urls, 1, req.concurrency);
    ceiling = await bareCeiling(urls, req.ceilingSeconds, req.concurrency);
  }

  return {
    n: req.n,
    probeThreads: req.probeThreads,
    asked: req.n / req.intervalSeconds,
    achieved: results / elapsed,
    ceiling: ceiling.rate,
    /** The bare loop's CPU per request: how fast the machine ran HTTP just after the window. */
    ceilingCpuMs: ceiling.cpuMs,
    lagP50: pct(lags.subarray(0, lagCount), 50),
    lagP99: pct(lags.subarray(0, lagCount), 99),
    /** The monitor's thread (state, SQLite): event-loop delay during the window, ms. */
    loopP99: loopDelay.p99,
    loopMax: loopDelay.max,
    cpuMsPerCheck: results ? cpuMs / results : null,
    cpuMsPerCheckBySlice: slices.msPerCheck,
    cpuCores: cpuMs / 1000 / elapsed,
    rssBase: base.rss,
    rssLoaded: loaded.rss,
    rssDuring: during.rss,
    heapBase: base.heapUsed,
    heapLoaded: loaded.heapUsed,
    heapDuring: during.heapUsed,
    resultBytesPerRow: resultsAfter ? resultBytes / resultsAfter : null,
    fileBytesPerResult: resultsAfter - resultsBefore > 0 ? (fileAfter - fileBefore) / (resultsAfter - resultsBefore) : null,
    resultsStored: resultsAfter,
    ...stats,
    alerts,
  };
}

/** The window is measured in this many consecutive slices as well as whole. */
const CPU_SLICES = 5;

/**
 * CPU per check in consecutive slices of the window. This machine's speed changes from second to
 * second (a fixed busy loop took 392 to 553 ms of CPU in six runs a few seconds apart, README,
 * Benchmarks), so one figure for a whole window carries whatever spell fell in it; the slices
 * show the spread, and their median is the figure. A slice ends at the first flush after its
 * time is up, so the CPU and the results counted in it belong together.
 */
class CpuSlices {
  readonly msPerCheck: number[] = [];
  private cpu = process.cpuUsage();
  private results = 0;
  private endsAt = Infinity;

  constructor(private readonly seconds: number) {}

  begin(): void {
    this.cpu = process.cpuUsage();
    this.results = 0;
    this.endsAt = performance.now() + this.seconds * 1000;
  }

  /** At a flush: `results`, the window's count so far. */
  mark(results: number): void {
    if (performance.now() < this.endsAt) return;
    const checks = results - this.results;
    if (checks > 0) this.msPerCheck.push(cpuSince(this.cpu) / checks);
    this.cpu = process.cpuUsage();
    this.results = results;
    this.endsAt += this.seconds * 1000;
  }
}

/**
 * The monitor thread's event-loop delay in the window, ms, from the service's own sampler
 * (prom-client's default metrics: Node's monitorEventLoopDelay every 10 ms). That records the time
 * between its ticks, the 10 ms included, so the interval is taken off. The bench once ran a sampler
 * of its own every 1 ms instead, which the service does not: its thousand wake-ups a second cost the
 * process about 0.005 ms of CPU per check at 10,000 checks/s (README, Benchmarks).
 */
function eventLoopDelay(exposition: string): { p99: number; max: number } {
  const seconds = (name: string) => Number(new RegExp(`^coopwatch_process_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(exposition)?.[1] ?? NaN);
  const beyondTick = (s: number) => Math.max(0, s * 1000 - PROM_CLIENT_LOOP_SAMPLE_MS);
  return { p99: beyondTick(seconds('p99')), max: beyondTick(seconds('max')) };
}
/** prom-client's `eventLoopMonitoringPrecision` default, which the service keeps. */
const PROM_CLIENT_LOOP_SAMPLE_MS = 10;

serveParent(async (message) => {
  if (message.type === 'run') return { result: await run(message.request as ThroughputRequest) };
});
