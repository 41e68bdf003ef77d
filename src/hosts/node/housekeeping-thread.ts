// History housekeeping on a thread of its own with its own connection to the database file, so
// rolling up and pruning take none of the monitor's thread: its reads never block the monitor
// (WAL readers do not), and its writes go in chunks of a few milliseconds, so a monitor commit
// that finds the write lock taken waits that long at most (busy_timeout). A database in memory
// cannot be shared between connections; there housekeeping runs on the caller's thread.
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { Db } from '../../core/store/client.js';
import { historyHousekeeping, type HistoryHousekeepingOptions, type HousekeepingRun } from './history-housekeeping.js';
import { startTsThread } from './ts-thread.js';

const ENTRY = new URL('./housekeeping-thread-entry.ts', import.meta.url);

export interface HousekeepingThreadData {
  file: string;
  retentionDays: number;
  retentionMaxBytes: number | undefined;
}

export type ToHousekeepingThread = { type: 'run' } | { type: 'stop' };
export type FromHousekeepingThread = { type: 'ran'; run: HousekeepingRun } | { type: 'failed'; message: string } | { type: 'log'; message: string };

export interface HistoryHousekeeper {
  /** One run: the rollup, then pruning. Rejects when it fails or its thread dies; the next run starts a new thread. */
  run(): Promise<HousekeepingRun>;
  /** Stops the thread; a run it was in is left as a crash leaves it, and the next start redoes it exactly. */
  stop(): Promise<void>;
}

export function startHistoryHousekeeper(database: { db: Db; file: string }, options: HistoryHousekeepingOptions): HistoryHousekeeper {
  if (database.file === ':memory:') return { run: historyHousekeeping(database.db, options), stop: async () => {} };
  const data: HousekeepingThreadData = { file: database.file, retentionDays: options.retentionDays, retentionMaxBytes: options.retentionMaxBytes };
  let worker: Worker | null = null;
  let waiting: { resolve(run: HousekeepingRun): void; reject(err: Error): void } | null = null;
  const settle = (outcome: HousekeepingRun | Error) => {
    const current = waiting;
    waiting = null;
    if (outcome instanceof Error) current?.reject(outcome);
    else current?.resolve(outcome);
  };
  const spawn = (): Worker => {
    const thread = startTsThread(ENTRY, data, { name: 'coopwatch-housekeeping' });
    thread.on('message', (message: FromHousekeepingThread) => {
      if (message.type === 'log') options.log(message.message);
      else settle(message.type === 'ran' ? message.run : new Error(message.message));
    });
    thread.on('error', (err) => settle(err));
    thread.on('exit', (code) => {
      if (worker === thread) worker = null;
      settle(new Error(`the housekeeping thread stopped (exit code ${code})`));
    });
    return thread;
  };
  return {
    run() {
      if (waiting) return Promise.reject(new Error('a housekeeping run is already going'));
      const thread = (worker ??= spawn());
      return new Promise<HousekeepingRun>((resolve, reject) => {
        waiting = { resolve, reject };
        thread.postMessage({ type: 'run' } satisfies ToHousekeepingThread);
      });
    },
    async stop() {
      const thread = worker;
      if (!thread) return;
      worker = null;
      const exited = once(thread, 'exit');
      thread.postMessage({ type: 'stop' } satisfies ToHousekeepingThread);
      await exited;
    },
  };
}
