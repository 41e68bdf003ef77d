// A drill in flight when the process dies: the runner and the monitor stop without finishing the
// run (drill_runs.status stays 'running'), then a new monitor and runner start on the same
// database file. The run must be closed as interrupted and rolled back — for a live drill the
// fleet asset is healthy again — and never left hanging.
import { describe, it, type TestContext } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { startDemoFleet, type DemoFleet } from '../../src/hosts/node/demo/fleet.js';
import { closeInterruptedRuns, DrillRunner } from '../../src/core/drills/runner.js';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, rawClient, waitFor, ok } from '../helpers.js';

type Res = { status: number; body: any; text: string };

/** The demo fleet, a database with Tokyo / Osaka / the relay service and their checks, and a process (monitor + runner) you can crash and restart. */
async function setup(ctx: TestContext) {
  const t = await createTestApp();
  const runtime = createNodeProbeRuntime();
  let live: LiveMonitor | undefined;
  let runner: DrillRunner | undefined;
  const fleet: DemoFleet = await startDemoFleet({
    assets: [
      { key: 'aws-tokyo', kind: 'cloud_region', lat: 35.69, lon: 139.69 },
      { key: 'aws-osaka', kind: 'cloud_region', lat: 34.69, lon: 135.5 },
      { key: 'mw-relay', kind: 'service' },
    ],
    failover: [{ functionKey: 'mw-relay', primaryAssetKey: 'aws-tokyo', alternateAssetKey: 'aws-osaka', delayMs: 3_000 }],
  });
  ctx.onTestFinished(async () => {
    runner?.stop();
    await live?.stop();
    await runtime.close();
    await fleet.close();
    t.close();
  });
  const app = createApp({
    database: () => t.sqlite.db,
    drills: { startRun: (c, id) => runner!.startRun(c, id), abortRun: (c, id, why) => runner!.abortRun(c, id, why) },
  });
  const call = async (method: string, url: string, body?: unknown): Promise<Res> => {
    const headers: Record<string, string> = { authorization: `Bearer ${t.tokens.admin}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
  };
  const asset = async (key: string, kind: string, url: string) => {
    const id = (await ok(call('POST', '/api/assets', { key, kind, name: key }), 201)).id as number;
    await ok(call('POST', '/api/checks', {
      key: `${key}-health`, assetId: id, kind: 'http', intervalSeconds: 1, timeoutMs: 1_000, failureThreshold: 1, successThreshold: 1, http: { url, expectStatus: 200 },
    }), 201);
    return id;
  };
  const tokyo = await asset('aws-tokyo', 'cloud_region', `${fleet.url}/assets/aws-tokyo/health`);
  const osaka = await asset('aws-osaka', 'cloud_region', `${fleet.url}/assets/aws-osaka/health`);
  const relay = await asset('mw-relay', 'service', `${fleet.url}/functions/mw-relay/health`);
  const fnId = (await ok(call('POST', '/api/functions', {
    key: 'missile-warning-relay', name: 'Missile-warning data relay', tier: 'PMEF', rtoSeconds: 600, mtdSeconds: 3_600,
    groups: [
      { name: 'primary-or-alternate', k: 1, members: [{ assetId: tokyo }, { assetId: osaka }] },
      { name: 'service-delivery', k: 1, members: [{ assetId: relay }] },
    ],
  }), 201)).id as number;

  const status = async (id: number) => (await ok(call('GET', `/api/assets/${id}`))).status as string;
  const env = {
    t, call, fleet, status, ids: { tokyo, osaka, relay, fn: fnId },
    hook: (mode: string) => ({ url: `${fleet.url}/control/assets/{assetKey}/fault`, method: 'POST', body: JSON.stringify({ mode }) }),
    /** Starts the process as the Node host does: close what a previous process left running, then the monitor and the drill runner. */
    async startProcess() {
      const settling = await closeInterruptedRuns({ db: t.sqlite.db });
      live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200, drillMarks: settling });
      runner = new DrillRunner({ db: t.sqlite.db, live, tickMs: 100, settling });
      runner.start();
    },
    /** A crash, as far as the run is concerned: timers stop, nothing finishes the run or rolls it back. */
    async crash() {
      runner!.stop();
      await live!.stop();
      runner = undefined;
      live = undefined;
    },
    storedRun: (id: number) => rawClient(t.sqlite).prepare('select status, phase, finished_at from drill_runs where id = ?').get(id) as { status: string; phase: string; finished_at: number | null },
  };
  await env.startProcess();
  for (const id of [tokyo, osaka, relay]) await waitFor(`asset ${id} up`, async () => (await status(id)) === 'up');
  return env;
}

describe.concurrent('a restart in the middle of a drill', () => {
  it('live: the run is closed as interrupted and its rollback hook is called, so the fleet is healthy again', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const drill = await ok(env.call('POST', '/api/drills', {
      key: 'tokyo-failover', name: 'Tokyo failover', targetAssetIds: [env.ids.tokyo], mode: 'live',
      injectHook: env.hook('down'), rollbackHook: env.hook('healthy'), guardrails: { maxDurationSeconds: 120 },
    }), 201);
    const started = await ok(env.call('POST', `/api/drills/${drill.id}/runs`), 201);
    expect(started.status).toBe('running');
    // in flight: the fault is injected and the monitor has seen it
    await waitFor('detected', async () => (await ok(env.call('GET', `/api/drills/${drill.id}/runs/${started.id}`))).detectedAt);
    expect(env.fleet.faults()['aws-tokyo']).toBe('down');

    await env.crash();
    expect(env.storedRun(started.id)).toMatchObject({ status: 'running', finished_at: null });
    // nothing rolled the fault back while the process was gone
    await new Promise((r) => setTimeout(r, 300));
    expect(env.fleet.faults()['aws-tokyo']).toBe('down');

    await env.startProcess();
    // the runner closes the run as it starts, before it takes anything else on
    const run = await ok(env.call('GET', `/api/drills/${drill.id}/runs/${started.id}`));
    expect(run).toMatchObject({ status: 'interrupted', verdict: 'aborted' });
    expect(run.abortReason).toMatch(/interrupted by a restart/);
    expect(run.finishedAt).not.toBeNull();
    expect(run.detectedAt).not.toBeNull();
    const steps = run.steps as Array<{ step: string; detail: string }>;
    expect(steps.map((s) => s.step).slice(-2)).toEqual(['rollback', 'interrupted']);
    expect(steps.find((s) => s.step === 'rollback')!.detail).toMatch(/\/control\/assets\/aws-tokyo\/fault → 200/);
    expect(env.storedRun(started.id)).toMatchObject({ status: 'interrupted', phase: 'done' });

    // rolled back for real: the fleet plays Tokyo healthy again and the restarted monitor sees it
    expect(Object.values(env.fleet.faults()).every((m) => m === 'healthy')).toBe(true);
    await waitFor('tokyo up', async () => (await env.status(env.ids.tokyo)) === 'up');
    await waitFor('relay up', async () => (await env.status(env.ids.relay)) === 'up');

    const aborted = rawClient(env.t.sqlite).prepare(`select drill_run_id, data from events where type = 'drill.aborted'`).all() as Array<{ drill_run_id: number; data: string }>;
    expect(aborted).toHaveLength(1);
    expect(aborted[0]!.drill_run_id).toBe(started.id);
    expect(JSON.parse(aborted[0]!.data)).toMatchObject({ status: 'interrupted' });
    // no page for the drill's outage, before or after the restart
    expect((await ok(env.call('GET', '/api/incidents'))).items).toEqual([]);

    // the drill is free to run again, and a second restart finds nothing to close
    const again = await ok(env.call('POST', `/api/drills/${drill.id}/runs`), 201);
    expect(again.status).toBe('running');
    await ok(env.call('POST', `/api/drills/${drill.id}/runs/${again.id}/abort`));
    expect(env.fleet.faults()['aws-tokyo']).toBe('healthy');
    await env.crash();
    await env.startProcess();
    expect(env.storedRun(again.id)).toMatchObject({ status: 'aborted' });
    expect(env.storedRun(started.id)).toMatchObject({ status: 'interrupted' });
  });

  it('simulated: the run is closed as interrupted and the target is no longer treated as down', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const drill = await ok(env.call('POST', '/api/drills', {
      key: 'tokyo-simulated', name: 'Tokyo simulated', targetAssetIds: [env.ids.tokyo, env.ids.osaka], guardrails: { maxDurationSeconds: 120 },
    }), 201);
    const started = await ok(env.call('POST', `/api/drills/${drill.id}/runs`), 201);
    // both regions simulated down: the function is lost and the run waits for a failover that cannot come
    await waitFor('tokyo down', async () => (await env.status(env.ids.tokyo)) === 'down');
    await waitFor('osaka down', async () => (await env.status(env.ids.osaka)) === 'down');

    await env.crash();
    expect(env.storedRun(started.id)).toMatchObject({ status: 'running' });
    await env.startProcess();

    const run = await ok(env.call('GET', `/api/drills/${drill.id}/runs/${started.id}`));
    expect(run).toMatchObject({ status: 'interrupted', verdict: 'aborted' });
    expect(run.steps.at(-1).step).toBe('interrupted');
    await waitFor('tokyo up', async () => (await env.status(env.ids.tokyo)) === 'up');
    await waitFor('osaka up', async () => (await env.status(env.ids.osaka)) === 'up');
    await waitFor('function operational', async () => (await ok(env.call('GET', `/api/functions/${env.ids.fn}`))).status === 'operational');
    expect((await ok(env.call('GET', '/api/incidents'))).items).toEqual([]);
  });
});
