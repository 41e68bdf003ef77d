// What the monitor's thread and its probe threads say to each other.
import type { AssetFacts } from '../../../core/monitor/check-runner.js';
import type { StoredProbe } from '../../../core/monitor/stored-probes.js';
import type { ResultBatch } from './result-batch.js';

export interface ProbeThreadData {
  /** Probes in flight at once on this thread. */
  concurrency: number;
}

export type ToProbeThread =
  | {
      type: 'assign';
      definitions: StoredProbe[];
      assets: Array<[number, AssetFacts]>;
      /** For a thread replacing one that died: where that one left each check (scheduler.ts resumeDueTime). */
      resume: { lastDue: Array<[number, number]>; since: number } | null;
    }
  /** `collect`: a full GC first, where the process runs with --expose-gc (the memory benchmark). */
  | { type: 'memory'; collect?: boolean }
  | { type: 'stop' };

export type FromProbeThread =
  | {
      type: 'results';
      batch: ResultBatch;
      /** How late each run started since the last batch (actual start − due time). */
      lagsMs: Float64Array;
      inFlight: number;
    }
  /** The thread's own JS heap in use and its external memory, in bytes. */
  | { type: 'memory'; heapUsed: number; external: number }
  | { type: 'stopped' };
