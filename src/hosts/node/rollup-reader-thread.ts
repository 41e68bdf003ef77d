// The rollup's reading on a thread of its own: its own connection at the lowest CPU priority
// reads and sums what was written since the last run (the part that costs what was written), and
// hands the sums back as columns. The monitor's thread keeps the writes, paced in short chunks, so
// it stays the database's only writer and its commits never wait for a lock held by a thread the
// CPU scheduler has put aside.
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { RollupReader } from '../../core/monitor/history.js';
import { unpackRollupRows, type RollupColumns } from './rollup-columns.js';
import { startTsThread } from './ts-thread.js';

const ENTRY = new URL('./rollup-reader-entry.ts', import.meta.url);

export type ToRollupReader = { type: 'read'; after: number; until: number; legacyFrom: number | null } | { type: 'stop' };
export type FromRollupReader = { type: 'rows'; columns: RollupColumns } | { type: 'failed'; message: string } | { type: 'log'; message: string };

/** Started on the first read; a read while its thread dies or stops is rejected, and the next read starts a new one. */
export class RollupReaderThread {
  private worker: Worker | null = null;
  private waiting: { resolve(columns: RollupColumns): void; reject(err: Error): void } | null = null;

  constructor(
    private readonly file: string,
    private readonly log: (message: string) => void,
  ) {}

  readonly read: RollupReader = async (after, until, legacyFrom) => {
    if (this.waiting) throw new Error('the rollup reader is already reading');
    const worker = (this.worker ??= this.spawn());
    const columns = new Promise<RollupColumns>((resolve, reject) => (this.waiting = { resolve, reject }));
    worker.postMessage({ type: 'read', after, until, legacyFrom } satisfies ToRollupReader);
    return unpackRollupRows(await columns);
  };

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    const exited = once(worker, 'exit');
    worker.postMessage({ type: 'stop' } satisfies ToRollupReader);
    await exited;
  }

  private spawn(): Worker {
    const worker = startTsThread(ENTRY, { file: this.file }, { name: 'coopwatch-rollup-reader', background: true });
    worker.on('message', (message: FromRollupReader) => {
      if (message.type === 'log') this.log(message.message);
      else this.settle(message.type === 'rows' ? message.columns : new Error(message.message));
    });
    worker.on('error', (err) => this.settle(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      this.settle(new Error(`the rollup reader thread stopped (exit code ${code})`));
    });
    return worker;
  }

  private settle(outcome: RollupColumns | Error): void {
    const waiting = this.waiting;
    this.waiting = null;
    if (outcome instanceof Error) waiting?.reject(outcome);
    else waiting?.resolve(outcome);
  }
}
