// After-action findings tracked to closure, and the resilience report computed from stored runs
// and incidents: p50 / p95 of each function's own recovery times, RTO compliance, overdue
// exercises, and the documented tier-weighted score (from the runs that took each function below
// full strength: 100 passed in cycle / 75 pass expired / 0 failed / 0 never; guardrail aborts shown, not scored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillRuns, incidents } from '../../src/core/store/schema/index.js';
import { createTestApp, expectErrorShape, type TestApp, ok } from '../helpers.js';

const DAY = 86_400_000;
const S = 1_000;

let t: TestApp;
let assetId: number;
let drillId: number;

async function fn(key: string, tier: 'PMEF' | 'MEF' | 'supporting') {
  return (await ok(t.call('POST', '/api/functions', { body: { key, name: key, tier, rtoSeconds: 600, mtdSeconds: 3_600 } }), 201)).id as number;
}

/**
 * A stored run of the drill for the given functions, started `daysAgo`, with its measured offsets
 * (seconds from the start); each function gets those figures as its own (lost) unless `notExercised`.
 */
async function insertRun(functionIds: number[], daysAgo: number, run: {
  status?: 'completed' | 'aborted' | 'failed' | 'interrupted';
  verdict: 'pass' | 'fail' | 'aborted' | 'aborted_by_guardrail' | null;
  detected?: number; failedOver?: number; restored?: number; rtoMet?: boolean | null; notExercised?: boolean;
}): Promise<number> {
  const startedAt = Date.now() - daysAgo * DAY;
  const at = (s: number | undefined) => (s === undefined ? null : startedAt + s * S);
  const ms = (s: number | undefined) => (s === undefined ? null : s * S);
  const functionOutcomes = run.notExercised || run.detected === undefined
    ? []
    : functionIds.map((functionId) => ({ functionId, lost: true, ttdMs: ms(run.detected), ttfMs: ms(run.failedOver), ttrMs: ms(run.restored) }));
  const [row] = await t.sqlite.db.insert(drillRuns).values({
    drillId, status: run.status ?? 'completed', phase: 'done', verdict: run.verdict, trigger: 'manual', targetAssetIds: [assetId], functionIds,
    startedAt, detectedAt: at(run.detected), failoverCompletedAt: at(run.failedOver), restoredAt: at(run.restored), finishedAt: at(run.restored) ?? startedAt + 60 * S,
    rtoMet: run.rtoMet ?? null, abortReason: run.status === 'aborted' ? 'a guardrail fired' : null, steps: [{ at: startedAt, step: 'resolve_targets', detail: 'inserted by the test' }],
    functionOutcomes,
  }).returning();
  return row!.id;
}

beforeAll(async () => {
  t = await createTestApp();
  assetId = (await ok(t.call('POST', '/api/assets', { body: { key: 'aws-tokyo', kind: 'cloud_region', name: 'Tokyo' } }), 201)).id;
  drillId = (await ok(t.call('POST', '/api/drills', { body: { key: 'tokyo-failover', name: 'Tokyo failover', targetAssetIds: [assetId] } }), 201)).id;
});
afterAll(() => t?.close());

