import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { assets, drillRuns, drills, missionFunctions } from '../store/schema/index.js';
import { loadGroups } from '../store/function-groups.js';
import type { ScenarioBody } from '../domain/scenarios.js';
import { assessScenario, type AssessFunction, type AssessInput } from './assess.js';
import { readVisibilityChecks } from './visibility-inputs.js';

export type WhatIfOptions = Pick<AssessInput, 'includeAll' | 'impactOf' | 'vantagesDown'>;

/** What-if assessment of a scenario against the stored inventory; touches no live state. */
export async function assessAgainstInventory(db: Db, body: ScenarioBody, atMs: number, options: WhatIfOptions = {}) {
  return assessScenario({ scenario: body, ...(await assessmentInputs(db)), checks: await readVisibilityChecks(db), atMs, ...options });
}

/** Everything the what-if needs, read once. */
async function assessmentInputs(db: Db) {
  const assetRows = await db.select().from(assets).orderBy(asc(assets.id));
  const located = new Map(assetRows.map((a) => [a.id, a.lat !== null && a.lon !== null ? { lat: a.lat, lon: a.lon, avs30: a.avs30 } : null]));
  const functionRows = await db.select().from(missionFunctions).orderBy(asc(missionFunctions.id));
  const groups = await loadGroups(db, functionRows.map((f) => f.id));
  const measured = await measuredFailoverSeconds(db);
  return {
    assets: assetRows.map((a) => {
      const ends = a.kind === 'network_link' ? [located.get(a.linkFromAssetId ?? -1), located.get(a.linkToAssetId ?? -1)] : null;
      return {
        id: a.id, key: a.key, name: a.name, kind: a.kind, lat: a.lat, lon: a.lon, vendor: a.vendor, model: a.model, firmware: a.firmware,
        managementNetwork: a.managementNetwork, gridRegion: a.gridRegion, backupPowerHours: a.backupPowerHours, avs30: a.avs30, tags: a.tags,
        medium: a.kind === 'network_link' ? (a.linkMedium ?? 'fibre') : null,
        assetId: a.id,
        linkEnds: ends && ends[0] && ends[1] ? ([ends[0], ends[1]] as [NonNullable<(typeof ends)[0]>, NonNullable<(typeof ends)[1]>]) : null,
        linkEndIds: [a.linkFromAssetId, a.linkToAssetId] as [number | null, number | null],
      };
    }),
    functions: functionRows.map((f): AssessFunction => ({
      id: f.id, key: f.key, name: f.name, tier: f.tier, rtoSeconds: f.rtoSeconds, mtdSeconds: f.mtdSeconds, groups: groups.get(f.id) ?? [],
    })),
    measuredFailoverSeconds: (id: number) => {
      const values = [...(measured.get(id) ?? [])].sort((a, b) => a - b);
      return values.length ? values[Math.floor((values.length - 1) / 2)]! : null;
    },
  };
}

/**
 * Failover times measured by drills, per function (seconds): each function's own time to fail
 * over, from completed, non-tabletop runs whose verdict is a pass or a fail, and only where the
 * run actually lost that function and it was served again (see drills/function-outcomes.ts).
 */
async function measuredFailoverSeconds(db: Db): Promise<Map<number, number[]>> {
  const runs = await db
    .select({ outcomes: drillRuns.functionOutcomes })
    .from(drillRuns)
    .innerJoin(drills, eq(drills.id, drillRuns.drillId))
    .where(and(eq(drillRuns.status, 'completed'), inArray(drillRuns.verdict, ['pass', 'fail']), ne(drills.exerciseType, 'tabletop')));
  const measured = new Map<number, number[]>();
  for (const { outcomes } of runs) {
    for (const o of outcomes) {
      if (o.lost && o.ttfMs !== null) measured.set(o.functionId, [...(measured.get(o.functionId) ?? []), o.ttfMs / 1000]);
    }
  }
  return measured;
}
