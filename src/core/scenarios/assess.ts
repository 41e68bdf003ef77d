import type { FunctionTier } from '../domain/enums.js';
import { findCommonMode, type CommonModeFinding, type CommonModeMember } from '../domain/common-mode.js';
import { assessFunctions, type FunctionGraphNode } from '../domain/impact.js';
import { impactOn, type AssetImpact, type ScenarioAsset } from './impact.js';
import { assetDownWindow, describeWindow, functionLossWindows, type OutageWindow } from './outage-window.js';
import type { ScenarioBody } from '../domain/scenarios.js';
import { assessVisibility, type VisibilityCheck } from './visibility.js';

export interface AssessFunction extends FunctionGraphNode {
  key: string;
  name: string;
  tier: FunctionTier;
  rtoSeconds: number;
  mtdSeconds: number;
}

export interface AssessInput {
  scenario: ScenarioBody;
  assets: Array<ScenarioAsset & CommonModeMember & { name: string }>;
  functions: AssessFunction[];
  /** Failover times measured in past drills, per function (p50, seconds), when there are any. */
  measuredFailoverSeconds?: (functionId: number) => number | null;
  atMs: number;
  /** List unaffected assets too (impact none). */
  includeAll?: boolean;
  /** Where the shaking is read from instead of the scenario's model (an attached ShakeMap). */
  impactOf?: (asset: ScenarioAsset) => AssetImpact;
  /** Vantages the scenario takes down, and the checks they run: what can no longer be seen. */
  vantagesDown?: readonly string[];
  checks?: readonly VisibilityCheck[];
}


/** How the expected time to fail over or recover was found. */
export type ExpectationSource = 'not_affected' | 'outage' | 'measured' | 'unknown';

/**
 * The expectation for one function: a lost function is out for its loss window; a function that
 * keeps running on its alternates fails over in the time drills measured — and when none has,
 * the expectation is unknown (its RTO is declared, not shown to hold), never the detection time.
 */
function expectationFor(fn: AssessFunction, affected: boolean, lost: OutageWindow | null, measuredSeconds: number | null) {
  const rto = `declared RTO ${Math.round(fn.rtoSeconds)} s`;
  if (!affected) return { source: 'not_affected' as ExpectationSource, seconds: null, basis: 'not affected' };
  if (lost) {
    const seconds = lost.untilHours === null ? null : Math.round((lost.untilHours - lost.fromHours) * 3600);
    return { source: 'outage' as ExpectationSource, seconds, basis: `lost ${describeWindow(lost)} (until the hit assets recover)` };
  }
  if (measuredSeconds !== null) return { source: 'measured' as ExpectationSource, seconds: measuredSeconds, basis: 'median failover time measured in past drills' };
  return { source: 'unknown' as ExpectationSource, seconds: null, basis: `unknown: no drill has measured this function's failover (${rto})` };
}

/**
 * What-if: the scenario's impact on every asset, then through the k-of-n graph to every mission
 * function — without touching live state. For each function: its resulting status, when it is
 * lost (assets run out of backup power at different hours), whether its alternates are hit too
 * (more than one member of a group hit: the redundancy itself fails), and the expected time to
 * fail over or recover against its RTO and MTD.
 */
