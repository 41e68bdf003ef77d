// A full LIVE drill: the demo fleet on a loopback port plays a Tokyo region, an Osaka region and
// the service they carry (its failover automation moves traffic to Osaka a few seconds after
// Tokyo fails); the real monitor probes them; the drill runner injects the fault through the
// fleet's control API and measures TTD / TTF / TTR from what the checks see. Everything is
// observed through the API or the database.
import { describe, it, type TestContext } from 'vitest';
import { startDemoFleet, type DemoFleet } from '../../src/hosts/node/demo/fleet.js';
import { rawClient, waitFor, ok } from '../helpers.js';
import { drillTestbed } from './drill-testbed.js';

const FAILOVER_DELAY_MS = 3_000;


/** A temp database, the app wired to a drill runner, the demo fleet, the monitor; all torn down after the test. */
async function setup(ctx: TestContext) {
  let fleet: DemoFleet | undefined;
  const { t, call, startRunner } = await drillTestbed(ctx, async () => fleet?.close());

  fleet = await startDemoFleet({
    assets: [
      { key: 'aws-tokyo', kind: 'cloud_region', lat: 35.69, lon: 139.69 },
      { key: 'aws-osaka', kind: 'cloud_region', lat: 34.69, lon: 135.5 },
      { key: 'mw-relay', kind: 'service' },
    ],
    failover: [{ functionKey: 'mw-relay', primaryAssetKey: 'aws-tokyo', alternateAssetKey: 'aws-osaka', delayMs: FAILOVER_DELAY_MS }],
  });
  const asset = async (key: string, kind: string) => (await ok(call('POST', '/api/assets', { token: t.tokens.admin, body: { key, kind, name: key } }), 201)).id as number;
  const check = (key: string, assetId: number, url: string, intervalSeconds = 1) =>
    ok(call('POST', '/api/checks', {
      token: t.tokens.admin,
      body: { key, assetId, kind: 'http', intervalSeconds, timeoutMs: 1_000, failureThreshold: 1, successThreshold: 1, http: { url, expectStatus: 200 } },
    }), 201);
  const tokyo = await asset('aws-tokyo', 'cloud_region');
  const osaka = await asset('aws-osaka', 'cloud_region');
  const relay = await asset('mw-relay', 'service');
  await check('tokyo-health', tokyo, `${fleet.url}/assets/aws-tokyo/health`);
  await check('osaka-health', osaka, `${fleet.url}/assets/aws-osaka/health`);
  // The service is checked less often than the regions: the regions' checks see Tokyo fail before
  // the service's check has looked again, and failover must wait for that check to confirm it.
  await check('relay-health', relay, `${fleet.url}/functions/mw-relay/health`, 2);
  const fnId = (await ok(call('POST', '/api/functions', {
    token: t.tokens.admin,
    body: {
      key: 'missile-warning-relay', name: 'Missile-warning data relay', tier: 'PMEF', rtoSeconds: 600, mtdSeconds: 3_600,
      groups: [
        { name: 'primary-or-alternate', k: 1, members: [{ assetId: tokyo }, { assetId: osaka }] },
        { name: 'service-delivery', k: 1, members: [{ assetId: relay }] },
      ],
    },
  }), 201)).id as number;

  await startRunner();

  const status = async (id: number) => (await ok(call('GET', `/api/assets/${id}`))).status as string;
  for (const id of [tokyo, osaka, relay]) await waitFor(`asset ${id} up`, async () => (await status(id)) === 'up');
  await waitFor('function operational', async () => (await ok(call('GET', `/api/functions/${fnId}`))).status === 'operational');

  const hooks = {
    injectHook: { url: `${fleet.url}/control/assets/{assetKey}/fault`, method: 'POST', body: '{"mode":"down"}' },
    rollbackHook: { url: `${fleet.url}/control/assets/{assetKey}/fault`, method: 'POST', body: '{"mode":"healthy"}' },
  };
  return { t, call, fleet, ids: { tokyo, osaka, relay, fn: fnId }, hooks, status };
}

