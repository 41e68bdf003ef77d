// Rollup rows as columns in transferable buffers, for the hop from the rollup reader thread: a
// minute at 100,000 checks is some 200,000 rows, and as objects the monitor's thread would spend
// tens of milliseconds in one go just deserializing them.
import type { RollupRow } from '../../core/monitor/rollup-buckets.js';

const NUMBERS = 7;

export interface RollupColumns {
  /** Per row: bit 0 set for an asset (else a check), bit 1 for a day (else an hour). */
  kinds: Uint8Array;
  /** Per row, in this order: subjectId, bucketStart, samples, up, degraded, latencySum, latencySamples. */
  numbers: Float64Array;
}

export function packRollupRows(rows: RollupRow[]): RollupColumns {
  const kinds = new Uint8Array(rows.length);
  const numbers = new Float64Array(rows.length * NUMBERS);
  rows.forEach((row, i) => {
    kinds[i] = (row.subjectKind === 'asset' ? 1 : 0) | (row.granularity === 'day' ? 2 : 0);
    numbers.set([row.subjectId, row.bucketStart, row.samples, row.up, row.degraded, row.latencySum, row.latencySamples], i * NUMBERS);
  });
  return { kinds, numbers };
}

export function unpackRollupRows({ kinds, numbers }: RollupColumns): RollupRow[] {
  return Array.from(kinds, (kind, i) => {
    const at = i * NUMBERS;
    return {
      subjectKind: kind & 1 ? 'asset' : 'check',
      granularity: kind & 2 ? 'day' : 'hour',
      subjectId: numbers[at]!,
      bucketStart: numbers[at + 1]!,
      samples: numbers[at + 2]!,
      up: numbers[at + 3]!,
      degraded: numbers[at + 4]!,
      latencySum: numbers[at + 5]!,
      latencySamples: numbers[at + 6]!,
    };
  });
}
