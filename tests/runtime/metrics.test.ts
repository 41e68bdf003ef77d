// /metrics counts what the monitor recorded: every stored result once in
// coopwatch_check_results_total by kind and observed status, and each one with a latency in the
// latency histogram of its kind. Read from the Node host's metrics against a live monitor probing
// real loopback targets from a probe thread as the Node host runs them, and compared with the rows in the database.
import { describe, it } from 'vitest';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeMetrics } from '../../src/hosts/node/metrics.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { NodeProbeThreads } from '../../src/hosts/node/probe-threads/pool.js';
import { createTestApp, ok, rawClient, waitFor } from '../helpers.js';
import { startTargetServer } from '../support/target-server.js';

function sample(exposition: string, name: string, labels: string): number {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = exposition.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('the Node metrics', () => {
  it('count every stored result by kind and status, and observe each latency', async ({ expect, onTestFinished }) => {
    const t = await createTestApp();
    const runtime = createNodeProbeRuntime();
    const [healthy, failing] = await Promise.all([startTargetServer('healthy'), startTargetServer('failing')]);
    let live: LiveMonitor | undefined;
    onTestFinished(async () => {
      await live?.stop();
      await runtime.close();
      await healthy.close();
      await failing.close();
      t.close();
    });
    // Several checks per kind and status, and flushes a second apart, so a flush holds many results of each.
    const fleet = [...['a', 'b', 'c', 'd'].map((k) => [`gs-${k}`, healthy.url] as const), ...['e', 'f'].map((k) => [`gs-${k}`, failing.url] as const)];
    for (const [key, url] of fleet) {
      const asset = await ok(t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key } }), 201);
      await ok(t.call('POST', '/api/checks', { body: { key: `${key}-http`, assetId: asset.id, kind: 'http', intervalSeconds: 1, timeoutMs: 500, http: { url } } }), 201);
    }
    const metrics = createNodeMetrics();
    const probeThreads = new NodeProbeThreads({ threads: 1, concurrency: 16, log: () => {} });
    live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, probeThreads, flushIntervalMs: 1_000, ...metrics.hooks });
    metrics.attach(live, probeThreads);
    const stored = (status: number) => (rawClient(t.sqlite).prepare('select count(*) as n from check_results where status = ?').get(status) as { n: number }).n;
    await waitFor('a few flushes of results', () => stored(0) >= 12 && stored(2) >= 6, 10_000);
    const running = (await metrics.exposition()).body;
    expect(sample(running, 'coopwatch_checks_scheduled', '')).toBe(6);
    expect(sample(running, 'coopwatch_probe_threads_heap_bytes', '')).toBeGreaterThan(1_000_000);
    await live.stop();

    const { body } = await metrics.exposition();
    // Every run's lag is observed, though the runs were on the probe thread.
    expect(sample(body, 'coopwatch_scheduler_lag_seconds_count', '')).toBeGreaterThanOrEqual(stored(0) + stored(2));
    expect(sample(body, 'coopwatch_check_results_total', 'kind="http",status="up"')).toBe(stored(0));
    expect(sample(body, 'coopwatch_check_results_total', 'kind="http",status="down"')).toBe(stored(2));
    const withLatency = (rawClient(t.sqlite).prepare('select count(*) as n from check_results where latency_ms is not null').get() as { n: number }).n;
    expect(sample(body, 'coopwatch_check_latency_seconds_count', 'kind="http"')).toBe(withLatency);
  });
});
