import type { Db } from '../store/client.js';
import type { DrillRow, DrillRunRow } from '../store/schema/index.js';
import { dependencyAssets, loadDisturbance, minRtoSeconds } from './drill-queries.js';

/** A run in progress as the runner follows it. */
export interface ActiveRun {
  row: DrillRunRow;
  drill: DrillRow;
  /** Targets plus the collateral the drill is expected to cause (links to targets, service assets). */
  marked: number[];
  hypothesisFunctionIds: number[];
  minRtoSeconds: number | null;
  phaseSince: number;
  /** Assets the hypothesis functions depend on (through member functions too), targets excluded. */
  watchedAssetIds: number[];
}

export async function loadActiveRun(db: Db, row: DrillRunRow, drill: DrillRow, now: () => number): Promise<ActiveRun> {
  const hypothesisFunctionIds = drill.hypothesis.functionIds.length ? drill.hypothesis.functionIds : row.functionIds;
  const minRto = await minRtoSeconds(db, hypothesisFunctionIds);
  const dependencies = await dependencyAssets(db, hypothesisFunctionIds);
  const disturbed = await loadDisturbance(db, row.targetAssetIds, row.functionIds);
  const marked = disturbed.all;
  const services = new Set(disturbed.services);
  return {
    row, drill, hypothesisFunctionIds, marked,
    minRtoSeconds: minRto, phaseSince: now(),
    // Links to the targets fail with them; they confirm nothing about the failover.
    watchedAssetIds: dependencies.filter((id) => !marked.includes(id) || services.has(id)),
  };
}
