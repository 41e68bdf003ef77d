// Restart catch-up, in a process of its own: the monitor started on a database (a fresh fleet
// the first time, the same file again for the restart), counting results per second from the
// moment it is asked to start, and which checks had no result by the end of the window.
import { performance } from 'node:perf_hooks';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { openSqlite } from '../../src/hosts/node/sqlite.js';
import { rawClient, seedFleet, serveParent, sleep, tempDatabase } from './common.js';

export interface RestartRequest {
  n: number;
  intervalSeconds: number;
  seconds: number;
  ports: number[];
  tmp: string;
  /** The database of an earlier run to start on; absent: a fresh one, seeded with n checks. */
  file?: string;
}

export interface RestartResult {
  file: string;
  /** Results recorded in each whole second after the start was asked for. */
  perSecond: number[];
  /** Checks with no result recorded in the window. */
  missed: number;
  /** Milliseconds LiveMonitor.start took (loading the fleet, before the first probe). */
  loadMs: number;
}

async function run(req: RestartRequest): Promise<RestartResult> {
  let handle;
  if (req.file) handle = openSqlite(req.file);
  else {
    handle = tempDatabase(req.tmp, `restart-${req.n}`);
    const url = (assetId: number, i: number) => `http://127.0.0.1:${req.ports[i % req.ports.length]}/t/${assetId}`;
    seedFleet(rawClient(handle), { assets: req.n, checkUrl: url, intervalSeconds: req.intervalSeconds, timeoutMs: 5_000 });
  }
  const file = req.file ?? (handle as { file: string }).file;
  const perSecond = new Array<number>(req.seconds).fill(0);
  const seen = new Set<number>();
  const probes = createNodeProbeRuntime();
  const t0 = performance.now();
  const live = await LiveMonitor.start({
    db: handle.db,
    probeContext: probes.context,
    onFlush: (records) => {
      const second = Math.floor((performance.now() - t0) / 1000);
      if (second < perSecond.length) perSecond[second]! += records.length;
      for (const r of records) seen.add(r.checkId);
    },
    log: (m) => console.error(`[bench monitor] ${m}`),
  });
  const loadMs = performance.now() - t0;
  await sleep(req.seconds * 1000 - (performance.now() - t0));
  await live.stop();
  await probes.close();
  const checks = (rawClient(handle).prepare('select count(*) as n from checks where enabled = 1').get() as { n: number }).n;
  handle.close();
  return { file, perSecond, missed: checks - seen.size, loadMs };
}

serveParent(async (message) => {
  if (message.type === 'run') return { result: await run(message.request as RestartRequest) };
});
