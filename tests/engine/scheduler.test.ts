import { describe, expect, it, vi } from 'vitest';
import type { Observation } from '../../checks/types.js';
import type { CheckDefinition, ObservationRecord } from '../../src/core/monitor/check-definition.js';
import { CheckScheduler } from '../../src/core/monitor/scheduler.js';

const def = (id: number, intervalSeconds = 60): CheckDefinition => ({
  id, key: `c${id}`, assetId: id, kind: 'http', enabled: true, intervalSeconds, cron: null, timezone: null, timeoutMs: 60_000,
  failureThreshold: 1, successThreshold: 1, settings: {},
});

/** A scheduler whose probes wait until the test answers them, with a clock the test moves. */
function harness() {
  let now = 1_000_000;
  const pending = new Map<number, (o: Observation | null) => void>();
  const started: number[] = [];
  const results: ObservationRecord[] = [];
  const scheduler = new CheckScheduler({
    concurrency: 10,
    now: () => now,
    runCheck: (d) => {
      started.push(d.id);
      return new Promise((resolve) => pending.set(d.id, resolve));
    },
    onResult: (r) => results.push(r),
  });
  return {
    scheduler, started, results, pending,
    advance: (ms: number) => { now += ms; },
    answer: async (id: number) => {
      pending.get(id)!({ status: 'up', latencyMs: 1, message: null });
      pending.delete(id);
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('CheckScheduler', () => {
  it('a check removed while its probe is in flight reports nothing and is not run again; added back, it runs', async () => {
    const h = harness();
    h.scheduler.sync([def(1), def(2)]);
    h.advance(60_000);
    h.scheduler.start();
    await vi.waitFor(() => expect(h.started.sort()).toEqual([1, 2]));
    h.scheduler.sync([def(2)]);
    expect(h.scheduler.size).toBe(1);
    await h.answer(1);
    await h.answer(2);
    expect(h.results.map((r) => r.checkId)).toEqual([2]);
    h.scheduler.sync([def(1), def(2)]);
    h.advance(120_000); // past both first due times; the pump's next wake-up (≤ 1 s) starts them
    await vi.waitFor(() => expect(h.started.filter((id) => id === 1)).toHaveLength(2), { timeout: 5_000 });
    expect(h.started.filter((id) => id === 2)).toHaveLength(2);
    h.scheduler.stop();
  });

  it('runs each check once at a time, rescheduling it when its run ends', async () => {
    const h = harness();
    h.scheduler.sync([def(1, 1)]);
    h.advance(1_000);
    h.scheduler.start();
    await vi.waitFor(() => expect(h.started).toEqual([1]));
    h.advance(5_000); // overdue again, but its run has not ended
    h.scheduler.sync([def(1, 1)]);
    expect(h.started).toEqual([1]);
    await h.answer(1);
    h.advance(2_000);
    await vi.waitFor(() => expect(h.started).toEqual([1, 1]), { timeout: 5_000 });
    h.scheduler.stop();
  });
});
