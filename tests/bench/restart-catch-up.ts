// Benchmark: restart catch-up (issue 17). A fleet runs until steady, its process ends, and a new
// process starts the monitor on the same file: how many seconds until the rate recorded stays at
// ≥ 90 % of the asked rate, and whether any check went without a first result. The first start
// of the same fleet (every check's first state: events, incidents) is shown beside it.
import type { BenchContext, Figure } from './common.js';
import { forkModule, round } from './common.js';
import type { Targets } from './check-throughput.js';
import type { RestartRequest, RestartResult } from './restart.js';

const TARGET_SECONDS = 10;
const SHARE = 0.9;

/** The first whole second from which every later second of the window records ≥ 90 % of the ask (null: never). */
export function secondsToShare(perSecond: readonly number[], asked: number, share = SHARE): number | null {
  let from: number | null = null;
  // the last second is cut short by the stop, so it is left out
  for (let s = 0; s < perSecond.length - 1; s++) {
    if (perSecond[s]! >= share * asked) from ??= s;
    else from = null;
  }
  return from;
}

async function runChild(request: RestartRequest): Promise<RestartResult> {
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = forkModule('restart.ts', [], ['--max-old-space-size=2048', ...prof]);
  try {
    return (await child.ask<{ result: RestartResult }>({ type: 'run', request }, (request.seconds + 180) * 1000)).result;
  } finally {
    await child.kill();
  }
}

export async function restartCatchUp(ctx: BenchContext, targets: Targets): Promise<{ figures: Figure[]; raw: unknown[] }> {
  const fleets = ctx.quick ? [{ n: 10_000, intervalSeconds: 1 }] : [{ n: 10_000, intervalSeconds: 1 }, { n: 100_000, intervalSeconds: 10 }];
  const figures: Figure[] = [];
  const raw: unknown[] = [];
  for (const { n, intervalSeconds } of fleets) {
    const asked = n / intervalSeconds;
    const seconds = Math.max(30, 3 * intervalSeconds + 10);
    const label = `N=${n.toLocaleString('en')} every ${intervalSeconds} s`;
    ctx.log(`restart catch-up: ${label}, first start`);
    const first = await runChild({ n, intervalSeconds, seconds, ports: targets.ports, tmp: ctx.tmp });
    ctx.log(`restart catch-up: ${label}, restart on the same file`);
    const again = await runChild({ n, intervalSeconds, seconds, ports: targets.ports, tmp: ctx.tmp, file: first.file });
    raw.push({ n, intervalSeconds, asked, first, restart: again });
    const toShare = secondsToShare(again.perSecond, asked);
    const firstToShare = secondsToShare(first.perSecond, asked);
    figures.push({
      bench: 'restart', figure: `restart catch-up: seconds to 90 % of asked rate (${label}, asks ${asked.toLocaleString('en')}/s)`,
      value: toShare, unit: 's', target: `≤ ${TARGET_SECONDS} s, none missed`,
      pass: toShare !== null && toShare <= TARGET_SECONDS && again.missed === 0,
      note: `loading ${round(again.loadMs / 1000, 1)} s; first results missed ${again.missed}; ` +
        `first start of the same fleet: ${firstToShare ?? `not within ${seconds}`} s (loading ${round(first.loadMs / 1000, 1)} s, missed ${first.missed}); ` +
        `per second after restart: ${again.perSecond.slice(0, 12).join(' ')}…`,
    });
  }
  return { figures, raw };
}
