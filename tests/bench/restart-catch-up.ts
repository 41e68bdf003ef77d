// Benchmark: restart catch-up (issue 17). The service (src/hosts/node/main.ts, as `npm start`
// runs it, demo fleet off) is started on a database holding N HTTP checks: once on a fleet that
// never ran (every check's first state: events, incidents) and once on the same fleet after it
// ran for a while and stopped (a restart). From the moment it says "listening", the results it
// stores are counted per second of their probe's start, read back from the file afterwards: how
// many seconds until the rate (secondsToShare) stays at ≥ 90 % of the asked rate, and which checks
// had no result at all in the window. The service is started as the reliability tests start it.
import { FIRST_RUN_AFTER_START_MS } from '../../src/hosts/node/history-housekeeping.js';
import Database from 'better-sqlite3';
import type { BenchContext, Figure } from './common.js';
import { forkModule, round, sleep } from './common.js';
import { startService } from '../reliability/faults/harness.js';
import type { Targets } from './check-throughput.js';
import type { PrepareRequest } from './restart.js';

const TARGET_SECONDS = 10;
const SHARE = 0.9;

/** Seconds averaged: results are written in batches, so one second's count swings ±20 % with where a flush falls. */
const SMOOTHING_SECONDS = 3;

/**
 * The first whole second from which the rate, averaged over that second and the two before it,
 * stays ≥ share × asked to the end of the window (null: never).
 */
export function secondsToShare(perSecond: readonly number[], asked: number, share = SHARE): number | null {
  let from: number | null = null;
  for (let s = 0; s < perSecond.length; s++) {
    const window = perSecond.slice(Math.max(0, s - SMOOTHING_SECONDS + 1), s + 1);
    const rate = window.reduce((a, b) => a + b, 0) / SMOOTHING_SECONDS;
    if (rate >= share * asked) from ??= s;
    else from = null;
  }
  return from;
}

async function prepare(request: PrepareRequest): Promise<string> {
  const child = forkModule('restart.ts', [], ['--max-old-space-size=2048']);
  try {
    return (await child.ask<{ file: string }>({ type: 'prepare', request }, (request.runSeconds + 300) * 1000)).file;
  } finally {
    await child.kill();
  }
}

interface ServiceRun {
  /** Results stored per whole second after "listening", by their probe's start. */
  perSecond: number[];
  missed: number;
  /** From spawning the process to its "listening" line. */
  startupMs: number;
  /** Seconds after "listening" at which housekeeping runs: each minute's start, once its first minute is over (history-housekeeping.ts; counted from "listening", its start is up to the startup time earlier). */
  housekeepingAt: number[];
}

/** Runs the service on `file` for `seconds` after it listens, stops it, and reads what it stored. */
async function runService(file: string, seconds: number): Promise<ServiceRun> {
  const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const spawnedAt = Date.now();
  const service = await startService({ NODE_ENV: 'production', COOPWATCH_DB: file }, { execArgv });
  const { listeningAt } = service;
  await sleep(seconds * 1000 - (Date.now() - listeningAt) + 1_000);
  await service.stop();
  const db = new Database(file, { readonly: true });
  try {
    const perSecond = new Array<number>(seconds).fill(0);
    const rows = db.prepare('select cast((ts - ?) / 1000 as integer) as s, count(*) as n from check_results where ts >= ? group by 1').all(listeningAt, listeningAt) as Array<{ s: number; n: number }>;
    for (const { s, n } of rows) if (s < seconds) perSecond[s] = n;
    const { missed } = db.prepare(
      // one pass over the window's results (check_results has no index by check)
      'select count(*) as missed from checks c where c.enabled = 1 and c.id not in (select check_id from check_results where ts >= ? and ts < ?)',
    ).get(listeningAt, listeningAt + seconds * 1000) as { missed: number };
    const housekeepingAt: number[] = [];
    const firstRun = Math.ceil((listeningAt + FIRST_RUN_AFTER_START_MS) / 60_000) * 60_000;
    for (let t = firstRun; t < listeningAt + seconds * 1000; t += 60_000) housekeepingAt.push(Math.floor((t - listeningAt) / 1000));
    return { perSecond, missed, startupMs: listeningAt - spawnedAt, housekeepingAt };
  } finally {
    db.close();
  }
}

export async function restartCatchUp(ctx: BenchContext, targets: Targets): Promise<{ figures: Figure[]; raw: unknown[] }> {
  const sizes = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : ctx.quick ? [10_000] : [10_000, 100_000];
  // Each asks 10,000 checks/s, as the throughput rows do.
  const fleets = sizes.map((n) => ({ n, intervalSeconds: Math.max(1, Math.ceil(n / 10_000)) }));
  const figures: Figure[] = [];
  const raw: unknown[] = [];
  for (const { n, intervalSeconds } of fleets) {
    const asked = n / intervalSeconds;
    // Long enough to show the steady rate after the catch-up, and to pass a minute boundary (housekeeping).
    const seconds = Math.max(40, 3 * intervalSeconds + 20);
    const label = `N=${n.toLocaleString('en')} every ${intervalSeconds} s`;
    const request = { n, intervalSeconds, ports: targets.ports, tmp: ctx.tmp };
    ctx.log(`restart catch-up: ${label}, first start`);
    const first = await runService(await prepare({ ...request, runSeconds: 0 }), seconds);
    ctx.log(`restart catch-up: ${label}, restart after ${3 * intervalSeconds + 10} s of running`);
    const restart = await runService(await prepare({ ...request, runSeconds: 3 * intervalSeconds + 10 }), seconds);
    raw.push({ n, intervalSeconds, asked, first, restart });
    const steady = (run: ServiceRun) => run.perSecond.slice(-10).reduce((a, b) => a + b, 0) / 10;
    const toShare = secondsToShare(restart.perSecond, asked);
    // The same measure against the run's own steady rate: the catch-up, apart from what the machine can do.
    const toOwn = (run: ServiceRun) => secondsToShare(run.perSecond, steady(run));
    figures.push({
      bench: 'restart', figure: `restart catch-up: seconds to 90 % of asked rate (${label}, asks ${asked.toLocaleString('en')}/s)`,
      value: toShare, unit: 's', target: `≤ ${TARGET_SECONDS} s, none missed`,
      pass: toShare !== null && toShare <= TARGET_SECONDS && restart.missed === 0,
      note: `to listening ${round(restart.startupMs / 1000, 1)} s; missed ${restart.missed}; steady (last 10 s) ${Math.round(steady(restart))}/s, ` +
        `90 % of it from ${toOwn(restart) ?? '—'} s; first start of the fleet: 90 % of asked from ${secondsToShare(first.perSecond, asked) ?? '—'} s, ` +
        `missed ${first.missed}, steady ${Math.round(steady(first))}/s, 90 % of it from ${toOwn(first) ?? '—'} s; ` +
        `housekeeping began at second ${restart.housekeepingAt.join(', ') || '—'} (restart), ${first.housekeepingAt.join(', ') || '—'} (first start)`,
    });
  }
  return { figures, raw };
}
