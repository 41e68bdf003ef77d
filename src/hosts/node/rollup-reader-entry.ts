// The rollup reader thread (rollup-reader-thread.ts): its own connection, one read at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { rollupReader } from '../../core/monitor/history.js';
import type { FromRollupReader, ToRollupReader } from './rollup-reader-thread.js';
import { packRollupRows } from './rollup-columns.js';
import { openSqlite } from './sqlite.js';
import { runInBackground } from './thread-priority.js';

const port = parentPort!;
const post = (message: FromRollupReader, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
// Its boot lowered the priority already (startTsThread's `background`); this says so where it could not.
if (!runInBackground()) post({ type: 'log', message: 'the rollup reader runs at normal CPU priority here (lowering one thread\'s priority needs Linux)' });
const sqlite = openSqlite((workerData as { file: string }).file);
// No rest between chunks: the thread's priority keeps it to what the others leave idle, and its
// reads hold no lock that the monitor's writes wait for (WAL).
const read = rollupReader(sqlite.db);

port.on('message', (message: ToRollupReader) => {
  if (message.type === 'stop') {
    sqlite.close();
    process.exit(0);
  }
  read(message.after, message.until, message.legacyFrom).then(
    (rows) => {
      const columns = packRollupRows(rows);
      post({ type: 'rows', columns }, [columns.kinds.buffer as ArrayBuffer, columns.numbers.buffer as ArrayBuffer]);
    },
    (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  );
});
