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

  it('with launchEveryMs, starts due runs together in batches, each batch sharing one signal that aborts at the timeout', async () => {
    // A real clock: 40 checks every second, spread over it, started in batches at most every 50 ms.
    const starts: Array<{ id: number; at: number; signal: AbortSignal }> = [];
    const results: Array<{ record: ObservationRecord; dueAt: number }> = [];
    const defs = Array.from({ length: 40 }, (_, i) => ({ ...def(i + 1, 1), timeoutMs: 300 }));
    const scheduler = new CheckScheduler({
      concurrency: 100,
      now: Date.now,
      launchEveryMs: 50,
      // Every probe hangs until its signal aborts, then reports that.
      runCheck: (d, signal) => {
        starts.push({ id: d.id, at: Date.now(), signal });
        return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ status: 'down', latencyMs: null, message: 'aborted' })));
      },
      onResult: (record, dueAt) => results.push({ record, dueAt }),
    });
    scheduler.sync(defs);
    scheduler.start();
    await vi.waitFor(() => expect(results.length).toBeGreaterThanOrEqual(40), { timeout: 5_000 });
    scheduler.stop();

    const first = starts.filter((s, i) => starts.findIndex((t) => t.id === s.id) === i);
    expect(first).toHaveLength(40);
    // Runs started together share a signal: far fewer signals than checks (a second at most every
    // 50 ms), each shared by runs that started within moments of each other.
    const groups = new Map<AbortSignal, number[]>();
    for (const s of first) groups.set(s.signal, [...(groups.get(s.signal) ?? []), s.at]);
    expect(groups.size).toBeGreaterThan(1);
    expect(groups.size).toBeLessThanOrEqual(25);
    for (const at of groups.values()) expect(Math.max(...at) - Math.min(...at)).toBeLessThan(20);
    // Each ended by its timeout, was reported with its due time, and started no earlier than due.
    for (const { record, dueAt } of results.slice(0, 40)) {
      expect((record.observation as Observation).message).toBe('aborted');
      expect(record.at).toBeGreaterThanOrEqual(dueAt);
      expect(record.at - dueAt).toBeLessThan(500);
    }
  });

  it('with launchEveryMs, leaves a batch whose runs all ended unaborted at its timeout', async () => {
    // 40 checks every second whose probes answer at once; the 200 ms timeout passes many times over.
    const signals = new Set<AbortSignal>();
    const scheduler = new CheckScheduler({
      concurrency: 100,
      now: Date.now,
      launchEveryMs: 20,
      runCheck: async (_d, signal) => {
        signals.add(signal);
        return { status: 'up', latencyMs: 1, message: null };
      },
      onResult: () => {},
    });
    scheduler.sync(Array.from({ length: 40 }, (_, i) => ({ ...def(i + 1, 1), timeoutMs: 200 })));
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    scheduler.stop();
    expect(signals.size).toBeGreaterThan(10);
    // Only the batch being started when no other followed for 200 ms may have been aborted.
    expect([...signals].filter((signal) => signal.aborted).length).toBeLessThanOrEqual(1);
  });
});
