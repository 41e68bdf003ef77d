// Guardrails and run rules of simulated drills, against real loopback targets probed by the real
// monitor: an outside asset going down, the maximum duration, a protected function lost — each
// aborts and rolls back at once; overlapping runs are refused; no targets fails the run; the
// blast radius caps the targets.
import { describe, it } from 'vitest';
import { expectErrorShape, waitFor, ok } from '../helpers.js';
import { startTargetServer } from '../support/target-server.js';
import { setup } from './drill-testbed.js';

describe.concurrent('guardrails abort and roll back', () => {
  it('an asset outside the blast radius going down aborts the run, names the asset, and lifts the simulated outage', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const target = await env.asset('gs-usuda');
    const bystander = await env.asset('gs-katsuura');
    // a 1-of-1 function: lost for the whole drill, so the run is still failing over when the bystander fails
    const fnId = await env.fn('usuda-downlink', [{ name: 'station', k: 1, members: [target.id] }]);
    await env.start([target.id, bystander.id]);

    const drill = await env.drill({ key: 'usuda-outage', targetAssetIds: [target.id], guardrails: { maxDurationSeconds: 60 } });
    const started = await env.startRun(drill.id);
    expect(started.status).toBe('running');
    await env.statusIs(target.id, 'down');
    expect(await env.fnStatus(fnId)).toBe('lost');
    expect((await env.run(drill.id, started.id)).status).toBe('running');

    bystander.server.setMode('failing');
    const run = await env.finished(drill.id, started.id);
    // the drill was unsafe, which says nothing of the function: its own outcome, not a failed failover
    expect(run).toMatchObject({ status: 'aborted', verdict: 'aborted_by_guardrail' });
    // the function was lost and only the rollback brought it back: no failover is claimed
    expect(run.functions).toEqual([{ functionId: fnId, lost: true, ttdMs: expect.any(Number), ttfMs: null, ttrMs: expect.any(Number) }]);
    expect(run.abortReason).toMatch(/gs-katsuura/);
    expect(run.abortReason).toMatch(/outside the blast radius/);
    const steps = run.steps.map((s: { step: string }) => s.step);
    expect(steps).toContain('abort');
    expect(steps.indexOf('rollback')).toBeGreaterThan(steps.indexOf('abort'));
    expect(run.finishedAt).not.toBeNull();

    // rolled back: the target is no longer simulated down, its function is served again
    await env.statusIs(target.id, 'up');
    await waitFor('function operational', async () => (await env.fnStatus(fnId)) === 'operational');
    // the bystander's outage is real: it pages; the drill's target never did
    const incidents = await waitFor('the bystander incident', async () => {
      const list = await env.incidents();
      return list.some((i) => i.assetId === bystander.id) ? list : null;
    });
    expect(incidents.filter((i) => i.assetId === target.id || i.functionIds.includes(fnId))).toEqual([]);
    // the drill's own state changes, recovery included, are marked with the run; the bystander's are not
    const mine = env.events(
      `select * from events where ((subject_kind = 'asset' and subject_id = ?) or (subject_kind = 'function' and subject_id = ?)) and ts >= ? order by id`,
      target.id, fnId, Date.parse(run.startedAt),
    );
    expect(mine.map((e) => e.type)).toEqual(expect.arrayContaining(['asset.down', 'function.lost', 'asset.up', 'function.operational']));
    expect(mine.filter((e) => e.drill_run_id !== started.id)).toEqual([]);
    const bystanderDown = env.events(`select * from events where type = 'asset.down' and subject_id = ?`, bystander.id);
    expect(bystanderDown).toHaveLength(1);
    expect(bystanderDown[0]!.drill_run_id).toBeNull();
  });

  it('reaching maxDurationSeconds aborts the run', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const target = await env.asset('aws-tokyo', { kind: 'cloud_region' });
    const fnId = await env.fn('tokyo-only', [{ name: 'region', k: 1, members: [target.id] }]);
    await env.start([target.id]);

    const drill = await env.drill({ key: 'never-fails-over', targetAssetIds: [target.id], guardrails: { maxDurationSeconds: 10 } });
    const started = await env.startRun(drill.id);
    await env.statusIs(target.id, 'down');
    const run = await env.finished(drill.id, started.id, 16_000);
    // out of time while failing over: the function did not fail over, a failure (not a guardrail abort)
    expect(run).toMatchObject({ status: 'aborted', verdict: 'fail', failoverCompletedAt: null, ttfMs: null, rtoMet: null });
    expect(run.functions).toEqual([{ functionId: fnId, lost: true, ttdMs: run.ttdMs, ttfMs: null, ttrMs: expect.any(Number) }]);
    expect(run.abortReason).toMatch(/maximum duration of 10 s/);
    expect(Date.parse(run.finishedAt) - Date.parse(run.startedAt)).toBeGreaterThanOrEqual(10_000);
    expect(run.detectedAt).not.toBeNull();
    await env.statusIs(target.id, 'up');
    await waitFor('function operational', async () => (await env.fnStatus(fnId)) === 'operational');
    expect(await env.incidents()).toEqual([]);
  });

  it('losing a protected function aborts the run', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const primary = await env.asset('aws-tokyo', { kind: 'cloud_region' });
    const alternate = await env.asset('aws-osaka', { kind: 'cloud_region' });
    const relay = await env.fn('relay', [{ name: 'regions', k: 1, members: [primary.id, alternate.id] }]);
    // a function nobody thought ran on Tokyo alone
    const billing = await env.fn('billing', [{ name: 'tokyo only', k: 1, members: [primary.id] }]);
    await env.start([primary.id, alternate.id]);

    const drill = await env.drill({
      key: 'tokyo-out', targetAssetIds: [primary.id], hypothesis: { functionIds: [relay] }, guardrails: { maxDurationSeconds: 60, protectedFunctionIds: [billing] },
    });
    const started = await env.startRun(drill.id);
    const run = await env.finished(drill.id, started.id);
    expect(run).toMatchObject({ status: 'aborted', verdict: 'aborted_by_guardrail' });
    expect(run.abortReason).toMatch(new RegExp(`protected function ${billing}\\b.*lost`));
    await env.statusIs(primary.id, 'up');
    await waitFor('billing operational', async () => (await env.fnStatus(billing)) === 'operational');
    expect(await env.incidents()).toEqual([]);
  });
});

