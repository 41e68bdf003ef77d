import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOT = new URL('./ts-thread.mjs', import.meta.url);

/** A worker thread running the TypeScript module `entry`, with `data` as its workerData. */
export function startTsThread(entry: URL, data: object, options: Omit<WorkerOptions, 'workerData'>): Worker {
  return new Worker(BOOT, { ...options, workerData: { ...data, entry: entry.href } });
}
