// A live monitor against real loopback targets, one per test: its own database, probe runtime,
// monitor and targets. Observed through the API and the database.
import type { TestContext } from 'vitest';
import { LiveMonitor, type LiveMonitorOptions } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, rawClient, type TestApp, waitFor, ok } from '../helpers.js';
import { startTargetServer, type TargetServer } from './target-server.js';

// Each test gets its own database, probe runtime, monitor and targets, so tests run concurrently
// (they spend their time waiting on the monitor's one-second intervals).

export type EventRow = { id: number; type: string; subject_kind: string; subject_id: number | null; subject_key: string | null; severity: string; data: any };

export async function liveMonitorEnv(ctx: TestContext) {
  const t: TestApp = await createTestApp();
  const runtime = createNodeProbeRuntime();
  const targets: TargetServer[] = [];
  let live: LiveMonitor | undefined;
  ctx.onTestFinished(async () => {
    await live?.stop();
    await runtime.close();
    for (const server of targets) await server.close();
    t.close();
  });

  const env = {
    t,
    get live() {
      return live!;
    },
    async target(mode: Parameters<typeof startTargetServer>[0] = 'healthy') {
      const server = await startTargetServer(mode);
      targets.push(server);
      return server;
    },
    async startMonitor(options: Pick<LiveMonitorOptions, 'concurrency' | 'probeThreads'> = {}) {
      live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200, ...options });
      return live;
    },
    async createAsset(key: string, extra: Record<string, unknown> = {}): Promise<number> {
      const body = await ok(t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key, ...extra } }), 201);
      return body.id;
    },
    createHttpCheck(key: string, assetId: number, url: string, extra: Record<string, unknown> = {}, http: Record<string, unknown> = {}) {
      return ok(
        t.call('POST', '/api/checks', {
          body: {
            key, assetId, kind: 'http', intervalSeconds: 1, timeoutMs: 500, failureThreshold: 2, successThreshold: 2,
            http: { url, expectStatus: 200, ...http },
            ...extra,
          },
        }),
        201,
      );
    },
    asset: (id: number) => ok(t.call('GET', `/api/assets/${id}`)),
    fn: (id: number) => ok(t.call('GET', `/api/functions/${id}`)),
    check: (id: number) => ok(t.call('GET', `/api/checks/${id}`)),
    incidentsList: (query = '') => ok<{ items: any[] }>(t.call('GET', `/api/incidents${query}`)).then((b) => b.items),
    assetStatusIs(id: number, status: string) {
      return waitFor(`asset ${id} ${status}`, async () => (await env.asset(id)).status === status, 8_000);
    },
    eventsOf(type: string, subject?: { kind: string; id: number }): EventRow[] {
      const rows = rawClient(t.sqlite)
        .prepare(`select * from events where type = ? ${subject ? 'and subject_kind = ? and subject_id = ?' : ''} order by id`)
        .all(...(subject ? [type, subject.kind, subject.id] : [type])) as EventRow[];
      return rows.map((r) => ({ ...r, data: JSON.parse(r.data as unknown as string) }));
    },
    resultsOf(checkId: number): Array<{ ts: number; status: number; latency_ms: number | null }> {
      return rawClient(t.sqlite).prepare('select ts, status, latency_ms from check_results where check_id = ? order by ts').all(checkId) as any;
    },
  };
  return env;
}


export type LiveMonitorEnv = Awaited<ReturnType<typeof liveMonitorEnv>>;
