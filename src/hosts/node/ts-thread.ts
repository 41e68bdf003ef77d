import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOT = new URL('./ts-thread.mjs', import.meta.url);

/**
 * A worker thread running the TypeScript module `entry`, with `data` as its workerData.
 * `background`: at the lowest CPU priority (thread-priority.ts) before it loads `entry`.
 */
export function startTsThread(entry: URL, data: object, options: Omit<WorkerOptions, 'workerData'> & { background?: boolean }): Worker {
  const { background = false, ...workerOptions } = options;
  return new Worker(BOOT, { ...workerOptions, workerData: { ...data, entry: entry.href, background } });
}
