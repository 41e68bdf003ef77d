// The drill tests' testbed: a temp database, the app wired to a drill runner, the real monitor,
// and (setup) one loopback target per asset; all torn down after the test.
import type { TestContext } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { DrillRunner } from '../../src/core/drills/runner.js';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { clientFor, createTestApp, rawClient, waitFor, ok } from '../helpers.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';


/**
 * A temp database and the app wired to a drill runner; `startRunner` starts the real monitor and
 * the runner once the inventory is in place. Everything, and what `alsoClose` names, is torn
 * down after the test.
 */
export async function drillTestbed(ctx: TestContext, alsoClose: () => Promise<void>) {
  const t = await createTestApp();
  const runtime = createNodeProbeRuntime();
  let live: LiveMonitor | undefined;
  let runner: DrillRunner | undefined;
  ctx.onTestFinished(async () => {
    runner?.stop();
    await live?.stop();
    await runtime.close();
    await alsoClose();
    t.close();
  });
  const app = createApp({
    database: () => t.sqlite.db,
    drills: { startRun: (c, id) => runner!.startRun(c, id), abortRun: (c, id, why) => runner!.abortRun(c, id, why) },
  });
  const startRunner = async () => {
    live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200 });
    runner = new DrillRunner({ db: t.sqlite.db, live, tickMs: 100 });
    runner.start();
  };
  return { t, app, call: clientFor(app, t.tokens, 'planner'), startRunner };
}

/** The testbed with one loopback target per asset. */
export async function setup(ctx: TestContext) {
  const servers: TargetServer[] = [];
  const { t, app, call, startRunner } = await drillTestbed(ctx, async () => {
    for (const s of servers) await s.close();
  });

  const env = {
    t,
    app,
    call,
    /** An asset with an HTTP check (1 s, thresholds 1) on its own loopback target. */
    async asset(key: string, extra: Record<string, unknown> = {}) {
      const server = await startTargetServer('healthy');
      servers.push(server);
      const id = (await ok(call('POST', '/api/assets', { token: t.tokens.admin, body: { key, kind: 'ground_station', name: key, ...extra } }), 201)).id as number;
      await ok(call('POST', '/api/checks', {
        token: t.tokens.admin,
        body: { key: `${key}-health`, assetId: id, kind: 'http', intervalSeconds: 1, timeoutMs: 1_000, failureThreshold: 1, successThreshold: 1, http: { url: server.url, expectStatus: 200 } },
      }), 201);
      return { id, server };
    },
    async fn(key: string, groups: Array<{ name: string; k: number; members: number[] }>) {
      const body = { key, name: key, tier: 'MEF', rtoSeconds: 600, mtdSeconds: 3_600, groups: groups.map((g) => ({ ...g, members: g.members.map((assetId) => ({ assetId })) })) };
      return (await ok(call('POST', '/api/functions', { token: t.tokens.admin, body }), 201)).id as number;
    },
    drill: (body: Record<string, unknown>) => ok(call('POST', '/api/drills', { body: { name: String(body.key), ...body } }), 201),
    startRun: (drillId: number) => ok(call('POST', `/api/drills/${drillId}/runs`), 201),
    run: (drillId: number, runId: number) => ok(call('GET', `/api/drills/${drillId}/runs/${runId}`)),
    finished: (drillId: number, runId: number, timeoutMs = 10_000) =>
      waitFor(`run ${runId} finished`, async () => {
        const r = await env.run(drillId, runId);
        return r.status !== 'running' ? r : null;
      }, timeoutMs),
    status: async (id: number) => (await ok(call('GET', `/api/assets/${id}`))).status as string,
    statusIs: (id: number, status: string) => waitFor(`asset ${id} ${status}`, async () => (await env.status(id)) === status),
    fnStatus: async (id: number) => (await ok(call('GET', `/api/functions/${id}`))).status as string,
    incidents: async () => (await ok(call('GET', '/api/incidents'))).items as Array<{ assetId: number | null; functionIds: number[] }>,
    /** Starts the monitor and the runner once the inventory is in place, and waits until every asset is up. */
    async start(assetIds: number[]) {
      await startRunner();
      for (const id of assetIds) await env.statusIs(id, 'up');
    },
    events(sql: string, ...params: unknown[]) {
      return rawClient(t.sqlite).prepare(sql).all(...params) as Array<{ type: string; subject_kind: string; subject_id: number; drill_run_id: number | null; ts: number }>;
    },
  };
  return env;
}

