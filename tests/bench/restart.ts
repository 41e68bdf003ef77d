// Restart catch-up, the fleet's side: a fresh database seeded with N HTTP checks, optionally run
// by the monitor for a while (so the restart finds stored states, streaks and history), then
// closed. The service is started on the file by the parent, as an operator would start it.
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { rawClient, seedFleet, serveParent, sleep, tempDatabase } from './common.js';

export interface PrepareRequest {
  n: number;
  intervalSeconds: number;
  /** Seconds the monitor runs on the fresh fleet before the file is closed (0: never run). */
  runSeconds: number;
  ports: number[];
  tmp: string;
}

async function prepare(req: PrepareRequest): Promise<{ file: string }> {
  const handle = tempDatabase(req.tmp, `restart-${req.n}`);
  const url = (assetId: number, i: number) => `http://127.0.0.1:${req.ports[i % req.ports.length]}/t/${assetId}`;
  seedFleet(rawClient(handle), { assets: req.n, checkUrl: url, intervalSeconds: req.intervalSeconds, timeoutMs: 5_000 });
  if (req.runSeconds > 0) {
    const probes = createNodeProbeRuntime();
    const live = await LiveMonitor.start({ db: handle.db, probeContext: probes.context, log: (m) => console.error(`[bench monitor] ${m}`) });
    await sleep(req.runSeconds * 1000);
    await live.stop();
    await probes.close();
  }
  handle.close();
  return { file: handle.file };
}

serveParent(async (message) => {
  if (message.type === 'prepare') return await prepare(message.request as PrepareRequest);
});