describe('findings', () => {
  it('are recorded against a run with owner and due date, and tracked to closure', async () => {
    const fnId = await fn('findings-fn', 'MEF');
    const runId = await insertRun([fnId], 1, { verdict: 'fail', detected: 5, failedOver: 900, restored: 1_000, rtoMet: false });
    const base = `/api/drills/${drillId}/runs/${runId}/findings`;

    const created = await ok(t.call('POST', base, { token: t.tokens.planner, body: { title: 'Failover runbook skips DNS TTL', owner: 'ops-lead', dueDate: '2030-03-31' } }), 201);
    expect(created).toMatchObject({ runId, title: 'Failover runbook skips DNS TTL', owner: 'ops-lead', dueDate: '2030-03-31', status: 'open', closedAt: null });
    const second = await ok(t.call('POST', base, { token: t.tokens.planner, body: { title: 'Pager rota out of date', detail: 'two people left', owner: 'watch-chief', dueDate: '2030-01-15', status: 'in_progress' } }), 201);

    // listed by due date
    expect((await ok(t.call('GET', '/api/findings', { token: t.tokens.viewer }))).items.map((f: { id: number }) => f.id)).toEqual([second.id, created.id]);

    // reassigned, then closed: closing stamps closedAt
    const reassigned = await ok(t.call('PATCH', `/api/findings/${created.id}`, { token: t.tokens.planner, body: { owner: 'network-team', dueDate: '2030-04-30' } }));
    expect(reassigned).toMatchObject({ owner: 'network-team', dueDate: '2030-04-30', status: 'open', closedAt: null });
    const before = Date.now();
    const closed = await ok(t.call('PATCH', `/api/findings/${created.id}`, { token: t.tokens.planner, body: { status: 'closed' } }));
    expect(closed.status).toBe('closed');
    expect(Date.parse(closed.closedAt)).toBeGreaterThanOrEqual(before - 1_000);
    // patching something else keeps it closed with the same closedAt
    const edited = await ok(t.call('PATCH', `/api/findings/${created.id}`, { token: t.tokens.planner, body: { detail: 'TTL lowered to 60 s' } }));
    expect(edited).toMatchObject({ status: 'closed', closedAt: closed.closedAt });

    expect((await ok(t.call('GET', '/api/findings?status=closed'))).items.map((f: { id: number }) => f.id)).toEqual([created.id]);
    expect((await ok(t.call('GET', '/api/findings?status=in_progress'))).items.map((f: { id: number }) => f.id)).toEqual([second.id]);

    // the after-action report carries them; Markdown ticks the closed one
    const report = await ok(t.call('GET', `/api/drills/${drillId}/runs/${runId}/report`));
    expect(report.findings.map((f: { id: number; status: string }) => [f.id, f.status])).toEqual([[created.id, 'closed'], [second.id, 'in_progress']]);
    const md = await t.call('GET', `/api/drills/${drillId}/runs/${runId}/report`, { headers: { accept: 'text/markdown' } });
    expect(md.text).toMatch(/This was a drill/);
    expect(md.text).toContain('- [x] Failover runbook skips DNS TTL — owner network-team, due 2030-04-30 (closed)');
    expect(md.text).toContain('- [ ] Pager rota out of date — owner watch-chief, due 2030-01-15 (in_progress)');
    expect(md.text).toMatch(/RTO met: no/);

    // reopened: closedAt cleared
    const reopened = await ok(t.call('PATCH', `/api/findings/${created.id}`, { token: t.tokens.planner, body: { status: 'open' } }));
    expect(reopened).toMatchObject({ status: 'open', closedAt: null });
  });

  it('are refused from a viewer, with a bad date, or on an unknown run', async () => {
    const fnId = await fn('refusals-fn', 'supporting');
    const runId = await insertRun([fnId], 1, { verdict: 'pass', detected: 1, failedOver: 2, restored: 3, rtoMet: true });
    const base = `/api/drills/${drillId}/runs/${runId}/findings`;
    const good = { title: 'x', owner: 'y', dueDate: '2030-01-01' };
    expectErrorShape(await t.call('POST', base, { token: t.tokens.viewer, body: good }), 403);
    expectErrorShape(await t.call('POST', base, { token: t.tokens.planner, body: { ...good, dueDate: '31/01/2030' } }), 400);
    expectErrorShape(await t.call('POST', base, { token: t.tokens.planner, body: { title: 'no owner', dueDate: '2030-01-01' } }), 400);
    expectErrorShape(await t.call('POST', `/api/drills/${drillId}/runs/99999/findings`, { token: t.tokens.planner, body: good }), 404);
    expectErrorShape(await t.call('PATCH', '/api/findings/99999', { token: t.tokens.planner, body: { status: 'closed' } }), 404);
    expectErrorShape(await t.call('PATCH', '/api/findings/1', { token: t.tokens.planner, body: {} }), 400);
  });
});

