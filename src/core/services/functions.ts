import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { commitAtomically, insertChunks, type Db, type Statement } from '../store/client.js';
import { assets, assetStates, dependencyGroups, functionStates, groupMembers, missionFunctions, type MissionFunctionRow } from '../store/schema/index.js';
import type { FunctionTier } from '../domain/enums.js';
import { ConflictError, NotFoundError, UnprocessableError, type ErrorDetail } from '../domain/errors.js';
import { findCommonMode, type CommonModeFinding } from '../domain/common-mode.js';
import { findCycle } from '../domain/function-graph.js';
import { assessContinuity, assetStatusAvailable, type Member } from '../domain/impact.js';
import type { FunctionCreateInput, FunctionPatchInput, GroupById } from '../domain/inventory.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { decodeCursor, toPage, type Page } from './pagination.js';
import { idsIn } from '../store/ids.js';
import { loadGroups, type GroupView } from '../store/function-groups.js';
import { itemRetractions } from '../sharing/retraction.js';

type FunctionStateRow = typeof functionStates.$inferSelect;

/** What a mission function is, as the API shows it and the inventory file spells it (after its key). */
export function functionAttributes(row: MissionFunctionRow) {
  return {
    name: row.name,
    description: row.description,
    tier: row.tier,
    rtoSeconds: row.rtoSeconds,
    rpoSeconds: row.rpoSeconds,
    mtdSeconds: row.mtdSeconds,
    owner: row.owner,
    marking: row.marking,
  };
}

/** Who a member is and how it stands now, keyed `a<assetId>` / `f<functionId>`. */
type MemberDirectory = Map<string, { key: string; name: string; status: string; available: boolean }>;
const memberId = (m: Member) => ('assetId' in m ? `a${m.assetId}` : `f${m.functionId}`);

/**
 * Each group's members with their status, the spares left (continuity notation, see impact.ts)
 * and the single points of failure: the members whose loss alone would take the function below k.
 */
function continuityView(groups: GroupView[], directory: MemberDirectory) {
  const known = (m: Member) => directory.get(memberId(m)) ?? { key: '', name: '', status: 'unknown', available: true };
  const assessed = assessContinuity({ id: 0, groups }, (m) => known(m).available);
  const who = (m: Member) => ({ ...m, key: known(m).key, name: known(m).name });
  return {
    sparesLeft: assessed.sparesLeft,
    continuity: assessed.continuity,
    singlePointsOfFailure: assessed.singlePointsOfFailure.map((m) => ({
      ...who(m),
      group: groups.find((g) => g.members.some((x) => memberId(x) === memberId(m)))!.name,
    })),
    standing: groups.map((g, i) => {
      const { sparesLeft, continuity, singlePointsOfFailure } = assessed.groups[i]!;
      const spof = new Set(singlePointsOfFailure.map(memberId));
      return {
        name: g.name,
        k: g.k,
        n: g.members.length,
        available: g.k + sparesLeft,
        sparesLeft,
        continuity,
        members: g.members.map((m) => ({ ...who(m), status: known(m).status, singlePointOfFailure: spof.has(memberId(m)) })),
      };
    }),
  };
}

/** Keys, names and current status of every member of the given groups. */
async function memberDirectory(db: Db, groups: Map<number, GroupView[]>): Promise<MemberDirectory> {
  const members = [...groups.values()].flat().flatMap((g) => g.members);
  const assetIds = [...new Set(members.flatMap((m) => ('assetId' in m ? [m.assetId] : [])))];
  const functionIds = [...new Set(members.flatMap((m) => ('functionId' in m ? [m.functionId] : [])))];
  const assetRows = assetIds.length
    ? await db.select({ id: assets.id, key: assets.key, name: assets.name, status: assetStates.status }).from(assets)
        .leftJoin(assetStates, eq(assetStates.assetId, assets.id)).where(idsIn(assets.id, assetIds))
    : [];
  const functionRows = functionIds.length
    ? await db.select({ id: missionFunctions.id, key: missionFunctions.key, name: missionFunctions.name, status: functionStates.status }).from(missionFunctions)
        .leftJoin(functionStates, eq(functionStates.functionId, missionFunctions.id)).where(idsIn(missionFunctions.id, functionIds))
    : [];
  const directory: MemberDirectory = new Map();
  for (const a of assetRows) directory.set(`a${a.id}`, { key: a.key, name: a.name, status: a.status ?? 'unknown', available: assetStatusAvailable(a.status ?? 'unknown') });
  for (const f of functionRows) directory.set(`f${f.id}`, { key: f.key, name: f.name, status: f.status ?? 'operational', available: f.status !== 'lost' });
  return directory;
}

