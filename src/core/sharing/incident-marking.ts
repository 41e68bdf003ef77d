import type { Db } from '../store/client.js';
import { idsIn } from '../store/ids.js';
import { assets, missionFunctions, type IncidentRow } from '../store/schema/index.js';
import { mostRestrictive, type Marking } from '../domain/marking.js';

type Touching = Pick<IncidentRow, 'id' | 'assetId' | 'causeFunctionId' | 'affectedAssetIds' | 'functionIds' | 'marking'>;

/** The assets and functions an incident touches: its cause, the affected ones and the functions they hurt. */
export function touchedBy(row: Touching): { assetIds: number[]; functionIds: number[] } {
  const assetIds = new Set([...(row.assetId === null ? [] : [row.assetId]), ...row.affectedAssetIds]);
  const functionIds = new Set([...(row.causeFunctionId === null ? [] : [row.causeFunctionId]), ...row.functionIds]);
  return { assetIds: [...assetIds], functionIds: [...functionIds] };
}

/**
 * Each incident's marking: the one an officer set, else the most restrictive marking of what it
 * touches (an incident about nothing in the inventory, or touching anything unmarked, is unmarked).
 */
export async function incidentMarkings(db: Db, rows: readonly Touching[]): Promise<Map<number, Marking | null>> {
  const touched = rows.map(touchedBy);
  const assetIds = [...new Set(touched.flatMap((t) => t.assetIds))];
  const functionIds = [...new Set(touched.flatMap((t) => t.functionIds))];
  const assetRows = await db.select({ id: assets.id, marking: assets.marking }).from(assets).where(idsIn(assets.id, assetIds));
  const functionRows = await db.select({ id: missionFunctions.id, marking: missionFunctions.marking }).from(missionFunctions).where(idsIn(missionFunctions.id, functionIds));
  const assetMarking = new Map(assetRows.map((r) => [r.id, r.marking]));
  const functionMarking = new Map(functionRows.map((r) => [r.id, r.marking]));
  return new Map(
    rows.map((row, i) => {
      if (row.marking) return [row.id, row.marking];
      const t = touched[i]!;
      return [row.id, mostRestrictive([...t.assetIds.map((id) => assetMarking.get(id)), ...t.functionIds.map((id) => functionMarking.get(id))])];
    }),
  );
}
