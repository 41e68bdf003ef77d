import type { FunctionTier } from '../domain/enums.js';
import { findCommonMode, type CommonModeFinding, type CommonModeMember } from '../domain/common-mode.js';
import { assessFunctions, type FunctionGraphNode } from '../domain/impact.js';
import { impactOn, type AssetImpact, type ScenarioAsset } from './impact.js';
import type { ScenarioBody } from '../domain/scenarios.js';

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
  /** Seconds until the monitor would confirm an asset down (failure threshold × interval of its fastest check). */
  detectionSeconds: (assetId: number) => number | null;
  /** Failover times measured in past drills, per function (p50, seconds), when there are any. */
  measuredFailoverSeconds?: (functionId: number) => number | null;
  atMs: number;
  /** List unaffected assets too (impact none). */
  includeAll?: boolean;
}


/**
 * What-if: the scenario's impact on every asset, then through the k-of-n graph to every mission
 * function — without touching live state. For each function: its resulting status, whether its
 * alternates are hit too (more than one member of a group hit: the redundancy itself fails),
 * and the expected time to fail over or recover against its RTO and MTD.
 */
export function assessScenario(input: AssessInput) {
  const impacts = new Map<number, AssetImpact>();
  for (const asset of input.assets) impacts.set(asset.id, impactOn(input.scenario, asset, input.atMs));
  const hit = (id: number) => impacts.get(id)?.impact !== undefined && impacts.get(id)!.impact !== 'none';
  const down = (id: number) => impacts.get(id)?.impact === 'down';

  const outcomes = assessFunctions(input.functions, (id) => !down(id));
  const byId = new Map(input.assets.map((a) => [a.id, a]));

  const functions = input.functions.map((fn) => {
    const outcome = outcomes.get(fn.id)!;
    const groupsHit = fn.groups
      .map((g) => ({ group: g, hitMembers: g.members.filter((m) => ('assetId' in m ? hit(m.assetId) : outcomes.get(m.functionId)?.status === 'lost')) }))
      .filter((g) => g.hitMembers.length > 0);
    const alternatesHit = groupsHit.some(({ hitMembers }) => hitMembers.length > 1);
    const affected = groupsHit.length > 0;
    const hitAssetIds = groupsHit.flatMap(({ hitMembers }) => hitMembers.flatMap((m) => ('assetId' in m ? [m.assetId] : [])));
    const detection = Math.max(0, ...hitAssetIds.map((id) => input.detectionSeconds(id) ?? 0));
    const recoveryHours = Math.max(0, ...hitAssetIds.map((id) => impacts.get(id)?.recoveryHours ?? 0));
    let expectedSeconds: number | null = null;
    let basis: string;
    if (!affected) basis = 'not affected';
    else if (outcome.status === 'lost') {
      expectedSeconds = Math.round(recoveryHours * 3600);
      basis = `lost until the hit assets recover (${recoveryHours} h)`;
    } else {
      const measured = input.measuredFailoverSeconds?.(fn.id) ?? null;
      expectedSeconds = measured ?? detection;
      basis = measured !== null ? 'median failover time measured in past drills' : 'detection time of the hit members\' checks (no drill has measured failover yet)';
    }
    return {
      functionId: fn.id,
      functionKey: fn.key,
      name: fn.name,
      tier: fn.tier,
      status: outcome.status,
      redundancy: outcome.redundancy,
      affected,
      alternatesHit,
      groups: outcome.groups.map((g) => ({ name: g.name, k: g.k, n: g.n, available: g.available })),
      expectedSecondsToFailover: expectedSeconds,
      basis,
      rtoSeconds: fn.rtoSeconds,
      mtdSeconds: fn.mtdSeconds,
      rtoMet: expectedSeconds === null ? null : expectedSeconds <= fn.rtoSeconds,
      mtdMarginSeconds: expectedSeconds === null ? null : fn.mtdSeconds - expectedSeconds,
    };
  });

  // Common mode made real: members of one group that this scenario hits together.
  const commonMode: Array<CommonModeFinding | { group: string; functionKey: string; cause: 'scenario'; shared: string; assetIds: number[] }> = [];
  for (const fn of input.functions) {
    for (const group of fn.groups) {
      const hitTogether = group.members.flatMap((m) => ('assetId' in m && hit(m.assetId) ? [m.assetId] : []));
      if (hitTogether.length > 1) commonMode.push({ group: group.name, functionKey: fn.key, cause: 'scenario', shared: `hit together by this ${input.scenario.kind} scenario`, assetIds: hitTogether });
      const members = group.members.flatMap((m) => ('assetId' in m && byId.has(m.assetId) && hit(m.assetId) ? [byId.get(m.assetId)!] : []));
      for (const finding of findCommonMode(group.name, members)) commonMode.push({ ...finding });
    }
  }

  const assets = input.assets
    .filter((a) => input.includeAll || hit(a.id))
    .map((a) => ({ assetId: a.id, assetKey: a.key, name: a.name, kind: a.kind, ...impacts.get(a.id)! }));

  return {
    scenario: input.scenario,
    assessedAt: new Date(input.atMs).toISOString(),
    summary: {
      assetsDown: [...impacts.values()].filter((i) => i.impact === 'down').length,
      assetsDegraded: [...impacts.values()].filter((i) => i.impact === 'degraded').length,
      functionsLost: functions.filter((f) => f.status === 'lost').length,
      functionsDegraded: functions.filter((f) => f.status === 'degraded').length,
      rtoBreaches: functions.filter((f) => f.rtoMet === false).length,
    },
    assets,
    functions,
    alternatesAlsoHit: functions.filter((f) => f.alternatesHit).map((f) => f.functionId),
    commonMode,
  };
}
export type Assessment = ReturnType<typeof assessScenario>;
