// What the monitor's result commits cost as the service commits them: N checks every N/10,000
// seconds, results planned by the real Monitor and committed every 100 ms in batches of 1,000 on a
// real SQLite file, in real time (no probes). Prints the CPU of the first interval's planning and commits (every
// check's first state: a start on a fleet that never ran) and, past the first two intervals, each
// commit's CPU and wall time and the WAL pages a commit writes.
//   node --import tsx tests/bench/commit-batches.ts [checks=100000] [seconds=35] [order] [checkpoints] [cache]
// order: `due` (the checks that come due together, as the scheduler hands them over) or
// `random` (ids in no order: what the check_latest layout before migration 0020 saw).
// checkpoints: `thread` (wal-checkpointer.ts, as the service runs), `commits` (SQLite's own, in
// the commit that crosses 1,000 pages) or `off` (none: the WAL's growth counts the pages written).
// cache: the connection's page cache in KiB (default: the service's, sqlite.ts).
import fs from 'node:fs';
import os from 'node:os';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { checkPhase } from '../../src/core/monitor/phase.js';
import { commitAtomically } from '../../src/core/store/client.js';
import { cpuSince, pct, rawClient, seedFleet, tempDatabase } from './common.js';

const CHECKS = Number(process.argv[2] ?? 100_000);
const SECONDS = Number(process.argv[3] ?? 35);
const ORDER = process.argv[4] ?? 'due';
const CHECKPOINTS = process.argv[5] ?? 'thread';
const CACHE_KIB = process.argv[6];
const BATCH = 1_000;
const BATCHES_PER_INTERVAL = CHECKS / BATCH;

const handle = tempDatabase(os.tmpdir(), 'commit-batches');
const client = rawClient(handle);
const { checkIds } = seedFleet(client, { assets: CHECKS, checkUrl: () => 'http://127.0.0.1:9/', intervalSeconds: Math.max(1, CHECKS / 10_000) });
if (CHECKPOINTS !== 'thread') {
  await handle.checkpointer?.stop();
  client.pragma(`wal_autocheckpoint = ${CHECKPOINTS === 'off' ? 0 : 1000}`);
}
if (CACHE_KIB) client.pragma(`cache_size = -${CACHE_KIB}`);
const order = ORDER === 'due' ? [...checkIds].sort((a, b) => checkPhase(a) - checkPhase(b)) : shuffled(checkIds);
const warm = 2 * BATCHES_PER_INTERVAL;
const walFile = `${handle.file}-wal`;
const cpuMs: number[] = [];
let firstStatesCpuMs = 0;
const wallMs: number[] = [];
const start = Date.now();
const monitor = await Monitor.load(handle.db, start);
for (let b = 0; b < warm + SECONDS * 10; b++) {
  if (b === warm) client.pragma('wal_checkpoint(TRUNCATE)');
  const at = start + b * 100;
  if (at > Date.now()) await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
  const first = (b % BATCHES_PER_INTERVAL) * BATCH;
  const records = order.slice(first, first + BATCH).map((checkId, i) => ({
    checkId, at: at + (i % 100),
    observation: (i + b) % 97 === 0 ? { status: 'down' as const, latencyMs: null, message: 'down' } : { status: 'up' as const, latencyMs: 20 + ((i + b) % 50), message: null },
  }));
  const planning = process.cpuUsage();
  const statements = monitor.planObservations(handle.db, records, at + 99);
  const cpu = process.cpuUsage();
  const began = performance.now();
  await commitAtomically(handle.db, statements);
  if (b < BATCHES_PER_INTERVAL) firstStatesCpuMs += cpuSince(planning);
  if (b < warm) continue;
  wallMs.push(performance.now() - began);
  cpuMs.push(cpuSince(cpu));
}
const commits = wallMs.length;
const pagesPerCommit = CHECKPOINTS === 'off' ? Math.round(fs.statSync(walFile).size / (client.pragma('page_size', { simple: true }) as number + 24) / commits) : null;
console.log(JSON.stringify({
  checks: CHECKS, order: ORDER, checkpoints: CHECKPOINTS, cacheKiB: -(client.pragma('cache_size', { simple: true }) as number), commits,
  firstStatesCpuMs: Math.round(firstStatesCpuMs),
  cpuMsMean: +(cpuMs.reduce((a, b) => a + b, 0) / commits).toFixed(2),
  wallMsP50: +pct(wallMs, 50)!.toFixed(1), wallMsP99: +pct(wallMs, 99)!.toFixed(1), wallMsMax: +Math.max(...wallMs).toFixed(1),
  walPagesPerCommit: pagesPerCommit,
}));
handle.close();

function shuffled(ids: number[]): number[] {
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