export function functionView(
  row: MissionFunctionRow,
  groups: GroupView[],
  state: FunctionStateRow | null = null,
  commonMode: CommonModeFinding[] = [],
  directory: MemberDirectory = new Map(),
) {
  return {
    id: row.id,
    key: row.key,
    ...functionAttributes(row),
    groups,
    status: state?.status ?? 'operational',
    statusSince: isoTime(state?.since ?? null),
    redundancy: state?.redundancy ?? 'N',
    ...continuityView(groups, directory),
    commonMode,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}
export type FunctionView = ReturnType<typeof functionView>;

export interface FunctionListQuery {
  tier?: FunctionTier;
  limit: number;
  cursor?: string;
}

export async function listFunctions(ctx: ServiceContext, query: FunctionListQuery): Promise<Page<FunctionView>> {
  authorize(ctx.actor, 'read');
  const filters: SQL[] = [gt(missionFunctions.id, decodeCursor(query.cursor))];
  if (query.tier) filters.push(eq(missionFunctions.tier, query.tier));
  const rows = await ctx.db
    .select({ fn: missionFunctions, state: functionStates })
    .from(missionFunctions)
    .leftJoin(functionStates, eq(functionStates.functionId, missionFunctions.id))
    .where(and(...filters))
    .orderBy(asc(missionFunctions.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const groups = await loadGroups(ctx.db, page.map((r) => r.fn.id));
  const [findings, directory] = await Promise.all([commonModeFindings(ctx.db, groups), memberDirectory(ctx.db, groups)]);
  return toPage(rows.map((r) => ({ ...r, id: r.fn.id })), query.limit, (r) =>
    functionView(r.fn, groups.get(r.fn.id) ?? [], r.state, findings.get(r.fn.id), directory),
  );
}

export async function getFunction(ctx: ServiceContext, id: number): Promise<FunctionView> {
  authorize(ctx.actor, 'read');
  const [row] = await ctx.db
    .select({ fn: missionFunctions, state: functionStates })
    .from(missionFunctions)
    .leftJoin(functionStates, eq(functionStates.functionId, missionFunctions.id))
    .where(eq(missionFunctions.id, id));
  if (!row) throw new NotFoundError('mission function', id);
  const groups = await loadGroups(ctx.db, [id]);
  const [findings, directory] = await Promise.all([commonModeFindings(ctx.db, groups), memberDirectory(ctx.db, groups)]);
  return functionView(row.fn, groups.get(id) ?? [], row.state, findings.get(id), directory);
}

/** Common-mode findings for each function's groups, from the member assets' equipment and networks. */
async function commonModeFindings(db: Db, groups: Map<number, GroupView[]>): Promise<Map<number, CommonModeFinding[]>> {
  const assetIds = [...new Set([...groups.values()].flat().flatMap((g) => g.members.flatMap((m) => ('assetId' in m ? [m.assetId] : []))))];
  const members = assetIds.length
    ? await db
        .select({ assetId: assets.id, vendor: assets.vendor, model: assets.model, firmware: assets.firmware, managementNetwork: assets.managementNetwork, gridRegion: assets.gridRegion, tags: assets.tags })
        .from(assets)
        .where(idsIn(assets.id, assetIds))
    : [];
  const byId = new Map(members.map((m) => [m.assetId, m]));
  const result = new Map<number, CommonModeFinding[]>();
  for (const [functionId, functionGroups] of groups) {
    result.set(
      functionId,
      functionGroups.flatMap((g) =>
        findCommonMode(g.name, g.members.flatMap((m) => ('assetId' in m && byId.has(m.assetId) ? [byId.get(m.assetId)!] : []))),
      ),
    );
  }
  return result;
}

async function loadFunction(db: Db, id: number): Promise<MissionFunctionRow> {
  const [row] = await db.select().from(missionFunctions).where(eq(missionFunctions.id, id));
  if (!row) throw new NotFoundError('mission function', id);
  return row;
}

/** The functions whose groups name this asset or function as a member. */
export async function functionsDependingOn(db: Db, member: Member): Promise<Array<{ id: number; key: string }>> {
  return db
    .selectDistinct({ id: missionFunctions.id, key: missionFunctions.key })
    .from(groupMembers)
    .innerJoin(dependencyGroups, eq(groupMembers.groupId, dependencyGroups.id))
    .innerJoin(missionFunctions, eq(dependencyGroups.functionId, missionFunctions.id))
    .where('assetId' in member ? eq(groupMembers.assetId, member.assetId) : eq(groupMembers.memberFunctionId, member.functionId));
}

/** Every function → function dependency currently stored, keyed by function key. */
export async function loadFunctionEdges(db: Db): Promise<Map<string, string[]>> {
  const rows = await db
    .select({ from: sql<string>`f.key`, to: sql<string>`m.key` })
    .from(groupMembers)
    .innerJoin(dependencyGroups, eq(groupMembers.groupId, dependencyGroups.id))
    .innerJoin(sql`mission_functions f`, sql`f.id = ${dependencyGroups.functionId}`)
    .innerJoin(sql`mission_functions m`, sql`m.id = ${groupMembers.memberFunctionId}`);
  const edges = new Map<string, string[]>();
  for (const { from, to } of rows) edges.set(from, [...(edges.get(from) ?? []), to]);
  return edges;
}

export function cycleError(cycle: string[]): UnprocessableError {
  return new UnprocessableError(
    [{ path: 'groups', message: `dependency cycle: ${cycle.join(' → ')}` }],
    `Mission functions may not depend on themselves: ${cycle.join(' → ')}`,
  );
}

/** Checks that every member exists and that the function graph stays acyclic; returns member keys. */
async function checkGroups(db: Db, self: { id: number | null; key: string }, groups: GroupById[]) {
  const assetIds = groups.flatMap((g) => g.members.flatMap((m) => ('assetId' in m ? [m.assetId] : [])));
  const functionIds = groups.flatMap((g) => g.members.flatMap((m) => ('functionId' in m ? [m.functionId] : [])));
  const foundAssets = new Set(
    assetIds.length ? (await db.select({ id: assets.id }).from(assets).where(idsIn(assets.id, assetIds))).map((r) => r.id) : [],
  );
  const functionKeys = new Map(
    functionIds.length
      ? (await db.select({ id: missionFunctions.id, key: missionFunctions.key }).from(missionFunctions).where(idsIn(missionFunctions.id, functionIds))).map((r) => [r.id, r.key] as const)
      : [],
  );
  const problems: ErrorDetail[] = [];
  groups.forEach((group, g) =>
    group.members.forEach((member, m) => {
      const path = `groups.${g}.members.${m}`;
      if ('assetId' in member && !foundAssets.has(member.assetId)) {
        problems.push({ path: `${path}.assetId`, message: `no asset with id ${member.assetId}` });
      }
      if ('functionId' in member && !functionKeys.has(member.functionId)) {
        problems.push({ path: `${path}.functionId`, message: `no mission function with id ${member.functionId}` });
      }
    }),
  );
  if (problems.length) throw new UnprocessableError(problems);

  const edges = await loadFunctionEdges(db);
  edges.set(self.key, functionIds.map((id) => functionKeys.get(id)!));
  const cycle = findCycle(edges);
  if (cycle) throw cycleError(cycle);
}

/** Statements that replace a function's groups; the function is found by key so it may be new. */
export function writeGroups(
  db: Db,
  functionKey: string,
  groups: Array<{ name: string; k: number; members: Array<{ asset: SQL | number } | { fn: SQL | number }> }>,
): Statement[] {
  const functionId = sql`(select id from mission_functions where key = ${functionKey})`;
  const statements: Statement[] = [db.delete(dependencyGroups).where(eq(dependencyGroups.functionId, functionId))];
  groups.forEach((group, position) => {
    statements.push(db.insert(dependencyGroups).values({ functionId, name: group.name, k: group.k, position }));
    const groupId = sql`(select id from dependency_groups where function_id = ${functionId} and name = ${group.name})`;
    const rows = group.members.map((member, memberPosition) => ({
      groupId,
      assetId: 'asset' in member ? member.asset : null,
      memberFunctionId: 'fn' in member ? member.fn : null,
      position: memberPosition,
    }));
    // The group id is a sub-select binding the function key and group name on every row.
    for (const chunk of insertChunks(db, rows, 8)) statements.push(db.insert(groupMembers).values(chunk));
  });
  return statements;
}

const membersById = (groups: GroupById[]) =>
  groups.map((g) => ({ name: g.name, k: g.k, members: g.members.map((m) => ('assetId' in m ? { asset: m.assetId } : { fn: m.functionId })) }));

export function functionColumns(input: Omit<FunctionCreateInput, 'key' | 'groups'>) {
  return {
    name: input.name,
    description: input.description ?? null,
    tier: input.tier,
    rtoSeconds: input.rtoSeconds,
    rpoSeconds: input.rpoSeconds ?? null,
    mtdSeconds: input.mtdSeconds,
    owner: input.owner ?? null,
    marking: input.marking ?? null,
  };
}

export async function createFunction(ctx: ServiceContext, input: FunctionCreateInput): Promise<FunctionView> {
  authorize(ctx.actor, 'manageInventory');
  const [taken] = await ctx.db.select({ id: missionFunctions.id }).from(missionFunctions).where(eq(missionFunctions.key, input.key));
  if (taken) throw new ConflictError(`A mission function with key "${input.key}" already exists (id ${taken.id})`, [{ path: 'key', message: 'already in use' }]);
  await checkGroups(ctx.db, { id: null, key: input.key }, input.groups);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.insert(missionFunctions).values({ key: input.key, ...functionColumns(input), createdAt: now, updatedAt: now }),
    ...writeGroups(ctx.db, input.key, membersById(input.groups)),
    recordEvent(ctx, {
      type: 'function.created',
      subjectKind: 'function',
      subjectId: sql`(select id from mission_functions where key = ${input.key})`,
      subjectKey: input.key,
    }),
  ]);
  const [row] = await ctx.db.select({ id: missionFunctions.id }).from(missionFunctions).where(eq(missionFunctions.key, input.key));
  return getFunction(ctx, row!.id);
}

export async function updateFunction(ctx: ServiceContext, id: number, patch: FunctionPatchInput): Promise<FunctionView> {
  authorize(ctx.actor, 'manageInventory');
  const current = await loadFunction(ctx.db, id);
  const merged = { ...current, ...patch };
  if (merged.mtdSeconds < merged.rtoSeconds) {
    throw new UnprocessableError([{ path: 'mtdSeconds', message: `MTD (${merged.mtdSeconds} s) must be at least the RTO (${merged.rtoSeconds} s)` }]);
  }
  if (patch.groups) await checkGroups(ctx.db, { id, key: current.key }, patch.groups);
  await commitAtomically(ctx.db, [
    ctx.db.update(missionFunctions).set({ ...functionColumns(merged), updatedAt: ctx.now() }).where(eq(missionFunctions.id, id)),
    ...(patch.groups ? writeGroups(ctx.db, current.key, membersById(patch.groups)) : []),
    ...(await itemRetractions(ctx, [{ kind: 'function', key: current.key, before: current.marking, after: merged.marking }])),
    recordEvent(ctx, { type: 'function.updated', subjectKind: 'function', subjectId: id, subjectKey: current.key, data: { changed: Object.keys(patch) } }),
  ]);
  return getFunction(ctx, id);
}

export async function deleteFunction(ctx: ServiceContext, id: number, force: boolean): Promise<void> {
  authorize(ctx.actor, 'manageInventory');
  const current = await loadFunction(ctx.db, id);
  const dependents = await functionsDependingOn(ctx.db, { functionId: id });
  if (dependents.length && !force) {
    throw new ConflictError(
      `Mission function "${current.key}" is still depended on; remove it from those functions first, or delete with ?force=true`,
      dependents.map((f) => ({ path: 'functions', message: `mission function "${f.key}" (id ${f.id}) depends on it` })),
    );
  }
  await commitAtomically(ctx.db, [
    ctx.db.delete(missionFunctions).where(eq(missionFunctions.id, id)),
    recordEvent(ctx, {
      type: 'function.deleted',
      subjectKind: 'function',
      subjectId: id,
      subjectKey: current.key,
      data: { forced: force, functionsAffected: dependents.map((f) => f.key) },
    }),
  ]);
}
