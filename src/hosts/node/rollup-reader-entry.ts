// The rollup reader thread (rollup-reader-thread.ts): its own read-only connection, one read at a time.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { FromRollupReader, ToRollupReader } from './rollup-reader-thread.js';
import { packRollupRows } from './rollup-columns.js';
import { rawRollupReader } from './raw-rollup-reader.js';
import { runInBackground } from './thread-priority.js';

const port = parentPort!;
const post = (message: FromRollupReader, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
// Its boot lowered the priority already (startTsThread's `background`); this says so where it could not.
if (!runInBackground()) post({ type: 'log', message: 'the rollup reader runs at normal CPU priority here (lowering one thread\'s priority needs Linux)' });
// Read-only: the service's connection has brought the schema up to date and is the only writer.
// Its reads hold no lock that the monitor's writes wait for (WAL), so the thread reads without rests:
// its priority keeps it to what the others leave idle.
const client = new Database((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
client.pragma('busy_timeout = 5000');
const read = rawRollupReader(client);

port.on('message', (message: ToRollupReader) => {
  if (message.type === 'stop') {
    client.close();
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
