import { asc, eq } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { assets, checks, drillRuns, missionFunctions } from '../store/schema/index.js';
import { loadGroups } from '../store/function-groups.js';
import { DEFAULT_INTERVAL_SECONDS } from '../domain/checks.js';
import type { ScenarioBody } from '../domain/scenarios.js';
import { assessScenario, type AssessFunction } from './assess.js';

/** What-if assessment of a scenario against the stored inventory; touches no live state. */
export async function assessAgainstInventory(db: Db, body: ScenarioBody, atMs: number, includeAll = false) {
  return assessScenario({ scenario: body, ...(await assessmentInputs(db)), atMs, includeAll });
}

/** Everything the what-if needs, read once. */
async function assessmentInputs(db: Db) {
  const assetRows = await db.select().from(assets).orderBy(asc(assets.id));
  const located = new Map(assetRows.map((a) => [a.id, a.lat !== null && a.lon !== null ? { lat: a.lat, lon: a.lon } : null]));
  const functionRows = await db.select().from(missionFunctions).orderBy(asc(missionFunctions.id));
  const groups = await loadGroups(db, functionRows.map((f) => f.id));
  const checkRows = await db
    .select({ assetId: checks.assetId, failureThreshold: checks.failureThreshold, intervalSeconds: checks.intervalSeconds, enabled: checks.enabled })
    .from(checks);
  const detection = new Map<number, number>();
  for (const c of checkRows) {
    if (!c.enabled) continue;
    const seconds = c.failureThreshold * (c.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS);
    detection.set(c.assetId, Math.min(detection.get(c.assetId) ?? Infinity, seconds));
  }
  const runs = await db
    .select({ functionIds: drillRuns.functionIds, startedAt: drillRuns.startedAt, failoverCompletedAt: drillRuns.failoverCompletedAt })
    .from(drillRuns)
    .where(eq(drillRuns.status, 'completed'));
  const measured = new Map<number, number[]>();
  for (const run of runs) {
    if (run.startedAt === null || run.failoverCompletedAt === null) continue;
    for (const id of run.functionIds) measured.set(id, [...(measured.get(id) ?? []), (run.failoverCompletedAt - run.startedAt) / 1000]);
  }
  return {
    assets: assetRows.map((a) => {
      const ends = a.kind === 'network_link' ? [located.get(a.linkFromAssetId ?? -1), located.get(a.linkToAssetId ?? -1)] : null;
      return {
        id: a.id, key: a.key, name: a.name, kind: a.kind, lat: a.lat, lon: a.lon, vendor: a.vendor, model: a.model, firmware: a.firmware,
        managementNetwork: a.managementNetwork, gridRegion: a.gridRegion, backupPowerHours: a.backupPowerHours, tags: a.tags,
        assetId: a.id,
        linkEnds: ends && ends[0] && ends[1] ? ([ends[0], ends[1]] as [{ lat: number; lon: number }, { lat: number; lon: number }]) : null,
        linkEndIds: [a.linkFromAssetId, a.linkToAssetId] as [number | null, number | null],
      };
    }),
    functions: functionRows.map((f): AssessFunction => ({
      id: f.id, key: f.key, name: f.name, tier: f.tier, rtoSeconds: f.rtoSeconds, mtdSeconds: f.mtdSeconds, groups: groups.get(f.id) ?? [],
    })),
    detectionSeconds: (id: number) => detection.get(id) ?? null,
    measuredFailoverSeconds: (id: number) => {
      const values = [...(measured.get(id) ?? [])].sort((a, b) => a - b);
      return values.length ? values[Math.floor((values.length - 1) / 2)]! : null;
    },
  };
}
