// Figures a planner can trust, from real simulated runs against the real monitor: a drill that
// never takes a function below full strength records nothing for it and claims no failover; a
// guardrail abort is its own verdict and lowers no score; a drill is retired, not deleted, and its
// runs keep counting.
import { describe, expect, it } from 'vitest';
import { expectErrorShape, ok } from '../helpers.js';
import { setup } from './drill-testbed.js';

type Env = Awaited<ReturnType<typeof setup>>;

/** A planner page's HTML, signed in with the planner's token. */
async function plannerPage(env: Env, url: string): Promise<string> {
  const login = await env.app.request('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: env.t.tokens.planner }).toString() });
  const res = await env.app.request(url, { headers: { cookie: login.headers.get('set-cookie')!.split(';')[0]! } });
  expect(res.status).toBe(200);
  return res.text();
}

const functionScore = async (env: Env, id: number) =>
  (await ok(env.call('GET', '/api/reports/resilience'))).functions.find((f: { functionId: number }) => f.functionId === id);

describe.concurrent('measured per function', () => {
  it('a drill that never takes a function below full strength records nothing for it and claims no failover', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const cable = await env.asset('cable-1');
    const spare1 = await env.asset('cable-2');
    const spare2 = await env.asset('cable-3');
    const backbone = await env.asset('backbone');
    const backup = await env.asset('backup');
    // ISR rides any one of three cables: losing one leaves it whole (a spare still left)
    const isr = await env.fn('isr', [{ name: 'cables', k: 1, members: [cable.id, spare1.id, spare2.id] }]);
    const relay = await env.fn('relay', [{ name: 'paths', k: 1, members: [backbone.id, backup.id] }]);
    await env.start([cable.id, spare1.id, spare2.id, backbone.id, backup.id]);

    const oneCable = await env.drill({ key: 'one-cable', targetAssetIds: [cable.id], hypothesis: { functionIds: [isr] } });
    const quiet = await env.finished(oneCable.id, (await env.startRun(oneCable.id)).id);
    expect(quiet.functionIds).toEqual([isr]);
    expect(quiet).toMatchObject({ status: 'completed', verdict: 'pass', functions: [], detectedAt: null, ttdMs: null, failoverCompletedAt: null, ttfMs: null, rtoMet: null });
    expect(quiet.steps.map((s: { step: string }) => s.step)).toContain('not_exercised');
    expect(env.events(`select * from events where type = 'drill.failed_over' and drill_run_id = ?`, quiet.id)).toEqual([]);
    expect(await functionScore(env, isr)).toMatchObject({ score: 0, evidence: 'not_exercised', lastExercisedAt: null, failover: { count: 0 } });
    const report = await ok(env.call('GET', `/api/drills/${oneCable.id}/runs/${quiet.id}/report`));
    expect(report.functions).toEqual([expect.objectContaining({ functionId: isr, exercised: false, ttdMs: null, ttfMs: null, ttrMs: null, rtoMet: null })]);
    const runHtml = await plannerPage(env, `/planner/drills/${oneCable.id}/runs/${quiet.id}`);
    expect(runHtml).toContain('id="not-exercised"');
    expect(runHtml).toMatch(/data-key="isr" data-exercised="false"[\s\S]*?not exercised/);

    // the backbone drill takes the relay down to its last path: measured for the relay alone
    const backboneOut = await env.drill({ key: 'backbone-out', targetAssetIds: [backbone.id] });
    const measured = await env.finished(backboneOut.id, (await env.startRun(backboneOut.id)).id);
    expect(measured).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(measured.functions).toEqual([{ functionId: relay, lost: false, ttdMs: measured.ttdMs, ttfMs: measured.ttdMs, ttrMs: expect.any(Number) }]);
    expect(await functionScore(env, relay)).toMatchObject({ score: 100, evidence: 'passed', failover: { count: 1 } });
    expect(await functionScore(env, isr)).toMatchObject({ score: 0, evidence: 'not_exercised' });
  });

  it('a guardrail abort is aborted_by_guardrail and lowers no score; a retired drill keeps its runs and is never run again', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const tokyo = await env.asset('aws-tokyo', { kind: 'cloud_region' });
    const osaka = await env.asset('aws-osaka', { kind: 'cloud_region' });
    const relay = await env.fn('relay', [{ name: 'regions', k: 1, members: [tokyo.id, osaka.id] }]);
    const billing = await env.fn('billing', [{ name: 'tokyo only', k: 1, members: [tokyo.id] }]);
    await env.start([tokyo.id, osaka.id]);

    const proving = await env.drill({ key: 'relay-failover', targetAssetIds: [tokyo.id], hypothesis: { functionIds: [relay] } });
    const passed = await env.finished(proving.id, (await env.startRun(proving.id)).id);
    expect(passed).toMatchObject({ verdict: 'pass' });
    expect(await functionScore(env, relay)).toMatchObject({ score: 100, evidence: 'passed' });
    await env.statusIs(tokyo.id, 'up');

    const risky = await env.drill({ key: 'risky', targetAssetIds: [tokyo.id], hypothesis: { functionIds: [relay] }, guardrails: { protectedFunctionIds: [billing] } });
    const aborted = await env.finished(risky.id, (await env.startRun(risky.id)).id);
    expect(aborted).toMatchObject({ status: 'aborted', verdict: 'aborted_by_guardrail' });
    expect(aborted.abortReason).toMatch(/protected function/);
    // the relay's proof stands: the abort is shown beside it, not scored as a failed failover
    expect(await functionScore(env, relay)).toMatchObject({ score: 100, evidence: 'passed', lastVerdict: 'pass', lastRun: { runId: passed.id }, guardrailAborts: { count: 1, last: { runId: aborted.id } } });
    // billing (Tokyo only) was lost in the first run and never failed over: that run failed it, not the abort
    expect(passed.functions).toEqual(expect.arrayContaining([{ functionId: billing, lost: true, ttdMs: expect.any(Number), ttfMs: null, ttrMs: expect.any(Number) }]));
    expect(await functionScore(env, billing)).toMatchObject({ score: 0, evidence: 'failed', lastRun: { runId: passed.id }, guardrailAborts: { count: 1 } });
    // the planner sees it: the run's verdict, and the abort beside the relay's score
    expect(await plannerPage(env, `/planner/drills/${risky.id}/runs/${aborted.id}`)).toContain('aborted_by_guardrail');
    expect(await plannerPage(env, '/planner')).toMatch(/data-key="relay"[\s\S]*?data-evidence="passed"[\s\S]*?data-guardrail-aborts="1"/);
    await env.statusIs(tokyo.id, 'up');

    // "deleting" the passing drill retires it: readable, never run again, its runs kept and counted
    const scoreBefore = (await ok(env.call('GET', '/api/reports/resilience'))).score;
    await ok(env.call('DELETE', `/api/drills/${proving.id}`), 204);
    const retired = await ok(env.call('GET', `/api/drills/${proving.id}`));
    expect(Date.parse(retired.retiredAt)).toBeGreaterThan(0);
    expect((await ok(env.call('GET', `/api/drills/${proving.id}/runs`))).items.map((r: { id: number }) => r.id)).toEqual([passed.id]);
    expect(expectErrorShape(await env.call('POST', `/api/drills/${proving.id}/runs`), 409).message).toMatch(/retired/);
    expectErrorShape(await env.call('PATCH', `/api/drills/${proving.id}`, { body: { name: 'back again' } }), 409);
    expectErrorShape(await env.call('POST', '/api/drills', { body: { key: 'relay-failover', name: 'again', targetAssetIds: [tokyo.id] } }), 409);
    await ok(env.call('DELETE', `/api/drills/${proving.id}`), 204);
    expect(env.events(`select * from events where type = 'drill.retired' and subject_id = ?`, proving.id)).toHaveLength(1);
    expect(await functionScore(env, relay)).toMatchObject({ score: 100, evidence: 'passed' });
    expect((await ok(env.call('GET', '/api/reports/resilience'))).score).toBe(scoreBefore);
    expect(await plannerPage(env, `/planner/drills/${proving.id}`)).toContain('data-retired=');
  });
});
