// Prometheus exposition for the Node runtime (prom-client): what the monitor does, as it does it.
import client from 'prom-client';
import type { LiveMonitorOptions } from '../../core/monitor/live-monitor.js';
import type { LiveMonitor } from '../../core/monitor/live-monitor.js';
import type { ObservationRecord } from '../../core/monitor/check-definition.js';
import type { NodeProbeThreads } from './probe-threads/pool.js';

export function createNodeMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'coopwatch_process_' });
  let live: LiveMonitor | undefined;
  let threads: NodeProbeThreads | undefined;

  const results = new client.Counter({
    name: 'coopwatch_check_results_total', help: 'Probe results recorded, by check kind and observed status',
    labelNames: ['kind', 'status'] as const, registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'coopwatch_check_latency_seconds', help: 'Probe latency by check kind',
    labelNames: ['kind'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  });
  const lag = new client.Histogram({
    name: 'coopwatch_scheduler_lag_seconds', help: 'How late checks started (actual start − due time)',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5], registers: [registry],
  });
  const flush = new client.Histogram({
    name: 'coopwatch_flush_duration_seconds', help: 'Time to write one batch of results with its state changes and events',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry],
  });
  new client.Gauge({
    name: 'coopwatch_checks_in_flight', help: 'Probes running now', registers: [registry],
    collect() { this.set(live?.probesInFlight ?? 0); },
  });
  new client.Gauge({
    name: 'coopwatch_checks_scheduled', help: 'Enabled checks on the schedule', registers: [registry],
    collect() { this.set(live?.checksScheduled ?? 0); },
  });
  new client.Gauge({
    name: 'coopwatch_probe_threads_heap_bytes', help: 'JS heap in use on the probe threads, summed (the process_ metrics cover the main thread only)', registers: [registry],
    async collect() { this.set(threads ? (await threads.memory()).heapUsed : 0); },
  });
  new client.Gauge({
    name: 'coopwatch_assets', help: 'Assets by current status', labelNames: ['status'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const [status, n] of Object.entries(live?.monitor.assetStatusCounts() ?? {})) this.set({ status }, n);
    },
  });
  new client.Gauge({
    name: 'coopwatch_function_status', help: 'Mission functions: 1 for the current status', labelNames: ['function', 'status', 'redundancy'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const f of live?.monitor.functionSummaries() ?? []) this.set({ function: f.key, status: f.status, redundancy: f.redundancy }, 1);
    },
  });

  const countResults = resultCounter(results, latency);
  const hooks: Pick<LiveMonitorOptions, 'onStart' | 'onFlush'> = {
    onStart: (lagMs) => lag.observe(lagMs / 1000),
    onFlush: (records, durationMs) => {
      flush.observe(durationMs / 1000);
      countResults(records, (checkId) => live?.monitor.checkKind(checkId) ?? 'unknown');
    },
  };

  return {
    hooks,
    attach(monitor: LiveMonitor, probeThreads?: NodeProbeThreads) {
      live = monitor;
      threads = probeThreads;
    },
    async exposition(): Promise<{ body: string; contentType: string }> {
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}

/**
 * Thousands of results a flush: counted per label pair first, and observed through one child
 * histogram per kind, so prom-client hashes labels a few times a flush, not per result.
 */
function resultCounter(results: client.Counter<'kind' | 'status'>, latency: client.Histogram<'kind'>) {
  const latencyByKind = new Map<string, client.Histogram.Internal<'kind'>>();
  const latencyOf = (kind: string) => {
    let child = latencyByKind.get(kind);
    if (!child) latencyByKind.set(kind, (child = latency.labels({ kind })));
    return child;
  };
  return (records: readonly ObservationRecord[], kindOf: (checkId: number) => string) => {
    const counts = new Map<string, { kind: string; status: string; n: number }>();
    for (const record of records) {
      const kind = kindOf(record.checkId);
      const { status, latencyMs } = record.observation;
      const key = `${kind} ${status}`;
      const count = counts.get(key);
      if (count) count.n++;
      else counts.set(key, { kind, status, n: 1 });
      if (latencyMs !== null) latencyOf(kind).observe(latencyMs / 1000);
    }
    for (const { kind, status, n } of counts.values()) results.inc({ kind, status }, n);
  };
}
