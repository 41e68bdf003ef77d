// Benchmarks 1 and 3: check throughput at several fleet sizes, and alert latency under the
// 10k checks/s load. Each size runs in a fresh child process against the shared target process.
import { defaultProbeThreads } from '../../src/hosts/node/probe-threads/pool.js';
import type { BenchContext, Child, Figure } from './common.js';
import { BENCH_NODE_FLAGS, forkModule, pct, round } from './common.js';
import type { ThroughputRequest } from './throughput.js';

const MAX_ASKED_PER_SECOND = 10_000;
/**
 * Capacity: a fleet asking more than the machine can do (every check every second), so the
 * achieved rate is the monitor's ceiling, set beside the bare undici loop's. At the sizes above
 * the achieved rate is capped by the ask (10,000/s), which says nothing about the ratio.
 */
const SATURATION_CHECKS = 40_000;
/**
 * Memory per configured check with every probe on the monitor's thread (README, 25 Nov): issue 22's
 * bound. Reported then as 783 B (JS heap 735 B + external 48 B), but that sum counted the ArrayBuffers
 * twice (Node's `external` already includes `arrayBuffers`): they were the three id indexes' 24 B.
 */
const MEMORY_BEFORE_THREADS = 759;
/** As the Node host runs by default (COOPWATCH_PROBE_THREADS unset): cores − 1, at least 2. */
const PROBE_THREADS = process.env.BENCH_PROBE_THREADS ? Number(process.env.BENCH_PROBE_THREADS) : defaultProbeThreads();

export interface Targets {
  ports: number[];
  receiverPort: number;
}

export async function startTargets(): Promise<{ child: Child; targets: Targets }> {
  const child = forkModule('targets.ts');
  const targets = await child.ask<Targets>({ type: 'start', count: 4 }, 60_000);
  return { child, targets: { ports: targets.ports, receiverPort: targets.receiverPort } };
}

