// What a rollup run costs: one minute of results (N checks, asking 10,000 checks/s: 600,000
// results) on a real SQLite file.
// - Reading: summed per check, asset, hour and day by the core's reader (SQLite's GROUP BY, as on
//   D1) and by the Node reader thread's (raw rows summed in JS), in turns, each on its own
//   read-only connection as the thread has it; checks that both give the same rows.
// - Writing: those rows upserted by the run (history.ts), in the table's key order (as the
//   readers hand them over) and in the order the results came (shuffled: checks come due in
//   phase order, not id order), into an empty table (every row new, as in an hour's first run)
//   and over the same rows (every row updated).
// Prints the CPU of each.
//   node --import tsx tests/bench/rollup-cost.ts [checks=100000] [rounds=2]
import os from 'node:os';
import Database from 'better-sqlite3';
import { rollUpHistory, rollupReader } from '../../src/core/monitor/history.js';
import type { RollupRow } from '../../src/core/monitor/rollup-buckets.js';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { schema, type Db } from '../../src/core/store/client.js';
import { rawRollupReader } from '../../src/hosts/node/raw-rollup-reader.js';
import { cpuSince, rawClient, seedFleet, tempDatabase } from './common.js';

const CHECKS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const RESULTS = 600_000;
const INTERVAL_MS = Math.max(1, CHECKS / 10_000) * 1_000;

const handle = tempDatabase(os.tmpdir(), 'rollup-cost');
const writer = rawClient(handle);
const { checkIds } = seedFleet(writer, { assets: CHECKS, checkUrl: () => 'http://127.0.0.1:9/', intervalSeconds: INTERVAL_MS / 1_000 });
const insert = writer.prepare('insert into check_results (check_id, ts, status, latency_ms) values (?, ?, ?, ?)');
const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
writer.transaction(() => {
  for (let i = 0; i < RESULTS; i++) {
    const checkId = checkIds[i % CHECKS]!;
    const ts = minute + Math.floor(i / CHECKS) * INTERVAL_MS + (i % CHECKS) * (INTERVAL_MS / CHECKS);
    insert.run(checkId, Math.floor(ts), i % 97 === 0 ? 2 : i % 31 === 0 ? 1 : 0, i % 53 === 0 ? null : 20 + (i % 40));
  }
})();
const until = (writer.prepare('select max(rowid) as n from check_results').get() as { n: number }).n;

const reader = new Database(handle.file, { readonly: true, fileMustExist: true });
const readers = { 'GROUP BY (core)': rollupReader(drizzle(reader, { schema }) as unknown as Db), 'raw rows (Node thread)': rawRollupReader(reader) };

console.log(`${CHECKS.toLocaleString('en')} checks, ${RESULTS.toLocaleString('en')} results (one minute at 10,000/s)`);
const last: Record<string, RollupRow[]> = {};
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, read] of Object.entries(readers)) {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const rows = await read(0, until, null);
    const spent = cpuSince(cpu);
    console.log(`round ${round}, ${name}: ${rows.length.toLocaleString('en')} rollup rows, CPU ${spent.toFixed(0)} ms (${((spent * 1_000) / RESULTS).toFixed(2)} µs a result), wall ${(performance.now() - wall).toFixed(0)} ms`);
    last[name] = rows;
  }
}
// Both hand their rows over in the rollups table's key order (RollupSums.rows).
const [a, b] = Object.values(last);
console.log(JSON.stringify(a) === JSON.stringify(b) ? 'both readers gave the same rows' : 'the readers DIFFER');

const inKeyOrder = last['raw rows (Node thread)']!;
const shuffled = [...inKeyOrder];
for (let i = shuffled.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
}
/** One run writing `rows`: the marks are moved back so that it has results to count (the rows are given, not read). */
async function writeCpuMs(rows: RollupRow[]): Promise<number> {
  writer.prepare(`delete from engine_marks where name in ('rollup_rowid', 'rollup_pending_rowid')`).run();
  const cpu = process.cpuUsage();
  await rollUpHistory(handle.db, Date.now(), { read: async () => rows.map((row) => ({ ...row })) });
  return cpuSince(cpu);
}
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, rows] of [['key order', inKeyOrder], ['order of arrival', shuffled]] as const) {
    writer.prepare('delete from rollups').run();
    const inserted = await writeCpuMs(rows);
    const updated = await writeCpuMs(rows);
    console.log(`round ${round}, writing ${rows.length.toLocaleString('en')} rows in ${name}: CPU ${inserted.toFixed(0)} ms as new rows, ${updated.toFixed(0)} ms as updates`);
  }
}
reader.close();
handle.close();
