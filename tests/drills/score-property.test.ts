// Property: no sequence of drill creations, runs (of every outcome), retirements ("deletions")
// raises a function's resilience score unless the step was a passing run that
// took that function down and back. Runs are stored as the runner stores them (status, verdict,
// per-function outcomes) into a real SQLite file; everything else goes through the real API.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drillRuns } from '../../src/core/store/schema/index.js';
import { createTestApp, ok, type TestApp } from '../helpers.js';

const DAY = 86_400_000;
const RTO_MS = 600_000;

const RESULTS = [
  'pass_exercised', 'pass_not_exercised', 'pass_over_rto', 'pass_not_back', 'fail', 'guardrail_abort', 'planner_abort', 'interrupted', 'tabletop', 'no_targets',
] as const;
type Result = (typeof RESULTS)[number];

type Step =
  | { kind: 'create' }
  | { kind: 'run'; drill: number; functions: number[]; result: Result; daysAgo: number; lost: boolean }
  | { kind: 'retire'; drill: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'create' as const }),
  fc.record({
    kind: fc.constant('run' as const),
    drill: fc.nat(5),
    functions: fc.uniqueArray(fc.nat(2), { minLength: 1, maxLength: 3 }),
    result: fc.constantFrom(...RESULTS),
    daysAgo: fc.integer({ min: 0, max: 500 }),
    lost: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('retire' as const), drill: fc.nat(5) }),
);

/** What the runner stores for a finished run with this result (see runner.ts, function-outcomes.ts). */
function storedRun(s: Extract<Step, { kind: 'run' }>, functionIds: number[]) {
  const outcome = (ttfMs: number | null, ttrMs: number | null) => functionIds.map((functionId) => ({ functionId, lost: s.lost, ttdMs: 1_000, ttfMs, ttrMs }));
  const row = {
    pass_exercised: { status: 'completed', verdict: 'pass', functionOutcomes: outcome(30_000, 90_000) },
    pass_not_exercised: { status: 'completed', verdict: 'pass', functionOutcomes: [] },
    pass_over_rto: { status: 'completed', verdict: 'pass', functionOutcomes: outcome(RTO_MS + 1, RTO_MS + 60_000) },
    pass_not_back: { status: 'completed', verdict: 'pass', functionOutcomes: outcome(30_000, null) },
    fail: { status: 'completed', verdict: 'fail', functionOutcomes: outcome(30_000, 90_000) },
    guardrail_abort: { status: 'aborted', verdict: 'aborted_by_guardrail', functionOutcomes: outcome(null, 5_000) },
    planner_abort: { status: 'aborted', verdict: 'aborted', functionOutcomes: outcome(20_000, 40_000) },
    interrupted: { status: 'interrupted', verdict: 'aborted', functionOutcomes: outcome(null, null) },
    tabletop: { status: 'completed', verdict: null, functionOutcomes: [] },
    no_targets: { status: 'failed', verdict: 'fail', functionOutcomes: [] },
  }[s.result];
  return row as { status: 'completed' | 'aborted' | 'interrupted' | 'failed'; verdict: 'pass' | 'fail' | 'aborted' | 'aborted_by_guardrail' | null; functionOutcomes: ReturnType<typeof outcome> };
}

async function scores(t: TestApp): Promise<Map<number, number>> {
  const report = await ok(t.call('GET', '/api/reports/resilience', { token: t.tokens.viewer }));
  return new Map(report.functions.map((f: { functionId: number; score: number }) => [f.functionId, f.score]));
}

async function applyStep(t: TestApp, s: Step, world: { assetId: number; fns: number[]; drills: Array<{ id: number; retired: boolean }> }): Promise<number[]> {
  if (s.kind === 'create') {
    const key = `drill-${world.drills.length}`;
    const drill = await ok(t.call('POST', '/api/drills', { token: t.tokens.planner, body: { key, name: key, targetAssetIds: [world.assetId] } }), 201);
    world.drills.push({ id: drill.id, retired: false });
    return [];
  }
  const drill = world.drills[s.drill % Math.max(1, world.drills.length)];
  if (!drill) return [];
  if (s.kind === 'retire') {
    await ok(t.call('DELETE', `/api/drills/${drill.id}`, { token: t.tokens.planner }), 204);
    drill.retired = true;
    return [];
  }
  // a retired drill is not run again (honest-figures.test.ts: the runner refuses it)
  if (drill.retired) return [];
  const functionIds = s.functions.map((i) => world.fns[i]!);
  const startedAt = Date.now() - s.daysAgo * DAY;
  await t.sqlite.db.insert(drillRuns).values({
    drillId: drill.id, phase: 'done', trigger: 'manual', targetAssetIds: [world.assetId], functionIds, startedAt, finishedAt: startedAt + 120_000,
    steps: [{ at: startedAt, step: 'resolve_targets', detail: 'stored by the property test' }], ...storedRun(s, functionIds),
  });
  // the functions this step may lift: a passing run that took them down and back within their RTO
  return s.result === 'pass_exercised' ? functionIds : [];
}

describe('the resilience score cannot be gamed', () => {
  it('rises for a function only on a passing run that took that function down and back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const t = await createTestApp();
        try {
          const assetId = (await ok(t.call('POST', '/api/assets', { body: { key: 'region', kind: 'cloud_region', name: 'Region' } }), 201)).id as number;
          const fns: number[] = [];
          for (const [key, tier] of [['relay', 'PMEF'], ['downlink', 'MEF'], ['catalog', 'supporting']] as const) {
            fns.push((await ok(t.call('POST', '/api/functions', { body: { key, name: key, tier, rtoSeconds: RTO_MS / 1000, mtdSeconds: 3_600 } }), 201)).id);
          }
          const world = { assetId, fns, drills: [] as Array<{ id: number; retired: boolean }> };
          let before = await scores(t);
          let runsBefore = 0;
          for (const s of steps) {
            const mayRise = await applyStep(t, s, world);
            const after = await scores(t);
            for (const [fn, score] of after) {
              if (score > before.get(fn)!) expect(mayRise, `${JSON.stringify(s)} raised function ${fn} from ${before.get(fn)} to ${score}`).toContain(fn);
            }
            const runs = (await t.sqlite.db.select({ id: drillRuns.id }).from(drillRuns)).length;
            expect(runs).toBeGreaterThanOrEqual(runsBefore);
            runsBefore = runs;
            before = after;
          }
        } finally {
          t.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