describe.concurrent('run rules', () => {
  it('a simulated drill with a healthy alternate passes once the alternate has been checked again', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const primary = await env.asset('aws-tokyo', { kind: 'cloud_region' });
    const alternate = await env.asset('aws-osaka', { kind: 'cloud_region' });
    const fnId = await env.fn('relay', [{ name: 'regions', k: 1, members: [primary.id, alternate.id] }]);
    await env.start([primary.id, alternate.id]);
    const requestsBefore = alternate.server.requests;

    const drill = await env.drill({ key: 'tokyo-sim', targetAssetIds: [primary.id], hypothesis: { functionIds: [fnId], ttfLimitSeconds: 60 } });
    const started = await env.startRun(drill.id);
    const run = await env.finished(drill.id, started.id);
    expect(run).toMatchObject({ status: 'completed', verdict: 'pass', rtoMet: true });
    // the relay lost its spare (never its service): carried by the alternate from the moment it was hit, whole again after the rollback
    expect(run.functions).toEqual([{ functionId: fnId, lost: false, ttdMs: run.ttdMs, ttfMs: run.ttdMs, ttrMs: expect.any(Number) }]);
    expect(run.functions[0].ttrMs).toBeGreaterThanOrEqual(run.ttfMs);
    expect(run.ttdMs).toBeGreaterThanOrEqual(0);
    expect(run.ttfMs).toBeGreaterThan(run.ttdMs);
    expect(run.ttrMs).toBeGreaterThanOrEqual(run.ttfMs);
    // the failover was confirmed by a real probe of the alternate made during the run
    expect(alternate.server.requests).toBeGreaterThan(requestsBefore);
    expect(run.steps.map((s: { step: string }) => s.step)).toEqual(['resolve_targets', 'inject', 'detected', 'failed_over', 'rollback', 'restored']);
    // the target never really failed: its checks kept answering, and it is up again
    expect(primary.server.requests).toBeGreaterThan(0);
    await env.statusIs(primary.id, 'up');
    const marked = env.events(`select * from events where subject_kind in ('asset', 'function') and ts >= ? and ts <= ?`, Date.parse(run.startedAt), Date.parse(run.finishedAt));
    expect(marked.map((e) => e.type)).toEqual(expect.arrayContaining(['asset.down', 'asset.up', 'redundancy.lost', 'redundancy.restored']));
    expect(marked.filter((e) => e.drill_run_id !== started.id)).toEqual([]);
    expect(await env.incidents()).toEqual([]);
  });

  it('a hypothesis function served through a member function is not failed over while an asset of that member is failing its checks', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const primary = await env.asset('aws-tokyo', { kind: 'cloud_region' });
    const alternate = await env.asset('aws-osaka', { kind: 'cloud_region' });
    // a second check on the alternate that needs thirty failures to count: failing, it leaves the asset up
    const deep = await startTargetServer('healthy');
    ctx.onTestFinished(() => deep.close());
    await ok(env.call('POST', '/api/checks', {
      token: env.t.tokens.admin,
      body: { key: 'aws-osaka-deep', assetId: alternate.id, kind: 'http', intervalSeconds: 1, timeoutMs: 1_000, failureThreshold: 30, successThreshold: 1, http: { url: deep.url, expectStatus: 200 } },
    }), 201);
    const regions = await env.fn('regions', [{ name: 'regions', k: 1, members: [primary.id, alternate.id] }]);
    const body = { key: 'relay', name: 'relay', tier: 'MEF', rtoSeconds: 600, mtdSeconds: 3_600, groups: [{ name: 'platform', k: 1, members: [{ functionId: regions }] }] };
    const relay = (await ok(env.call('POST', '/api/functions', { token: env.t.tokens.admin, body }), 201)).id as number;
    await env.start([primary.id, alternate.id]);
    deep.setMode('failing');

    const drill = await env.drill({ key: 'tokyo-nested', targetAssetIds: [primary.id], hypothesis: { functionIds: [relay] }, guardrails: { maxDurationSeconds: 10 } });
    const started = await env.startRun(drill.id);
    const run = await env.finished(drill.id, started.id, 16_000);
    // the alternate, two levels below the hypothesis function, is watched: its failing check holds the failover back
    expect(run).toMatchObject({ status: 'aborted', verdict: 'fail', failoverCompletedAt: null });
    expect(run.detectedAt).not.toBeNull();
    expect(run.abortReason).toMatch(/maximum duration of 10 s/);
    expect(await env.status(alternate.id)).toBe('up');
  });

  it('refuses a second run while one is in progress (409), and allows one after it is aborted', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const target = await env.asset('gs-usuda');
    await env.fn('usuda-downlink', [{ name: 'station', k: 1, members: [target.id] }]);
    await env.start([target.id]);
    const drill = await env.drill({ key: 'usuda-outage', targetAssetIds: [target.id], guardrails: { maxDurationSeconds: 60 } });

    const first = await env.startRun(drill.id);
    const second = await env.call('POST', `/api/drills/${drill.id}/runs`);
    const error = expectErrorShape(second, 409);
    expect(error.message).toMatch(new RegExp(`run ${first.id} in progress`));
    expect((await ok(env.call('GET', `/api/drills/${drill.id}/runs`))).items).toHaveLength(1);

    // a viewer cannot start or abort a run
    expect((await env.call('POST', `/api/drills/${drill.id}/runs`, { token: env.t.tokens.viewer })).status).toBe(403);
    expect((await env.call('POST', `/api/drills/${drill.id}/runs/${first.id}/abort`, { token: env.t.tokens.viewer })).status).toBe(403);

    const aborted = await ok(env.call('POST', `/api/drills/${drill.id}/runs/${first.id}/abort`, { body: { reason: 'watch floor busy' } }));
    expect(aborted).toMatchObject({ id: first.id, status: 'aborted', verdict: 'aborted' });
    expect(aborted.abortReason).toMatch(/watch floor busy/);
    expectErrorShape(await env.call('POST', `/api/drills/${drill.id}/runs/${first.id}/abort`), 409);
    await env.statusIs(target.id, 'up');

    const third = await env.startRun(drill.id);
    expect(third).toMatchObject({ status: 'running' });
    await ok(env.call('POST', `/api/drills/${drill.id}/runs/${third.id}/abort`));
  });

  it('a run with no resolvable targets fails', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const station = await env.asset('gs-usuda', { lat: 36.13, lon: 138.36 });
    await env.start([station.id]);
    // a custom scenario around a point in the South Atlantic: nothing there
    const scenario = await ok(env.call('POST', '/api/scenarios', {
      body: { key: 'empty-ocean', name: 'Empty ocean', kind: 'custom', params: { selector: { radius: { lat: -40, lon: -20, km: 100 } } } },
    }), 201);
    const drill = await env.drill({ key: 'nothing-to-break', scenarioId: scenario.id });
    const started = await env.startRun(drill.id);
    expect(started).toMatchObject({ status: 'failed', verdict: 'fail', targetAssetIds: [] });
    const run = await env.run(drill.id, started.id);
    expect(run).toMatchObject({ status: 'failed', verdict: 'fail', detectedAt: null, ttdMs: null });
    expect(run.steps.map((s: { step: string }) => s.step)).toEqual(['resolve_targets', 'failed']);
    expect(await env.status(station.id)).toBe('up');
    const failedEvents = env.events(`select * from events where type = 'drill.failed'`);
    expect(failedEvents).toHaveLength(1);
    expect(failedEvents[0]!.drill_run_id).toBe(started.id);
    // nothing is left running: a new run is not refused
    expect((await env.call('POST', `/api/drills/${drill.id}/runs`)).status).toBe(201);
  });

  it('the blast radius caps the targets: COUNT 1, PERCENT 50', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const stations = [];
    for (const key of ['gs-a', 'gs-b', 'gs-c', 'gs-d']) stations.push(await env.asset(key));
    const ids = stations.map((s) => s.id);
    // every station needed: any target down loses the function, so the run stays in progress to look at
    await env.fn('all-stations', [{ name: 'stations', k: 4, members: ids }]);
    await env.start(ids);

    const one = await env.drill({ key: 'count-one', targetAssetIds: ids, blastRadius: { type: 'COUNT', value: 1 }, guardrails: { maxDurationSeconds: 60, abortOnOutsideAssetDown: false } });
    const r1 = await env.startRun(one.id);
    expect(r1.targetAssetIds).toEqual([ids[0]]);
    await env.statusIs(ids[0]!, 'down');
    expect(await Promise.all(ids.slice(1).map(env.status))).toEqual(['up', 'up', 'up']);
    await ok(env.call('POST', `/api/drills/${one.id}/runs/${r1.id}/abort`));
    await env.statusIs(ids[0]!, 'up');

    const half = await env.drill({ key: 'percent-fifty', targetAssetIds: ids, blastRadius: { type: 'PERCENT', value: 50 }, guardrails: { maxDurationSeconds: 60, abortOnOutsideAssetDown: false } });
    const r2 = await env.startRun(half.id);
    expect(r2.targetAssetIds).toEqual(ids.slice(0, 2));
    await env.statusIs(ids[0]!, 'down');
    await env.statusIs(ids[1]!, 'down');
    expect(await Promise.all(ids.slice(2).map(env.status))).toEqual(['up', 'up']);
    await ok(env.call('POST', `/api/drills/${half.id}/runs/${r2.id}/abort`));
    for (const id of ids) await env.statusIs(id, 'up');
    expect(await env.incidents()).toEqual([]);
  });
});
