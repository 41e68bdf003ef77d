// WAL checkpoints off the monitor's thread. SQLite's automatic checkpoint runs inside the commit
// that crosses 1,000 WAL pages: a copy of megabytes and an fsync, holding the event loop for tens
// of milliseconds at 10,000 results a second. Here a thread with its own connection checkpoints
// instead, and the monitor's commits only append to the WAL. If the thread stops, the automatic
// checkpoint is turned back on, so the WAL never grows without bound.
//
// A WAL is reused from its start only when a commit begins after everything in it was copied. The
// monitor commits every 100 ms and a pass takes milliseconds, so that is the normal case; writes
// so dense that no pass ever finishes between two commits still meet the automatic checkpoint, at
// a much larger WAL than SQLite's default (SAFETY_CHECKPOINT_PAGES).
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

const THREAD = new URL('./wal-checkpoint-thread.mjs', import.meta.url);
/** SQLite's own default, restored when the thread is gone. */
const AUTOCHECKPOINT_PAGES = 1_000;
/** Commits checkpoint themselves only past this (64 MB of 4 KB pages): a safety valve, not the way. */
const SAFETY_CHECKPOINT_PAGES = 16_384;
/** A WAL file emptied by a checkpoint is cut back to this when it restarts. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface WalCheckpoint {
  /** Frames in the WAL and how many of them are now in the database file, after the last pass. */
  log: number;
  checkpointed: number;
  ms: number;
}

export interface WalCheckpointer {
  /** The last pass, if any has run. */
  readonly last: WalCheckpoint | null;
  /** Whether the thread is checkpointing (false: SQLite's automatic checkpoint is back on). */
  readonly running: boolean;
  stop(): Promise<void>;
}

export function startWalCheckpointer(client: Database.Database, file: string, options: { intervalMs?: number; log?: (message: string) => void } = {}): WalCheckpointer {
  const log = options.log ?? (() => {});
  client.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  client.pragma(`wal_autocheckpoint = ${SAFETY_CHECKPOINT_PAGES}`);
  const worker = new Worker(THREAD, { workerData: { file, intervalMs: options.intervalMs ?? 250 }, name: 'coopwatch-wal-checkpoint' });
  let last: WalCheckpoint | null = null;
  let running = true;
  let stopping = false;
  const fallBack = (why: string) => {
    if (!running) return;
    running = false;
    if (client.open) client.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    if (!stopping) log(`WAL checkpoint thread ${why}; SQLite checkpoints in the commits again`);
  };
  worker.on('message', (message: WalCheckpoint) => {
    last = message;
  });
  worker.on('error', (err) => fallBack(`failed: ${err.message}`));
  worker.on('exit', (code) => fallBack(`stopped (exit code ${code})`));
  return {
    get last() {
      return last;
    },
    get running() {
      return running;
    },
    async stop() {
      if (!running) return;
      stopping = true;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('stop');
      await exited;
    },
  };
}
