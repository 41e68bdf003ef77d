import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../store/client.js';
import { dependencyGroups, groupMembers, maintenanceWindows, type MaintenanceWindowRow, type StatusPageComponentRow } from '../../store/schema/index.js';
import { reachable } from '../../domain/function-graph.js';
import { windowOccurrences } from '../../domain/schedules.js';
import { DAY_MS } from '../../domain/time.js';
import { componentRef } from './public-incidents.js';
import type { ComponentRef } from './component-status.js';
import type { Scrub } from './public-names.js';

/** A recurring maintenance window's next occurrence is announced this far ahead. */
const RECURRING_LOOKAHEAD_DAYS = 14;

export interface PublicMaintenance {
  id: string;
  name: string;
  status: 'scheduled' | 'in_progress';
  scheduledFor: number;
  scheduledUntil: number;
  components: ComponentRef[];
}

/** A maintenance window with the occurrence that is on now or comes next. */
export interface UpcomingMaintenance {
  row: MaintenanceWindowRow;
  status: 'scheduled' | 'in_progress';
  start: number;
  end: number;
}

/** Whether a component rests on one of the covered assets (itself, or through its function). */
export type TouchesAsset = (row: StatusPageComponentRow, covered: ReadonlySet<number>) => boolean;

/** Maintenance that is on now or coming up (a recurring window within the lookahead), in id order. */
export async function readUpcomingMaintenance(db: Db, now: number): Promise<UpcomingMaintenance[]> {
  const rows = await db.select().from(maintenanceWindows).orderBy(asc(maintenanceWindows.id));
  return rows.flatMap((row): UpcomingMaintenance[] => {
    const { current, next } = windowOccurrences(row, now);
    if (current) return [{ row, status: 'in_progress', ...current }];
    if (!next || (row.cron && next.start - now > RECURRING_LOOKAHEAD_DAYS * DAY_MS)) return [];
    return [{ row, status: 'scheduled', ...next }];
  });
}

/**
 * `TouchesAsset` for the page's components: an asset component by its asset, a function component
 * by every asset it rests on through nested functions (read only when `needed`).
 */
export async function assetCoverage(db: Db, functionIds: number[], needed: boolean): Promise<TouchesAsset> {
  const membersOf = needed && functionIds.length ? await functionAssetClosure(db, functionIds) : new Map<number, Set<number>>();
  return (row, covered) => (row.assetId !== null ? covered.has(row.assetId) : [...(membersOf.get(row.functionId!) ?? [])].some((a) => covered.has(a)));
}

/** For each of the functions, every asset it rests on, through nested functions. */
async function functionAssetClosure(db: Db, functionIds: number[]): Promise<Map<number, Set<number>>> {
  const edges = await db
    .select({ functionId: dependencyGroups.functionId, assetId: groupMembers.assetId, memberFunctionId: groupMembers.memberFunctionId })
    .from(groupMembers)
    .innerJoin(dependencyGroups, eq(groupMembers.groupId, dependencyGroups.id));
  const memberAssets = new Map<number, number[]>();
  const memberFunctions = new Map<number, number[]>();
  const add = (members: Map<number, number[]>, fn: number, member: number) => {
    const list = members.get(fn);
    if (list) list.push(member);
    else members.set(fn, [member]);
  };
  for (const e of edges) {
    if (e.assetId !== null) add(memberAssets, e.functionId, e.assetId);
    if (e.memberFunctionId !== null) add(memberFunctions, e.functionId, e.memberFunctionId);
  }
  return new Map(
    functionIds.map((root) => [root, new Set([...reachable([root], (fn) => memberFunctions.get(fn))].flatMap((fn) => memberAssets.get(fn) ?? []))]),
  );
}

/** The windows as the public sees them: scrubbed titles, only those that touch the page, soonest first. */
export function publicMaintenance(
  windows: UpcomingMaintenance[],
  rows: StatusPageComponentRow[],
  components: ComponentRef[],
  touchesAsset: TouchesAsset,
  scrub: Scrub,
): PublicMaintenance[] {
  return windows
    .map((w) => {
      const covered = new Set(w.row.assetIds);
      return {
        id: `${w.row.id}-${w.start}`,
        name: scrub(w.row.title),
        status: w.status,
        scheduledFor: w.start,
        scheduledUntil: w.end,
        components: components.filter((c) => touchesAsset(rows[c.index]!, covered)).map(componentRef),
      };
    })
    .filter((m) => m.components.length > 0)
    .sort((a, b) => a.scheduledFor - b.scheduledFor);
}
