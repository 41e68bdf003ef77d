// Memory per configured check, measured alone in a fresh process: N assets with one HTTP check
// each, loaded into the monitor and the scheduler (what LiveMonitor holds per check), JS heap
// plus external memory after full GCs, before and after. Nothing runs, so no in-flight probe,
// socket or result buffer is counted. Forked by check-throughput.ts, or by hand with a heap
// snapshot to compare by constructor:
// `node --expose-gc --import tsx tests/bench/monitor-memory.ts N [snapshot-file]`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { CheckScheduler } from '../../src/core/monitor/scheduler.js';
import { rawClient, seedFleet, serveParent, tempDatabase } from './common.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const measure = () => {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external + m.arrayBuffers, rss: m.rss };
};

export async function monitorMemory(n: number, tmp: string, snapshot?: string) {
  const handle = tempDatabase(tmp, `memory-${n}`);
  seedFleet(rawClient(handle), { assets: n, checkUrl: (id, i) => `http://127.0.0.1:${40000 + (i % 4)}/t/${id}`, intervalSeconds: Math.max(1, Math.ceil(n / 10_000)), timeoutMs: 5_000, failureThreshold: 3 });
  const before = measure();
  const now = Date.now();
  const monitor = await Monitor.load(handle.db, now);
  const scheduler = new CheckScheduler({ concurrency: 256, now: Date.now, runCheck: async () => null, onResult: () => {} });
  scheduler.sync(monitor.definitions());
  const after = measure();
  if (snapshot) v8.writeHeapSnapshot(snapshot);
  const keep = [monitor, scheduler];
  handle.close();
  return { n, heap: after.heap - before.heap, external: after.external - before.external, rss: after.rss - before.rss, kept: keep.length };
}

if (process.send) {
  serveParent(async (message) => {
    if (message.type === 'run') return { result: await monitorMemory(message.n, message.tmp) };
  });
} else if (process.argv[1] && process.argv[1].endsWith('monitor-memory.ts')) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-mem-'));
  const r = await monitorMemory(Number(process.argv[2] ?? 1000), tmp, process.argv[3]);
  console.log(JSON.stringify(r));
  fs.rmSync(tmp, { recursive: true, force: true });
}
