// What a second of results costs to commit as history grows: 10,000 checks, one result each per
// simulated second, planned by the real Monitor and committed in one transaction per second on a
// real SQLite file, as fast as the machine goes (no probes, no clock). Prints the commit's CPU per
// second of results over the first and the last simulated seconds.
//   node --import tsx tests/bench/result-commit.ts [checks=10000] [seconds=240]
import os from 'node:os';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { commitAtomically } from '../../src/core/store/client.js';
import { cpuSince, rawClient, seedFleet, tempDatabase } from './common.js';

const CHECKS = Number(process.argv[2] ?? 10_000);
const SECONDS = Number(process.argv[3] ?? 240);
const SAMPLE = 20;

const handle = tempDatabase(os.tmpdir(), 'result-commit');
const { checkIds } = seedFleet(rawClient(handle), { assets: CHECKS, checkUrl: () => 'http://127.0.0.1:9/', intervalSeconds: 1 });
const start = Date.now();
const monitor = await Monitor.load(handle.db, start);
const commitCpuMs: number[] = [];
for (let s = 0; s < SECONDS; s++) {
  const at = start + s * 1000;
  const records = checkIds.map((checkId, i) => ({
    checkId, at: at + (i % 1000),
    observation: (i + s) % 97 === 0
      ? { status: 'down' as const, latencyMs: null, message: 'down' }
      : { status: 'up' as const, latencyMs: 20 + ((i + s) % 50), message: null },
  }));
  const statements = monitor.planObservations(handle.db, records, at + 999);
  const before = process.cpuUsage();
  await commitAtomically(handle.db, statements);
  commitCpuMs.push(cpuSince(before));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pages = rawClient(handle).prepare("select name, count(*) as pages from dbstat where name in ('check_results', 'check_latest') or name like 'check_results%' group by name").all();
console.log(JSON.stringify({
  checks: CHECKS, seconds: SECONDS,
  commitCpuMsFirst: Math.round(mean(commitCpuMs.slice(1, 1 + SAMPLE))),
  commitCpuMsLast: Math.round(mean(commitCpuMs.slice(-SAMPLE))),
  commitCpuMsMax: Math.round(Math.max(...commitCpuMs.slice(1))),
  pages,
}));
handle.close();
