import { eq, getTableColumns, sql } from 'drizzle-orm';
import type { CheckKind } from '../domain/enums.js';
import type { Db } from '../store/client.js';
import {
  assets,
  assetStates,
  checks,
  checkStates,
  dependencyGroups,
  functionStates,
  groupMembers,
  incidents,
  maintenanceWindows,
  missionFunctions,
  checkVotes,
  vantages,
} from '../store/schema/index.js';
import { assessFunctions } from '../domain/impact.js';
import { FLAP_HISTORY_BITS, FLAP_WINDOW } from '../domain/flapping.js';
import { upstreamGraph } from '../domain/incident-cause.js';
import { STATUS_FROM_CODE } from './check-state.js';
import { IdIndex } from './id-index.js';
import { AssetNode, CheckRecord, copyState, Sharing, type StoredCheckRow } from './monitor-records.js';
import { isAvailable } from './fleet-evaluation.js';
import type { FunctionNode, LoadedFleet, OpenIncident } from './fleet-state.js';
import { READS_ASSET_FACTS } from './probe-assignment.js';
import { attachVotes } from './vote-loader.js';
import { VantageNode } from './votes.js';

type CheckStateRow = typeof checkStates.$inferSelect;
type FunctionStateRow = typeof functionStates.$inferSelect;
interface MemberRow {
  functionId: number;
  groupId: number;
  name: string;
  k: number;
  assetId: number | null;
  memberFunctionId: number | null;
}

/**
 * Reads definitions and stored states; streaks in memory are kept for the checks in `previous`
 * that remain. Functions seen for the first time get their stored state written here.
 */
export async function loadFleet(
  db: Db, now: number, previous: IdIndex<CheckRecord>, previousVantages: ReadonlyMap<number, VantageNode>,
  settingsHeldElsewhere: (kind: CheckKind) => boolean = () => false,
): Promise<LoadedFleet> {
  const [checkRows, checkStateRows, assetRows, assetStateRows, functionRows, functionStateRows, memberRows, openRows, windowRows, vantageRows, voteRows] =
    await Promise.all([
      // Settings as their stored text: parsed only for the checks whose settings the monitor keeps.
      db.select({ ...getTableColumns(checks), settings: sql<string>`${checks.settings}` }).from(checks),
      db.select().from(checkStates),
      db.select().from(assets),
      db.select().from(assetStates),
      db.select().from(missionFunctions),
      db.select().from(functionStates),
      db
        .select({ functionId: dependencyGroups.functionId, groupId: dependencyGroups.id, name: dependencyGroups.name, k: dependencyGroups.k, assetId: groupMembers.assetId, memberFunctionId: groupMembers.memberFunctionId })
        .from(dependencyGroups)
        .leftJoin(groupMembers, eq(groupMembers.groupId, dependencyGroups.id))
        .orderBy(dependencyGroups.functionId, dependencyGroups.position, groupMembers.position),
      db.select().from(incidents).where(eq(incidents.state, 'open')),
      db.select().from(maintenanceWindows),
      db.select().from(vantages),
      db.select().from(checkVotes),
    ]);

  const sharing = new Sharing();
  const storedAssetStates = new Map(assetStateRows.map((r) => [r.assetId, r]));
  const assetIndex = new IdIndex(assetRows.map((row) => [row.id, new AssetNode(row, sharing, storedAssetStates.get(row.id), now)] as const));
  storedAssetStates.clear();

  const vantageNodes = new Map(vantageRows.map((row) => [row.id, new VantageNode(row, previousVantages.get(row.id))] as const));
  const { records, fresh } = checkRecords(checkRows, checkStateRows, previous, sharing, now, settingsHeldElsewhere);
  const checkIndex = new IdIndex(records.map((record) => [record.id, record] as const));
  threadChecksOnAssets(records, assetIndex);
  attachProbeFacts(assetRows, assetIndex);
  attachVotes(checkRows, checkIndex, previous, vantageNodes, voteRows, now);
  // Streaks that were in flight before a restart come back as stored with the newest results (the
  // central monitor's: a multi-vantage check's votes start afresh from their stored views).
  const freshCentral = fresh.filter((id) => checkIndex.get(id)!.votes === null);
  if (freshCentral.length) await rebuildStreaks(db, checkIndex, freshCentral, now);

  const storedFunctionStates = new Map(functionStateRows.map((r) => [r.functionId, r]));
  const graph = functionGraph(functionRows, storedFunctionStates, memberRows, now);
  await assessNewFunctions(db, graph.functions, storedFunctionStates, assetIndex);

  return {
    checks: checkIndex,
    assets: assetIndex,
    ...graph,
    upstream: upstreamGraph(assetRows),
    openIncidents: new Map(openRows.map((row) => [row.ref, openIncidentOf(row)])),
    vantages: vantageNodes,
    windows: windowRows,
  };
}

