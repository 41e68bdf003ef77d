// A probe thread's results cross to the monitor's thread as numbers where they can and as objects
// where they must: whatever a result says reaches the monitor as it was said, in order.
import { describe, expect, it } from 'vitest';
import type { ObservationRecord } from '../../src/core/monitor/check-definition.js';
import { forEachDue, packResults, unpackResults } from '../../src/hosts/node/probe-threads/result-batch.js';

const records: ObservationRecord[] = [
  { checkId: 1, at: 1_764_979_200_000, observation: { status: 'up', latencyMs: 1.25, message: null } },
  { checkId: 2, at: 1_764_979_200_001, observation: { status: 'down', latencyMs: null, message: 'connection refused (ECONNREFUSED)' } },
  { checkId: 3, at: 1_764_979_200_002, observation: { status: 'degraded', latencyMs: 812, message: 'response time 812 ms over budget 500 ms' } },
  { checkId: 4, at: 1_764_979_200_003, observation: { status: 'up', latencyMs: 40.5, message: null, metrics: { jitterMs: 2.5, lossPct: 0 } } },
  { checkId: 5, at: 1_764_979_200_004, observation: { status: 'idle', latencyMs: null, missed: { satelliteKey: 'sentinel-2a', aosMs: 1, losMs: 2, message: 'no contact during the pass' } } },
  { checkId: 6, at: 1_764_979_200_005, observation: { status: 'down', latencyMs: null, message: null } },
  { checkId: 7, at: 1_764_979_200_006, observation: { status: 'degraded', latencyMs: 0, message: null } },
];
const dueAt = records.map((r) => r.at - 3);

describe('probe result batches', () => {
  it('carry every result to the other thread as it was: statuses, latencies, messages, figures and missed passes, in order', () => {
    const batch = packResults(records, dueAt);
    // Only the buffer is moved, as postMessage does with a transfer list.
    const arrived = structuredClone(batch, { transfer: [batch.numbers.buffer] });
    expect(batch.numbers.length).toBe(0);
    expect(unpackResults(arrived)).toEqual(records);
    const due: Array<[number, number]> = [];
    forEachDue(arrived, (checkId, at) => due.push([checkId, at]));
    expect(due).toEqual(records.map((r, i) => [r.checkId, dueAt[i]]));
  });

  it('send plain results as numbers only, and an empty batch as nothing', () => {
    expect(packResults(records.slice(0, 1), dueAt).outcomes).toEqual([]);
    expect(packResults(records, dueAt).outcomes).toHaveLength(4);
    expect(unpackResults(packResults([], []))).toEqual([]);
  });
});