describe('a live drill against the demo fleet', () => {
  it('measures real TTD, TTF and TTR, passes, rolls back, and never opens an incident', async (ctx) => {
    const { expect } = ctx;
    const { t, call, fleet, ids, hooks, status } = await setup(ctx);
    const drill = await ok(call('POST', '/api/drills', {
      body: {
        key: 'tokyo-region-failover', name: 'Tokyo region failover', targetAssetIds: [ids.tokyo], mode: 'live', exerciseType: 'functional',
        ...hooks, hypothesis: { functionIds: [ids.fn], ttfLimitSeconds: 120 }, guardrails: { maxDurationSeconds: 60 },
      },
    }), 201);

    const started = await ok(call('POST', `/api/drills/${drill.id}/runs`), 201);
    expect(started).toMatchObject({ id: expect.any(Number), status: 'running' });
    expect(fleet.faults()['aws-tokyo']).toBe('down');

    // the watch floor sees the red tile during the run, and can tell it is a drill
    await waitFor('tokyo seen down', async () => (await status(ids.tokyo)) === 'down');

    const run = await waitFor('run finished', async () => {
      const r = await ok(call('GET', `/api/drills/${drill.id}/runs/${started.id}`));
      return r.status !== 'running' ? r : null;
    }, 25_000);

    expect(run).toMatchObject({ id: started.id, status: 'completed', verdict: 'pass', rtoMet: true, abortReason: null });
    const at = (s: string) => Date.parse(s);
    expect(at(run.detectedAt)).toBeGreaterThanOrEqual(at(run.startedAt));
    expect(run.ttdMs).toBeGreaterThan(0);
    // traffic moved to Osaka only after the fleet's failover delay, and the checks had to see it
    expect(run.ttfMs).toBeGreaterThanOrEqual(FAILOVER_DELAY_MS);
    expect(run.ttfMs).toBeGreaterThan(run.ttdMs);
    expect(run.ttrMs).toBeGreaterThanOrEqual(run.ttfMs);
    expect(at(run.failoverCompletedAt)).toBeGreaterThanOrEqual(at(run.detectedAt));
    expect(at(run.restoredAt)).toBeGreaterThanOrEqual(at(run.failoverCompletedAt));
    const steps = run.steps.map((s: { step: string }) => s.step);
    for (const step of ['resolve_targets', 'inject', 'detected', 'failed_over', 'rollback', 'restored']) expect(steps).toContain(step);
    expect(steps.indexOf('inject')).toBeLessThan(steps.indexOf('detected'));
    expect(steps.indexOf('detected')).toBeLessThan(steps.indexOf('failed_over'));
    expect(steps.indexOf('failed_over')).toBeLessThan(steps.indexOf('rollback'));
    expect(steps.indexOf('rollback')).toBeLessThan(steps.indexOf('restored'));
    expect(run.steps.find((s: { step: string }) => s.step === 'inject').detail).toMatch(/\/control\/assets\/aws-tokyo\/fault → 200/);

    // rolled back: the fleet is healthy again and the monitor sees it
    expect(Object.values(fleet.faults()).every((m) => m === 'healthy')).toBe(true);
    expect(await status(ids.tokyo)).toBe('up');

    // every drill event, and every asset and function event during the run, is marked with the run
    const db = rawClient(t.sqlite);
    const startedAt = at(run.startedAt);
    const finishedAt = at(run.finishedAt);
    const during = db
      .prepare(`select id, type, subject_kind, subject_id, drill_run_id from events where ts >= ? and ts <= ? and subject_kind in ('asset', 'function') order by id`)
      .all(startedAt, finishedAt) as Array<{ type: string; subject_kind: string; subject_id: number; drill_run_id: number | null }>;
    const drillEvents = db.prepare(`select type, drill_run_id from events where type like 'drill.%' and type not in ('drill.created')`).all() as Array<{ type: string; drill_run_id: number | null }>;
    expect(during.filter((e) => e.drill_run_id !== started.id)).toEqual([]);
    expect(drillEvents.filter((e) => e.drill_run_id !== started.id)).toEqual([]);
    expect(drillEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['drill.started', 'drill.detected', 'drill.failed_over', 'drill.completed']));
    const types = during.map((e) => `${e.type}:${e.subject_id}`);
    expect(types).toContain(`asset.down:${ids.tokyo}`);
    expect(types).toContain(`asset.up:${ids.tokyo}`);
    // the service itself went dark until the fleet switched over: the function was really lost
    expect(types).toContain(`asset.down:${ids.relay}`);
    expect(types).toContain(`function.lost:${ids.fn}`);

    // the primary region went down, the function was lost, and nobody was paged
    expect((await ok(call('GET', '/api/incidents'))).items).toEqual([]);
    expect(db.prepare(`select count(*) as n from events where type like 'incident.%'`).get()).toEqual({ n: 0 });

    // after-action report, JSON and Markdown
    const report = await ok(call('GET', `/api/drills/${drill.id}/runs/${started.id}/report`));
    expect(report.run).toMatchObject({ id: started.id, verdict: 'pass', ttfMs: run.ttfMs });
    expect(report.targets).toEqual([expect.objectContaining({ assetId: ids.tokyo, key: 'aws-tokyo' })]);
    // the function's own figures, from its own state changes: lost when the service went dark, served again once the fleet switched over
    const [own] = run.functions;
    expect(run.functions).toEqual([{ functionId: ids.fn, lost: true, ttdMs: run.ttdMs, ttfMs: expect.any(Number), ttrMs: expect.any(Number) }]);
    expect(own.ttfMs).toBeGreaterThanOrEqual(FAILOVER_DELAY_MS);
    expect(own.ttfMs).toBeLessThanOrEqual(run.ttfMs);
    expect(own.ttrMs).toBeGreaterThanOrEqual(own.ttfMs);
    expect(report.functions).toEqual([expect.objectContaining({ functionId: ids.fn, exercised: true, lost: true, ttfMs: own.ttfMs, rtoMet: true, mtdMarginMs: 3_600_000 - own.ttfMs })]);
    expect(report.hypothesis).toMatchObject({ held: true, ttfLimitSeconds: 120 });
    const md = await call('GET', `/api/drills/${drill.id}/runs/${started.id}/report`, { headers: { accept: 'text/markdown' } });
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toMatch(/text\/markdown/);
    expect(md.text).toMatch(/This was a drill/);
    expect(md.text).toMatch(/aws-tokyo/);
    expect(md.text).toMatch(/verdict: \*\*pass\*\*/);

    // the run is listed, and a new run may start now that this one is over
    expect((await ok(call('GET', `/api/drills/${drill.id}/runs`))).items.map((r: { id: number }) => r.id)).toEqual([started.id]);
  });
});