/** One record per check row, carrying over the state of the checks already in memory. */
function checkRecords(
  checkRows: StoredCheckRow[],
  checkStateRows: CheckStateRow[],
  previous: IdIndex<CheckRecord>,
  sharing: Sharing,
  now: number,
  settingsHeldElsewhere: (kind: CheckKind) => boolean,
): { records: CheckRecord[]; fresh: number[] } {
  const storedCheckStates = new Map(checkStateRows.map((r) => [r.checkId, r]));
  const fresh: number[] = [];
  const records: CheckRecord[] = [];
  for (const row of checkRows) {
    const record = new CheckRecord(row, sharing, now, !settingsHeldElsewhere(row.kind));
    const known = previous.get(row.id);
    const stored = storedCheckStates.get(row.id);
    if (known) {
      copyState(known, record);
    } else {
      fresh.push(row.id);
      if (stored) {
        record.status = sharing.string(stored.status);
        record.since = stored.since;
        record.streakStartedAt = stored.since;
        record.message = stored.message;
      }
    }
    records.push(record);
  }
  return { records, fresh };
}

/** The facts a link or contact probe reads, on the assets that have such a check (most have none). */
function attachProbeFacts(assetRows: Array<typeof assets.$inferSelect>, assetIndex: IdIndex<AssetNode>): void {
  for (const { id, key, lat, lon, altM, slaLatencyMs, slaJitterMs, slaLossPct } of assetRows) {
    const node = assetIndex.get(id)!;
    for (let check = node.firstCheck; check; check = check.nextOnAsset) {
      if (READS_ASSET_FACTS.has(check.kind)) {
        node.facts = { key, lat, lon, altM, slaLatencyMs, slaJitterMs, slaLossPct };
        break;
      }
    }
  }
}

function threadChecksOnAssets(records: CheckRecord[], assetIndex: IdIndex<AssetNode>): void {
  // Threaded from the last so each asset's list runs in id order.
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i]!;
    const asset = assetIndex.get(record.assetId);
    if (asset) {
      record.nextOnAsset = asset.firstCheck;
      asset.firstCheck = record;
    }
  }
}

const FLAP_DEPTH = sql.raw(String(FLAP_WINDOW));
/** The history bits alone: after a restart no confirmed status is kept under a flapping history. */
const FLAP_HISTORY_MASK = (1 << FLAP_HISTORY_BITS) - 1;

/**
 * Each check's streak as the central monitor held it after its newest result, one row a check
 * (check_latest, written with the results). Only a streak recent enough for its thresholds and
 * flap detection to look at comes back: observed within a few intervals of those (a day for cron
 * checks). The count is held to the longer threshold, as far as a streak ever needs to reach.
 */
