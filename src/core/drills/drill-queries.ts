// What the runner reads from the store about a drill, its targets and the functions it tests.
import { eq } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { assets, dependencyGroups, drills, groupMembers, missionFunctions, type DrillRow } from '../store/schema/index.js';
import { loadGroups } from '../store/function-groups.js';
import { idsIn } from '../store/ids.js';
import { NotFoundError } from '../domain/errors.js';
import { reachable } from '../domain/function-graph.js';
import { drillDisturbance } from './disturbance.js';

export async function loadDrill(db: Db, id: number): Promise<DrillRow> {
  const [row] = await db.select().from(drills).where(eq(drills.id, id));
  if (!row) throw new NotFoundError('drill', id);
  return row;
}

/** The assets' keys in the order given (the id itself for an asset that is gone). */
export async function assetKeys(db: Db, ids: number[]): Promise<string[]> {
  const rows = ids.length ? await db.select({ id: assets.id, key: assets.key }).from(assets).where(idsIn(assets.id, ids)) : [];
  const keyOf = new Map(rows.map((r) => [r.id, r.key]));
  return ids.map((id) => keyOf.get(id) ?? String(id));
}

/** The shortest RTO among the functions, or null when there are none. */
export async function minRtoSeconds(db: Db, functionIds: number[]): Promise<number | null> {
  const rtos = functionIds.length
    ? await db.select({ rto: missionFunctions.rtoSeconds }).from(missionFunctions).where(idsIn(missionFunctions.id, functionIds))
    : [];
  return rtos.length ? Math.min(...rtos.map((r) => r.rto)) : null;
}

/** Every asset the functions depend on, directly or through member functions. */
export async function dependencyAssets(db: Db, functionIds: number[]): Promise<number[]> {
  if (!functionIds.length) return [];
  const edges = await db
    .select({ functionId: dependencyGroups.functionId, assetId: groupMembers.assetId, memberFunctionId: groupMembers.memberFunctionId })
    .from(groupMembers)
    .innerJoin(dependencyGroups, eq(groupMembers.groupId, dependencyGroups.id));
  const memberFunctions = new Map<number, number[]>();
  const memberAssets = new Map<number, number[]>();
  for (const { functionId, assetId, memberFunctionId } of edges) {
    if (assetId !== null) memberAssets.set(functionId, [...(memberAssets.get(functionId) ?? []), assetId]);
    if (memberFunctionId !== null) memberFunctions.set(functionId, [...(memberFunctions.get(functionId) ?? []), memberFunctionId]);
  }
  const functions = reachable(functionIds, (id) => memberFunctions.get(id));
  return [...new Set([...functions].flatMap((id) => memberAssets.get(id) ?? []))];
}

/** Targets, links ending at them and the functions' service assets (see drillDisturbance). */
export async function loadDisturbance(db: Db, targets: number[], functionIds: number[]) {
  const assetRows = await db
    .select({ id: assets.id, kind: assets.kind, linkFromAssetId: assets.linkFromAssetId, linkToAssetId: assets.linkToAssetId })
    .from(assets);
  const groups = await loadGroups(db, functionIds);
  return drillDisturbance(targets, functionIds, { assets: assetRows, functionGroups: (id) => groups.get(id) ?? [] });
}
