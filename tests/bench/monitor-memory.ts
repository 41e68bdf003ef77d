// Memory per configured check, measured alone in a fresh process: N assets with one HTTP check
// each, loaded into the monitor and the scheduler (what LiveMonitor holds per check), JS heap
// plus external memory after full GCs, before and after. With probe threads (as the Node host
// runs), the checks are handed to them and each thread's heap is added. The checks are due an
// hour apart, so almost none runs: no in-flight probe, socket or result buffer is counted. Forked by check-throughput.ts, or by hand with a heap
// snapshot to compare by constructor:
// `node --expose-gc --import tsx tests/bench/monitor-memory.ts N [snapshot-file]`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { CheckScheduler } from '../../src/core/monitor/scheduler.js';
import { needsOnlyNetwork } from '../../src/core/monitor/probe-assignment.js';
import { readProbeAssignment } from '../../src/core/monitor/stored-probes.js';
import { NodeProbeThreads } from '../../src/hosts/node/probe-threads/pool.js';
import { rawClient, seedFleet, serveParent, tempDatabase } from './common.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const measure = () => {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  // `external` includes `arrayBuffers` (Node's process.memoryUsage docs): counted once.
  return { heap: m.heapUsed, external: m.external, rss: m.rss };
};

export async function monitorMemory(n: number, tmp: string, threads: number, snapshot?: string) {
  const handle = tempDatabase(tmp, `memory-${n}`);
  seedFleet(rawClient(handle), { assets: n, checkUrl: (id, i) => `http://127.0.0.1:${40000 + (i % 4)}/t/${id}`, intervalSeconds: 3600, timeoutMs: 5_000, failureThreshold: 3 });
  const before = measure();
  const now = Date.now();
  // As LiveMonitor.start loads it: with probe threads, the settings of the checks they run are theirs alone.
  const monitor = await Monitor.load(handle.db, now, { settingsHeldElsewhere: threads > 0 ? (kind) => needsOnlyNetwork({ kind }) : undefined });
  const scheduler = new CheckScheduler({ concurrency: 256, now: Date.now, runCheck: async () => null, onResult: () => {} });
  const pool = threads > 0 ? new NodeProbeThreads({ threads, concurrency: 256, log: () => {} }) : null;
  const defs = monitor.definitions();
  if (pool) {
    pool.start(() => {});
    await pool.assign(defs.filter(needsOnlyNetwork).map((def) => def.id), (ids) => readProbeAssignment(handle.db, ids));
    scheduler.sync(defs.filter((def) => !needsOnlyNetwork(def)));
    await waitForThreads(pool, n);
  } else {
    scheduler.sync(defs);
  }
  const after = measure();
  const onThreads = pool ? await pool.memory(true) : { heapUsed: 0, external: 0 };
  if (snapshot) v8.writeHeapSnapshot(snapshot);
  const keep = [monitor, scheduler];
  await pool?.stop();
  handle.close();
  return {
    n, threads, heap: after.heap - before.heap + onThreads.heapUsed, external: after.external - before.external + onThreads.external,
    threadHeap: onThreads.heapUsed, rss: after.rss - before.rss, kept: keep.length,
  };
}

/** Until the threads hold their assignment (their heap stops growing). */
async function waitForThreads(pool: NodeProbeThreads, n: number) {
  let last = -1;
  for (let i = 0; i < 60; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250 + n / 200));
    const { heapUsed } = await pool.memory();
    if (Math.abs(heapUsed - last) < 64 * 1024) return;
    last = heapUsed;
  }
}

if (process.send) {
  serveParent(async (message) => {
    if (message.type === 'run') return { result: await monitorMemory(message.n, message.tmp, message.threads ?? 0) };
  });
} else if (process.argv[1] && process.argv[1].endsWith('monitor-memory.ts')) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-mem-'));
  const r = await monitorMemory(Number(process.argv[2] ?? 1000), tmp, Number(process.env.BENCH_PROBE_THREADS ?? 0), process.argv[3]);
  console.log(JSON.stringify(r));
  fs.rmSync(tmp, { recursive: true, force: true });
}