export async function checkThroughput(ctx: BenchContext, targets: Targets): Promise<{ figures: Figure[]; raw: unknown[] }> {
  const sizes = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : ctx.quick ? [1_000, 10_000] : [1_000, 10_000, 50_000, 100_000];
  const measureSeconds = ctx.quick ? 8 : 20;
  const failureThreshold = 3;
  const raw: any[] = [];
  const figures: Figure[] = [];
  const runs = [
    ...sizes.map((n) => ({ n, saturate: false, hog: false })),
    { n: SATURATION_CHECKS, saturate: true, hog: false },
    // The 10,000/s ask again, with a busy loop in another process taking a core's worth of CPU.
    ...(sizes.includes(MAX_ASKED_PER_SECOND) ? [{ n: MAX_ASKED_PER_SECOND, saturate: false, hog: true }] : []),
  ];
  for (const { n, saturate, hog } of runs) {
    // The shortest whole-second interval that asks no more than 10,000 checks/s (saturating: 1 s).
    const intervalSeconds = saturate ? 1 : Math.max(1, Math.ceil(n / MAX_ASKED_PER_SECOND));
    const request: ThroughputRequest = {
      n,
      intervalSeconds,
      // Past the first interval (every check's first result confirms a state: a burst of writes) and the backlog it leaves.
      warmSeconds: 2 * intervalSeconds + 4,
      measureSeconds,
      ceilingSeconds: ctx.quick ? 3 : 5,
      concurrency: 256,
      ports: targets.ports,
      receiverPort: targets.receiverPort,
      tmp: ctx.tmp,
      failureThreshold,
      probeThreads: PROBE_THREADS,
      ...(n === 10_000 && !saturate ? { alerts: ctx.quick ? 8 : 20 } : {}),
    };
    ctx.log(`check throughput: ${n} checks every ${intervalSeconds} s (asks ${n / intervalSeconds}/s), ${measureSeconds} s window${hog ? ', beside a CPU hog' : ''}`);
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const hogChild = hog ? forkModule('cpu-hog.ts') : null;
    const spinning = hogChild?.ask({ type: 'spin', seconds: request.warmSeconds + measureSeconds + 30 }, 300_000).catch(() => undefined);
    const child = forkModule('throughput.ts', [], ['--expose-gc', '--max-old-space-size=2048', ...prof, ...BENCH_NODE_FLAGS]);
    const started = Date.now();
    try {
      const { result } = await child.ask({ type: 'run', request: hog ? { ...request, alerts: undefined } : request }, (measureSeconds + 120) * 1000 + n);
      raw.push({ ...result, saturate, hog, wallSeconds: (Date.now() - started) / 1000 });
    } catch (err) {
      ctx.log(`check throughput at N=${n} failed: ${err instanceof Error ? err.message : String(err)}`);
      raw.push({ n, saturate, hog, error: String(err) });
    } finally {
      await child.kill();
      await hogChild?.kill();
      await spinning;
    }
  }

  const ok = raw.filter((r) => !r.error && !r.saturate && !r.hog);
  for (const r of [...raw]) {
    const label = `N=${r.n.toLocaleString('en')}`;
    if (r.hog && !r.error) {
      figures.push({
        bench: 'checks', figure: `${label} beside a CPU hog: checks/s (asked ${Math.round(r.asked)})`, value: Math.round(r.achieved), unit: '/s', target: '≥ 97 % of asked',
        pass: r.achieved >= 0.97 * r.asked, note: `a busy loop in another process; lag p50 ${round(r.lagP50, 0)} / p99 ${round(r.lagP99, 0)} ms; CPU ${round(r.cpuMsPerCheck, 3)} ms per check`,
      });
      continue;
    }
    if (r.error) {
      figures.push({ bench: 'checks', figure: `${label}: run failed`, value: null, unit: '', target: null, pass: false, note: r.error.slice(0, 120) });
      continue;
    }
    const ratio = r.achieved / r.ceiling;
    if (r.saturate) {
      figures.push({
        bench: 'checks', figure: `capacity: ${label} every 1 s (asked ${Math.round(r.asked)}/s): checks/s`, value: Math.round(r.achieved), unit: '/s',
        target: '≥ 1.0× bare', pass: ratio >= 1, ceiling: Math.round(r.ceiling), ratio: round(ratio, 2),
        note: `asked more than the machine can do, so lag grows (p50 ${round(r.lagP50, 0)} ms): the rate is the ceiling; CPU ${round(r.cpuMsPerCheck, 3)} ms per check`,
      });
      continue;
    }
    const kept = r.achieved >= 0.95 * r.asked;
    figures.push({
      bench: 'checks', figure: `${label}: checks/s (asked ${Math.round(r.asked)})`, value: Math.round(r.achieved), unit: '/s',
      target: r.asked >= MAX_ASKED_PER_SECOND ? '≥ 10000 (ratio: capacity row)' : '≥ 95 % of asked',
      // The ask, not the machine, limits the rate here: keeping up is the test; the capacity row
      // measures the ratio to the bare ceiling.
      pass: r.asked >= MAX_ASKED_PER_SECOND ? r.achieved >= MAX_ASKED_PER_SECOND * 0.98 : kept,
      ceiling: Math.round(r.ceiling), ratio: round(ratio, 2),
    });
    figures.push({ bench: 'checks', figure: `${label}: scheduling lag p50 / p99`, value: round(r.lagP99, 0), unit: 'ms', target: '< 250 ms', pass: r.lagP99 !== null && r.lagP99 < 250, note: `p50 ${round(r.lagP50, 0)} ms; the monitor thread's event-loop delay p99 ${round(r.loopP99, 0)} / max ${round(r.loopMax, 0)} ms` });
    // Issue 22's bound is for the 10,000 checks/s load; a fleet asking less spreads the monitor's
    // costs per second (timers, the metrics' sampler, WAL checkpoints) over fewer checks.
    const fullAsk = r.asked >= MAX_ASKED_PER_SECOND;
    const bySlice: number[] = r.cpuMsPerCheckBySlice;
    const cpu = bySlice.length ? pct(bySlice, 50) : r.cpuMsPerCheck;
    const cpuNote = [
      bySlice.length ? `median of ${bySlice.length} consecutive slices of the window (${bySlice.map((x) => round(x, 3)).join(', ')}); the whole window ${round(r.cpuMsPerCheck, 3)}` : `the whole window`,
      `${round(r.cpuCores, 2)} cores`,
      `${r.probeThreads} probe thread${r.probeThreads === 1 ? '' : 's'}`,
      ...(Number.isFinite(r.ceilingCpuMs) ? [`the bare request() loop after it: ${round(r.ceilingCpuMs, 3)} ms a request`] : []),
    ].join('; ');
    figures.push({
      bench: 'checks', figure: `${label}: CPU per check (all threads)`, value: round(cpu, 3), unit: 'ms',
      target: fullAsk ? '≤ 0.06 ms' : null, pass: fullAsk ? cpu !== null && cpu <= 0.06 : null,
      note: fullAsk ? cpuNote : `${cpuNote}; at ${Math.round(r.asked)} checks/s the costs per second fall on fewer checks (the bound is for 10,000/s)`,
    });
    figures.push({ bench: 'checks', figure: `${label}: RSS`, value: round(r.rssDuring / 2 ** 20, 0), unit: 'MiB', target: null, pass: null, note: `before monitor ${round(r.rssBase / 2 ** 20, 0)} MiB; heap +${round((r.heapLoaded - r.heapBase) / 2 ** 20, 1)} MiB loaded` });
    figures.push({ bench: 'checks', figure: `${label}: raw result bytes per check`, value: round(r.resultBytesPerRow, 1), unit: 'B', target: '≤ 64 B', pass: r.resultBytesPerRow !== null && r.resultBytesPerRow <= 64, note: `file growth ${round(r.fileBytesPerResult, 1)} B per result (events, WAL included)` });
  }
  // Memory per configured check: the slope of what the monitor and scheduler hold, loaded with the
  // smallest and the largest fleet, each in a fresh process with nothing running (JS heap and
  // external memory after full GCs). RSS is shown beside it but is not the measure: it carries V8's
  // reserved-but-unused pages, SQLite's page cache and malloc arenas, and in the throughput runs
  // it also grows with the check rate (1k/s at N=1,000 against 10k/s at N=10,000), not only with
  // the number of checks configured.
  if (sizes.length >= 2) {
    const memory: any[] = [];
    for (const n of [sizes[0]!, sizes[sizes.length - 1]!]) {
      const child = forkModule('monitor-memory.ts', [], ['--expose-gc', '--max-old-space-size=2048']);
      try {
        memory.push((await child.ask({ type: 'run', n, tmp: ctx.tmp, threads: PROBE_THREADS }, 120_000 + n)).result);
      } catch (err) {
        ctx.log(`memory at N=${n} failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        await child.kill();
      }
    }
    raw.push({ memory });
    if (memory.length === 2) {
      const [small, large] = memory;
      const slope = (f: (m: any) => number) => (f(large) - f(small)) / (large.n - small.n);
      const perCheck = slope((m) => m.heap + m.external);
      const notes = [`JS heap ${round(slope((m) => m.heap), 0)} B (of which probe threads ${round(slope((m) => m.threadHeap), 0)} B) + external ${round(slope((m) => m.external), 0)} B; RSS slope ${round(slope((m) => m.rss), 0)} B`];
      // The running monitor, for comparison: RSS between two sizes asking the same rate, if there are two.
      const sameRate = ok.filter((r) => r.asked === ok[ok.length - 1].asked);
      if (sameRate.length >= 2) {
        const a = sameRate[0];
        const b = sameRate[sameRate.length - 1];
        notes.push(`while running at ${Math.round(a.asked)}/s, N=${a.n}→${b.n}: RSS slope ${round((b.rssDuring - b.rssBase - (a.rssDuring - a.rssBase)) / (b.n - a.n), 0)} B, heap ${round((b.heapDuring - a.heapDuring) / (b.n - a.n), 0)} B`);
      }
      figures.push({
        bench: 'checks', figure: `memory per configured check (N=${small.n}→${large.n}, loaded, idle; ${PROBE_THREADS} probe thread${PROBE_THREADS === 1 ? '' : 's'})`, value: round(perCheck, 0), unit: 'B',
        target: '≤ 759 B (783 B before probe threads, external counted once)', pass: perCheck <= MEMORY_BEFORE_THREADS, note: notes.join('; '),
      });
    }
  }
  const alertRun = ok.find((r) => r.alerts);
  if (alertRun) {
    const a = alertRun.alerts;
    figures.push({
      bench: 'alerts', figure: `alert latency beyond threshold p50 / p99 (${a.delivered}/${a.faults} at N=${alertRun.n})`, value: round(a.p99, 0), unit: 'ms', target: '< 1000 ms',
      pass: a.p99 !== null && a.p99 < 1000 && a.missing === 0, note: `p50 ${round(a.p50, 0)} ms; fault→webhook p50 ${round(a.fromFaultP50, 0)} / p99 ${round(a.fromFaultP99, 0)} ms (threshold ${failureThreshold} × ${alertRun.n / alertRun.asked} s); missing ${a.missing}`,
    });
  }
  if (!ctx.quick && !ok.some((r) => r.n === 100_000)) {
    figures.push({ bench: 'checks', figure: 'N=100,000', value: null, unit: '', target: null, pass: null, note: 'not reached within the bounds of this run' });
  }
  return { figures, raw };
}
