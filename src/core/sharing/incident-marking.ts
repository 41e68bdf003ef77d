import { and, desc, isNull, or, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../store/client.js';
import { idsIn } from '../store/ids.js';
import { assets, incidents, missionFunctions, type IncidentRow } from '../store/schema/index.js';
import type { MarkingChange } from './retraction.js';

/** How many incidents, newest first, the feed and TAXII look at (older ones never cross). */
export const SHARED_INCIDENT_WINDOW = 500;
import { mostRestrictive, type Marking, type MaybeMarking } from '../domain/marking.js';

type Touching = Pick<IncidentRow, 'id' | 'assetId' | 'causeFunctionId' | 'affectedAssetIds' | 'functionIds' | 'marking'>;

/** The assets and functions an incident touches: its cause, the affected ones and the functions they hurt. */
export function touchedBy(row: Touching): { assetIds: number[]; functionIds: number[] } {
  const assetIds = new Set([...(row.assetId === null ? [] : [row.assetId]), ...row.affectedAssetIds]);
  const functionIds = new Set([...(row.causeFunctionId === null ? [] : [row.causeFunctionId]), ...row.functionIds]);
  return { assetIds: [...assetIds], functionIds: [...functionIds] };
}

/** A marking about to be written (not yet stored): an asset's or a function's. */
export interface PendingMarking {
  kind: 'asset' | 'function';
  id: number;
  marking: MaybeMarking;
}

/**
 * Each incident's marking: the one an officer set, else the most restrictive marking of what it
 * touches (an incident about nothing in the inventory, or touching anything unmarked, is unmarked).
 * `pending`: markings about to be written, read in place of the stored ones.
 */
export async function incidentMarkings(db: Db, rows: readonly Touching[], pending: readonly PendingMarking[] = []): Promise<Map<number, Marking | null>> {
  const touched = rows.map(touchedBy);
  const assetIds = [...new Set(touched.flatMap((t) => t.assetIds))];
  const functionIds = [...new Set(touched.flatMap((t) => t.functionIds))];
  const assetRows = await db.select({ id: assets.id, marking: assets.marking }).from(assets).where(idsIn(assets.id, assetIds));
  const functionRows = await db.select({ id: missionFunctions.id, marking: missionFunctions.marking }).from(missionFunctions).where(idsIn(missionFunctions.id, functionIds));
  const assetMarking = new Map(assetRows.map((r) => [r.id, r.marking]));
  const functionMarking = new Map(functionRows.map((r) => [r.id, r.marking]));
  for (const p of pending) (p.kind === 'asset' ? assetMarking : functionMarking).set(p.id, p.marking ?? null);
  return new Map(
    rows.map((row, i) => {
      if (row.marking) return [row.id, row.marking];
      const t = touched[i]!;
      return [row.id, mostRestrictive([...t.assetIds.map((id) => assetMarking.get(id)), ...t.functionIds.map((id) => functionMarking.get(id))])];
    }),
  );
}

/** Incidents without a marking of their own that touch any of these assets or functions, newest first. */
function derivingFrom(assetIds: number[], functionIds: number[]) {
  const touching = (cause: SQLiteColumn, column: SQLiteColumn, ids: number[]) =>
    ids.length ? [idsIn(cause, ids), sql`exists (select 1 from json_each(${column}) where ${idsIn(sql`value`, ids)})`] : [];
  return and(isNull(incidents.marking), or(...touching(incidents.assetId, incidents.affectedAssetIds, assetIds), ...touching(incidents.causeFunctionId, incidents.functionIds, functionIds)));
}

/**
 * The incidents whose derived marking these changes to assets' and functions' markings change
 * (among the newest the feeds look at): what each was and would be, for retractions.
 */
export async function derivedIncidentChanges(db: Db, changes: readonly PendingMarking[]): Promise<MarkingChange[]> {
  const ids = (kind: PendingMarking['kind']) => changes.flatMap((c) => (c.kind === kind ? [c.id] : []));
  if (!changes.length) return [];
  const rows = await db.select().from(incidents).where(derivingFrom(ids('asset'), ids('function'))).orderBy(desc(incidents.id)).limit(SHARED_INCIDENT_WINDOW);
  if (!rows.length) return [];
  const before = await incidentMarkings(db, rows);
  const after = await incidentMarkings(db, rows, changes);
  return rows.map((row) => ({ kind: 'incident' as const, key: row.ref, before: before.get(row.id), after: after.get(row.id) }));
}
