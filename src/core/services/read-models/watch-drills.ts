// The running drills as the watch floor marks them: the banner, and what each one disturbs.
import { asc, eq, sql } from 'drizzle-orm';
import { drillRuns, drills } from '../../store/schema/index.js';
import { drillDisturbance } from '../../drills/disturbance.js';
import type { ServiceContext } from '../context.js';
import type { FunctionView } from '../functions.js';

export interface WatchDrill {
  runId: number;
  drillKey: string;
  drillName: string;
  mode: 'simulated' | 'live';
  phase: string;
  startedAt: number | null;
  targets: Array<{ key: string; name: string }>;
  functionNames: string[];
  /** Every asset the run disturbs (its targets, the links that end at them, the services of its functions). */
  assetIds: number[];
}

export type RunningDrill = Awaited<ReturnType<typeof readRunningDrills>>[number];
export type AssetNames = Map<number, { id: number; key: string; name: string }>;

export async function readRunningDrills({ db }: ServiceContext) {
  return db
    .select({ run: drillRuns, drillKey: drills.key, drillName: drills.name, mode: drills.mode })
    .from(drillRuns)
    .innerJoin(drills, eq(drills.id, drillRuns.drillId))
    .where(eq(drillRuns.status, 'running'))
    .orderBy(asc(drillRuns.id));
}

/**
 * What each running drill touches: the same rule the drill runner marks events by. Only the
 * assets the rule looks at are read: network links and the assets that are function members.
 */
export async function drillReach({ db }: ServiceContext, running: RunningDrill[], functionById: Map<number, FunctionView>) {
  const drillAssetIds = new Map<number, number[]>();
  const drillOfFunction = new Map<number, number>();
  if (running.length) {
    const inventoryAssets = await db.all<{ id: number; kind: string; linkFromAssetId: number | null; linkToAssetId: number | null }>(sql`
      select id, kind, link_from_asset_id as linkFromAssetId, link_to_asset_id as linkToAssetId from assets
      where kind = 'network_link' or id in (select asset_id from group_members where asset_id is not null)`);
    const inventory = { assets: inventoryAssets, functionGroups: (id: number) => functionById.get(id)?.groups ?? [] };
    for (const { run } of running) {
      drillAssetIds.set(run.id, drillDisturbance(run.targetAssetIds, run.functionIds, inventory).all);
      for (const id of run.functionIds) drillOfFunction.set(id, run.id);
    }
  }
  return { drillAssetIds, drillOfFunction };
}

export function watchDrills(running: RunningDrill[], assetNames: AssetNames, functionById: Map<number, FunctionView>, drillAssetIds: Map<number, number[]>): WatchDrill[] {
  return running.map(({ run, drillKey, drillName, mode }) => ({
    runId: run.id,
    drillKey,
    drillName,
    mode,
    phase: run.phase,
    startedAt: run.startedAt,
    targets: run.targetAssetIds.map((id) => {
      const a = assetNames.get(id);
      return { key: a?.key ?? String(id), name: a?.name ?? `asset ${id}` };
    }),
    functionNames: run.functionIds.flatMap((id) => (functionById.has(id) ? [functionById.get(id)!.name] : [])),
    assetIds: drillAssetIds.get(run.id) ?? [],
  }));
}
