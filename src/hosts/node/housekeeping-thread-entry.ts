// The housekeeping thread (housekeeping-thread.ts): its own connection, one run at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { historyHousekeeping } from './history-housekeeping.js';
import type { FromHousekeepingThread, HousekeepingThreadData, ToHousekeepingThread } from './housekeeping-thread.js';
import { openSqlite } from './sqlite.js';
import { runInBackground } from './thread-priority.js';

const port = parentPort!;
const data = workerData as HousekeepingThreadData;
const post = (message: FromHousekeepingThread) => port.postMessage(message);
if (!runInBackground()) post({ type: 'log', message: 'housekeeping runs at normal CPU priority here (lowering one thread\'s priority needs Linux)' });
const sqlite = openSqlite(data.file);
const runHistory = historyHousekeeping(sqlite.db, { retentionDays: data.retentionDays, retentionMaxBytes: data.retentionMaxBytes, log: (message) => post({ type: 'log', message }) });

port.on('message', (message: ToHousekeepingThread) => {
  if (message.type === 'stop') {
    // Between two statements: a run cut here is redone exactly by the next one (history.ts).
    sqlite.close();
    process.exit(0);
  }
  runHistory().then(
    (run) => post({ type: 'ran', run }),
    (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  );
});