async function rebuildStreaks(db: Db, checkIndex: IdIndex<CheckRecord>, checkIds: number[], now: number) {
  const wanted = new Set(checkIds);
  const rows = await db.all<{ checkId: number; status: number; count: number; startedAt: number; observedAt: number; flap: number }>(sql`
    select l.check_id as checkId, l.streak_status as status, l.streak_count as count, l.streak_started_at as startedAt,
      l.observed_at as observedAt, l.flap_history as flap
    from check_latest l join checks c on c.id = l.check_id
    where l.observed_at >= ${now} - coalesce(c.interval_seconds, 86400) * 1000 * (max(c.failure_threshold, c.success_threshold, ${FLAP_DEPTH}) + 2)`);
  for (const row of rows) {
    if (!wanted.has(row.checkId)) continue;
    const record = checkIndex.get(row.checkId)!;
    record.flap = row.flap & FLAP_HISTORY_MASK;
    record.streakStatus = STATUS_FROM_CODE[row.status]!;
    record.streakCount = Math.min(row.count, Math.max(record.failureThreshold, record.successThreshold));
    record.streakStartedAt = row.startedAt;
    record.lastObservedAt = row.observedAt;
  }
}

/** The functions with their k-of-n groups, and the edges read the other way for the closure. */
function functionGraph(
  functionRows: Array<typeof missionFunctions.$inferSelect>,
  storedFunctionStates: Map<number, FunctionStateRow>,
  memberRows: MemberRow[],
  now: number,
): Pick<LoadedFleet, 'functions' | 'functionsByAsset' | 'dependents'> {
  const functions = new Map(
    functionRows.map((row): [number, FunctionNode] => {
      const stored = storedFunctionStates.get(row.id);
      return [row.id, {
        id: row.id, key: row.key, name: row.name, tier: row.tier, groups: [],
        status: stored?.status ?? 'operational', redundancy: stored?.redundancy ?? 'N', since: stored?.since ?? now,
      }];
    }),
  );
  const groups = new Map<number, FunctionNode['groups'][number]>();
  const functionsByAsset = new Map<number, number[]>();
  const dependents = new Map<number, number[]>();
  for (const row of memberRows) {
    const fn = functions.get(row.functionId);
    if (!fn) continue;
    let group = groups.get(row.groupId);
    if (!group) {
      group = { name: row.name, k: row.k, members: [] };
      groups.set(row.groupId, group);
      fn.groups.push(group);
    }
    if (row.assetId !== null) {
      group.members.push({ assetId: row.assetId });
      functionsByAsset.set(row.assetId, [...(functionsByAsset.get(row.assetId) ?? []), fn.id]);
    } else if (row.memberFunctionId !== null) {
      group.members.push({ functionId: row.memberFunctionId });
      dependents.set(row.memberFunctionId, [...(dependents.get(row.memberFunctionId) ?? []), fn.id]);
    }
  }
  return { functions, functionsByAsset, dependents };
}

/** A function seen for the first time starts from what its members say now, without alerts. */
async function assessNewFunctions(
  db: Db,
  functions: Map<number, FunctionNode>,
  storedFunctionStates: Map<number, FunctionStateRow>,
  assetIndex: IdIndex<AssetNode>,
): Promise<void> {
  const unassessed = [...functions.values()].filter((fn) => !storedFunctionStates.has(fn.id));
  if (!unassessed.length) return;
  const impacts = assessFunctions([...functions.values()], (id) => isAvailable(assetIndex, id));
  for (const fn of unassessed) {
    const impact = impacts.get(fn.id)!;
    fn.status = impact.status;
    fn.redundancy = impact.redundancy;
    await db.insert(functionStates).values({ functionId: fn.id, status: fn.status, redundancy: fn.redundancy, since: fn.since }).onConflictDoNothing();
  }
}

/** An open incident's row as correlation holds it in memory. */
function openIncidentOf(row: typeof incidents.$inferSelect): OpenIncident {
  return {
    ref: row.ref, causeAssetId: row.assetId, causeFunctionId: row.causeFunctionId, assetIds: new Set(row.affectedAssetIds),
    functionIds: row.functionIds, children: row.children, severity: row.severity, title: row.title, openedAt: row.openedAt,
  };
}