describe('resilience report', () => {
  it('scores each function from the runs that exercised it, with its own p50/p95, RTO compliance, overdue functions and the tier-weighted score', async () => {
    // a fresh app: only the runs inserted here count
    const own = await createTestApp();
    const saved = { t, assetId, drillId };
    t = own;
    try {
      assetId = (await ok(t.call('POST', '/api/assets', { body: { key: 'aws-osaka', kind: 'cloud_region', name: 'Osaka' } }), 201)).id;
      drillId = (await ok(t.call('POST', '/api/drills', { body: { key: 'osaka-failover', name: 'Osaka failover', targetAssetIds: [assetId] } }), 201)).id;
      const relay = await fn('relay', 'PMEF'); // passed 10 days ago → 100
      const downlink = await fn('downlink', 'MEF'); // passed 400 days ago → expired, 75, overdue
      const catalog = await fn('catalog', 'supporting'); // latest exercising run interrupted before it failed over → failed, 0
      const tracking = await fn('tracking', 'MEF'); // never exercised → 0, overdue
      const isr = await fn('isr', 'MEF'); // a passing run that never took it below full strength → records nothing: 0
      const sda = await fn('sda', 'supporting'); // only a guardrail abort → shown, not scored: 0

      await insertRun([relay], 40, { verdict: 'pass', detected: 2, failedOver: 10, restored: 60, rtoMet: true });
      const abortId = await insertRun([relay], 35, { status: 'aborted', verdict: 'aborted_by_guardrail', detected: 1 }); // not a measurement, not a failure
      await insertRun([relay], 30, { verdict: 'pass', detected: 4, failedOver: 20, restored: 70, rtoMet: true });
      await insertRun([relay], 20, { verdict: 'fail', detected: 6, failedOver: 700, restored: 800, rtoMet: false }); // past its 600 s RTO
      await insertRun([relay], 10, { verdict: 'pass', detected: 8, failedOver: 40, restored: 90, rtoMet: true });
      // a real incident on the relay: detected after 12 s, resolved after 100 s (within its 600 s RTO)
      const incidentStart = Date.now() - 15 * DAY;
      await t.sqlite.db.insert(incidents).values({
        ref: 'incident-1', assetId, functionIds: [relay], state: 'resolved', severity: 'critical', title: 'Tokyo down',
        startedAt: incidentStart, openedAt: incidentStart + 12 * S, resolvedAt: incidentStart + 100 * S,
      });
      await insertRun([downlink], 400, { verdict: 'pass', detected: 3, failedOver: 30, restored: 300, rtoMet: true });
      await insertRun([catalog], 100, { verdict: 'pass', detected: 1, failedOver: 5, restored: 9, rtoMet: true });
      await insertRun([catalog], 50, { status: 'interrupted', verdict: 'aborted', detected: 1 });
      await insertRun([isr], 5, { verdict: 'pass', detected: 0.4, failedOver: 27.4, restored: 30, rtoMet: true, notExercised: true });
      await insertRun([sda], 5, { status: 'aborted', verdict: 'aborted_by_guardrail', detected: 1 });

      const report = await ok(t.call('GET', '/api/reports/resilience', { token: t.tokens.viewer }));
      const of = (id: number) => report.functions.find((f: { functionId: number }) => f.functionId === id);
      expect(report.cycleDays).toBe(365);
      expect(report.scoreFormula).toMatch(/tier weight/);
      expect(report.scoreFormula).toMatch(/below full strength/);

      expect(of(relay)).toMatchObject({
        tier: 'PMEF', score: 100, evidence: 'passed', overdue: false, lastVerdict: 'pass',
        detect: { count: 5, p50Ms: 6 * S, p95Ms: 12 * S },
        failover: { count: 4, p50Ms: 20 * S, p95Ms: 700 * S },
        recover: { count: 5, p50Ms: 90 * S, p95Ms: 800 * S },
        rtoCompliancePct: 80,
        guardrailAborts: { count: 1, last: { runId: abortId, drillId, reason: 'a guardrail fired' } },
      });
      expect(Date.now() - Date.parse(of(relay).lastExercisedAt)).toBeGreaterThanOrEqual(10 * DAY - 60_000);
      expect(Date.now() - Date.parse(of(relay).lastExercisedAt)).toBeLessThan(10 * DAY + 60_000);
      expect(of(downlink)).toMatchObject({ score: 75, evidence: 'expired', overdue: true, lastVerdict: 'pass', rtoCompliancePct: 100, failover: { count: 1, p50Ms: 30 * S, p95Ms: 30 * S } });
      // lost and never served again before the interruption: a failed failover, and an RTO miss
      expect(of(catalog)).toMatchObject({ score: 0, evidence: 'failed', overdue: false, lastVerdict: 'aborted', failover: { count: 1, p50Ms: 5 * S }, rtoCompliancePct: 100 });
      expect(of(tracking)).toMatchObject({
        score: 0, evidence: 'not_exercised', overdue: true, lastExercisedAt: null, lastVerdict: null, rtoCompliancePct: null,
        failover: { count: 0, p50Ms: null, p95Ms: null },
      });
      // the one-cable drill that never broke ISR: no TTD, no TTF, no score for it
      expect(of(isr)).toMatchObject({ score: 0, evidence: 'not_exercised', lastExercisedAt: null, detect: { count: 0 }, failover: { count: 0 }, guardrailAborts: { count: 0, last: null } });
      expect(of(sda)).toMatchObject({ score: 0, evidence: 'not_exercised', lastVerdict: null, guardrailAborts: { count: 1 } });
      expect(report.overdue.map((o: { functionId: number }) => o.functionId).sort()).toEqual([downlink, tracking, isr, sda].sort());
      // (3·100 + 2·75 + 1·0 + 2·0 + 2·0 + 1·0) / (3 + 2 + 1 + 2 + 2 + 1)
      expect(report.score).toBe(40.9);

      // a longer cycle: the 400-day-old pass has not expired yet
      const longer = await ok(t.call('GET', '/api/reports/resilience?cycleDays=500'));
      expect(longer.functions.find((f: { functionId: number }) => f.functionId === downlink)).toMatchObject({ score: 100, overdue: false });
      // (3·100 + 2·100) / 11 = 45.45
      expect(longer.score).toBe(45.5);
      expectErrorShape(await t.call('GET', '/api/reports/resilience?cycleDays=0'), 400);

      // the after-action report of the ISR run: the function was not exercised, nothing is claimed for it
      const isrRun = (await ok(t.call('GET', `/api/drills/${drillId}/runs`))).items.find((r: { functionIds: number[] }) => r.functionIds.includes(isr));
      const aar = await ok(t.call('GET', `/api/drills/${drillId}/runs/${isrRun.id}/report`));
      expect(aar.functions).toEqual([expect.objectContaining({ functionId: isr, exercised: false, ttdMs: null, ttfMs: null, ttrMs: null, rtoMet: null, mtdMarginMs: null })]);
      const md = await t.call('GET', `/api/drills/${drillId}/runs/${isrRun.id}/report`, { headers: { accept: 'text/markdown' } });
      expect(md.text).toContain('| isr | MEF | 600 s | not exercised |');
      expect(md.text).toMatch(/No function was taken below full strength/);
    } finally {
      own.close();
      ({ t, assetId, drillId } = saved);
    }
  });
});
