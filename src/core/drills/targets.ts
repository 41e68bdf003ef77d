import type { Db } from '../store/client.js';
import type { WriteContext } from '../store/context.js';
import type { DrillRow } from '../store/schema/index.js';
import { scenarioBody } from '../scenarios/saved-scenarios.js';
import { assessAgainstInventory } from '../scenarios/what-if.js';

/**
 * The assets a run takes down: the scenario's hardest-hit assets (or the named targets), in id
 * order, capped by the blast radius; with a note of how they were chosen.
 */
export async function resolveTargets(ctx: WriteContext, db: Db, drill: DrillRow): Promise<{ targets: number[]; note: string }> {
  let candidates: number[];
  let source: string;
  if (drill.scenarioId !== null) {
    const body = await scenarioBody(db, drill.scenarioId);
    const assessment = await assessAgainstInventory(ctx.db, body, ctx.now());
    const down = assessment.assets.filter((a) => a.impact === 'down').map((a) => a.assetId);
    candidates = down.length ? down : assessment.assets.filter((a) => a.impact === 'degraded').map((a) => a.assetId);
    source = `scenario ${drill.scenarioId} hits ${candidates.length} assets`;
  } else {
    candidates = [...(drill.targetAssetIds ?? [])];
    source = `${candidates.length} named targets`;
  }
  candidates.sort((a, b) => a - b);
  const { type, value } = drill.blastRadius;
  const cap = type === 'COUNT' ? value : Math.ceil((value / 100) * candidates.length);
  const targets = candidates.slice(0, cap);
  return { targets, note: `${source}; blast radius ${type} ${value} → ${targets.length} targets` };
}