export function assessScenario(input: AssessInput) {
  const impacts = new Map<number, AssetImpact>();
  for (const asset of input.assets) impacts.set(asset.id, input.impactOf?.(asset) ?? impactOn(input.scenario, asset, input.atMs));
  const hit = (id: number) => impacts.get(id)?.impact !== undefined && impacts.get(id)!.impact !== 'none';
  const down = (id: number) => impacts.get(id)?.impact === 'down';
  const downWindows = new Map([...impacts].flatMap(([id, impact]) => { const w = assetDownWindow(impact); return w ? [[id, w] as const] : []; }));

  const outcomes = assessFunctions(input.functions, (id) => !down(id));
  const lossWindows = functionLossWindows(input.functions, downWindows);

  const functions = input.functions.map((fn) => {
    const outcome = outcomes.get(fn.id)!;
    const groupsHit = fn.groups
      .map((g) => ({ group: g, hitMembers: g.members.filter((m) => ('assetId' in m ? hit(m.assetId) : outcomes.get(m.functionId)?.status === 'lost')) }))
      .filter((g) => g.hitMembers.length > 0);
    const lostWindow = lossWindows.get(fn.id) ?? null;
    const expectation = expectationFor(fn, groupsHit.length > 0, lostWindow, input.measuredFailoverSeconds?.(fn.id) ?? null);
    return {
      functionId: fn.id,
      functionKey: fn.key,
      name: fn.name,
      tier: fn.tier,
      status: outcome.status,
      redundancy: outcome.redundancy,
      affected: groupsHit.length > 0,
      alternatesHit: groupsHit.some(({ hitMembers }) => hitMembers.length > 1),
      groups: outcome.groups.map((g) => ({ name: g.name, k: g.k, n: g.n, available: g.available })),
      lostWindow,
      expectation: expectation.source,
      expectedSecondsToFailover: expectation.seconds,
      basis: expectation.basis,
      rtoSeconds: fn.rtoSeconds,
      mtdSeconds: fn.mtdSeconds,
      rtoMet: expectation.seconds === null ? null : expectation.seconds <= fn.rtoSeconds,
      mtdMarginSeconds: expectation.seconds === null ? null : fn.mtdSeconds - expectation.seconds,
    };
  });

  const visibility = assessVisibility(input.vantagesDown ?? [], input.checks ?? [], input.assets, input.functions);
  const assets = input.assets
    .filter((a) => input.includeAll || hit(a.id))
    .map((a) => ({ assetId: a.id, assetKey: a.key, name: a.name, kind: a.kind, ...impacts.get(a.id)!, downWindow: downWindows.get(a.id) ?? null }));

  return {
    scenario: input.scenario,
    assessedAt: new Date(input.atMs).toISOString(),
    summary: {
      assetsDown: [...impacts.values()].filter((i) => i.impact === 'down').length,
      assetsDegraded: [...impacts.values()].filter((i) => i.impact === 'degraded').length,
      functionsLost: functions.filter((f) => f.status === 'lost').length,
      functionsDegraded: functions.filter((f) => f.status === 'degraded').length,
      rtoBreaches: functions.filter((f) => f.rtoMet === false).length,
      rtoUnknown: functions.filter((f) => f.affected && f.rtoMet === null).length,
      functionsUnseen: visibility.functionsUnseen.length,
    },
    assets,
    functions,
    alternatesAlsoHit: functions.filter((f) => f.alternatesHit).map((f) => f.functionId),
    commonMode: commonModeUnder(input, hit),
    vantagesDown: [...(input.vantagesDown ?? [])],
    visibility,
  };
}
export type Assessment = ReturnType<typeof assessScenario>;

type ScenarioFinding = { group: string; functionKey: string; cause: 'scenario'; shared: string; assetIds: number[] };

/** Common mode made real: members of one group that this scenario hits together, and what those members share. */
function commonModeUnder(input: AssessInput, hit: (id: number) => boolean): Array<(CommonModeFinding & { functionKey: string }) | ScenarioFinding> {
  const byId = new Map(input.assets.map((a) => [a.id, a]));
  const findings: Array<(CommonModeFinding & { functionKey: string }) | ScenarioFinding> = [];
  for (const fn of input.functions) {
    for (const group of fn.groups) {
      const members = group.members.flatMap((m) => ('assetId' in m && byId.has(m.assetId) && hit(m.assetId) ? [byId.get(m.assetId)!] : []));
      if (members.length > 1) findings.push({ group: group.name, functionKey: fn.key, cause: 'scenario', shared: `hit together by this ${input.scenario.kind} scenario`, assetIds: members.map((m) => m.id) });
      for (const finding of findCommonMode(group.name, members)) findings.push({ ...finding, functionKey: fn.key });
    }
  }
  return findings;
}
