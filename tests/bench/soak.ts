// Benchmark: the soak. History that holds at full rate: a database pre-filled with a long raw
// history, then 10,000 checks every second for minutes across rollups and prunes (soak-run.ts, in
// a child process). BENCH_SOAK_DAYS and BENCH_SOAK_SECONDS size it; --quick shortens it;
// BENCH_SOAK_NO_HOUSEKEEPING=1 runs the same load with housekeeping off, for comparison.
import type { BenchContext, Figure } from './common.js';
import { BENCH_NODE_FLAGS, forkModule, round } from './common.js';
import type { Targets } from './check-throughput.js';
import type { SoakRequest, Stall } from './soak-run.js';

const MIB = 2 ** 20;

export async function soak(ctx: BenchContext, targets: Targets): Promise<{ figures: Figure[]; raw: unknown }> {
  const request: SoakRequest = {
    checks: 10_000,
    prefillDays: Number(process.env.BENCH_SOAK_DAYS ?? (ctx.quick ? 0.05 : 0.5)),
    soakSeconds: Number(process.env.BENCH_SOAK_SECONDS ?? (ctx.quick ? 130 : 330)),
    concurrency: 256,
    ports: targets.ports,
    tmp: ctx.tmp,
  };
  ctx.log(`soak: ${request.prefillDays} day(s) of history at 1,000 checks/s, then ${request.checks} checks every 1 s for ${request.soakSeconds} s`);
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = forkModule('soak-run.ts', [], ['--max-old-space-size=2048', ...prof, ...BENCH_NODE_FLAGS]);
  let r: any;
  try {
    r = (await child.ask({ type: 'run', request }, 3_600_000)).result;
  } finally {
    await child.kill();
  }
  const runs: any[] = r.runs;
  const stat = (f: (run: any) => number) => (runs.length ? { max: Math.max(...runs.map(f)), mean: runs.reduce((n, run) => n + f(run), 0) / runs.length } : { max: null, mean: null });
  const rollup = stat((run) => run.rollupMs);
  const prune = stat((run) => run.pruneMs);
  const label = `${round(r.prefillRows / 1e6, 1)} M rows pre-filled`;
  const traced: Stall[] = r.stalls;
  const stalls = traced.filter((s) => s.ms > 50);
  const during = stalls.filter((s) => s.housekeeping);
  // Which part of a run each stall inside housekeeping fell in (runs are logged with their end).
  const phaseOf = (stall: { at: number }) => {
    const run = runs.find((r) => stall.at <= r.at + 0.1 && stall.at >= r.at - (r.rollupMs + r.pruneMs) / 1000 - 0.1);
    if (!run) return 'between runs';
    const since = stall.at - (run.at - (run.rollupMs + run.pruneMs) / 1000);
    return since <= run.rollupReadMs / 1000 ? 'reading' : since <= run.rollupMs / 1000 ? 'rollup writes' : 'prune';
  };
  const figures: Figure[] = [
    {
      bench: 'soak', figure: `checks/s over ${round(r.elapsed, 0)} s (asked ${r.asked}), ${label}`, value: Math.round(r.achieved), unit: '/s', target: '≥ 95 % of asked',
      pass: r.achieved >= 0.95 * r.asked, note: `slowest second ${r.minSecond}/s, 1st percentile ${r.p1Second}/s`,
    },
    { bench: 'soak', figure: 'event-loop delay p99 / max', value: round(r.loopDelayMaxMs, 1), unit: 'ms', target: 'max < 50 ms', pass: r.loopDelayMaxMs < 50, note: `p99 ${round(r.loopDelayP99Ms, 1)} ms; result batch commit p99 ${round(r.flushP99Ms, 1)} / max ${round(r.flushMaxMs, 1)} ms` },
    {
      bench: 'soak', figure: 'event-loop stalls > 50 ms', value: stalls.length, unit: '', target: null, pass: null,
      note: `${during.length} while housekeeping ran (longest ${during.length ? Math.max(...during.map((s) => s.ms)) : 0} ms; in ${during.map(phaseOf).join(', ') || '—'}), ${stalls.length - during.length} outside it (longest ${Math.max(0, ...stalls.filter((s) => !s.housekeeping).map((s) => s.ms))} ms); ` +
        `the monitor's thread in each (on a CPU, of it GC; waiting for a CPU): ${stalls.map(describeStall).join(', ') || 'none'}`,
    },
    { bench: 'soak', figure: 'event-loop stalls > 25 ms', value: traced.length, unit: '', target: null, pass: null, note: whatHeld(traced) },
    { bench: 'soak', figure: `rollup per run (${runs.length} runs)`, value: round(rollup.max, 0), unit: 'ms', target: null, pass: null, note: `mean ${round(rollup.mean, 0)} ms (wall: reading on the rollup reader thread, writing on the monitor's in ~5 ms chunks with the event loop free three times as long between them) for ${Math.round(stat((run) => run.rolledUpRows).mean ?? 0).toLocaleString('en')} results; longest write chunk (rollup or prune) on the monitor's thread per run: ${runs.map((run) => round(run.longestChunkMs, 0)).join(', ')} ms; the old ts range scan of one minute on this file: ${round(r.legacyScanMs, 0)} ms in one statement` },
    { bench: 'soak', figure: 'prune per run', value: round(prune.max, 0), unit: 'ms', target: null, pass: null, note: `mean ${round(prune.mean, 0)} ms; rows removed per run ${runs.map((run) => run.expiredRows.toLocaleString('en')).join(', ')} (retention ${r.retentionDays} d)` },
    { bench: 'soak', figure: 'database file', value: round(r.endBytes / MIB, 0), unit: 'MiB', target: null, pass: null, note: `${round(r.startBytes / MIB, 0)} MiB after the pre-fill (${round(r.prefillHours, 1)} h at 1,000/s, ${round(r.prefillSeconds, 0)} s to write); growth ${round(r.growthBytesPerMinute / MIB, 1)} MiB/min while pruning; rollups ${round(r.rollupBytesPerRow, 1)} B a row` },
  ];
  const { ratePerSecond, ...rest } = r;
  return { figures, raw: { ...rest, ratePerSecond } };
}

/** "56 ms: 12 on a CPU (GC 0), 40 waiting for one": what held the monitor's thread in a stall. */
function describeStall(stall: Stall): string {
  if (stall.onCpuMs === null || stall.waitingMs === null) return `${stall.ms} ms: GC ${stall.gcMs}`;
  return `${stall.ms} ms: ${stall.onCpuMs} on a CPU (GC ${stall.gcMs}), ${stall.waitingMs} waiting for one`;
}

/** Where the monitor's thread was in all the traced stalls together: on a CPU (GC), waiting for one, or blocked. */
function whatHeld(stalls: Stall[]): string {
  const sum = (f: (s: Stall) => number) => stalls.reduce((n, s) => n + f(s), 0);
  const total = sum((s) => s.ms);
  if (!total) return 'none';
  if (stalls.some((s) => s.onCpuMs === null)) return `${total} ms in all; GC ${sum((s) => s.gcMs)} ms`;
  const share = (ms: number) => `${Math.round((100 * ms) / total)} %`;
  const onCpu = sum((s) => s.onCpuMs!);
  const waiting = sum((s) => s.waitingMs!);
  return `${total} ms in all (${stalls.filter((s) => s.housekeeping).length} while housekeeping ran): the monitor's thread on a CPU ${share(onCpu)} (GC ${share(sum((s) => s.gcMs))}), ` +
    `waiting for a CPU ${share(waiting)}, blocked ${share(Math.max(0, total - onCpu - waiting))}`;
}
