// The WAL checkpointer's thread (wal-checkpointer.ts): its own connection to the database file,
// copying committed WAL frames into the file every `intervalMs`. PASSIVE never waits for the
// monitor's writes and never makes them wait.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData;
const db = new Database(file, { fileMustExist: true });
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

const timer = setInterval(() => {
  const started = performance.now();
  const [{ busy, log, checkpointed }] = checkpoint.all();
  parentPort.postMessage({ busy, log, checkpointed, ms: performance.now() - started });
}, intervalMs);

parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
