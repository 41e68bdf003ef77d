import { asc, eq } from 'drizzle-orm';
import type { Member } from '../domain/impact.js';
import type { Db } from './client.js';
import { dependencyGroups, groupMembers } from './schema/index.js';
import { idsIn } from './ids.js';

export interface GroupView {
  name: string;
  k: number;
  members: Member[];
}

/** The dependency groups of the given functions, in their stored order. */
export async function loadGroups(db: Db, functionIds: number[]): Promise<Map<number, GroupView[]>> {
  const byFunction = new Map<number, GroupView[]>(functionIds.map((id) => [id, []]));
  if (functionIds.length === 0) return byFunction;
  const rows = await db
    .select({
      functionId: dependencyGroups.functionId,
      groupId: dependencyGroups.id,
      name: dependencyGroups.name,
      k: dependencyGroups.k,
      assetId: groupMembers.assetId,
      memberFunctionId: groupMembers.memberFunctionId,
    })
    .from(dependencyGroups)
    .leftJoin(groupMembers, eq(groupMembers.groupId, dependencyGroups.id))
    .where(idsIn(dependencyGroups.functionId, functionIds))
    .orderBy(asc(dependencyGroups.functionId), asc(dependencyGroups.position), asc(groupMembers.position));
  const groups = new Map<number, GroupView>();
  for (const row of rows) {
    let group = groups.get(row.groupId);
    if (!group) {
      group = { name: row.name, k: row.k, members: [] };
      groups.set(row.groupId, group);
      byFunction.get(row.functionId)!.push(group);
    }
    if (row.assetId !== null) group.members.push({ assetId: row.assetId });
    else if (row.memberFunctionId !== null) group.members.push({ functionId: row.memberFunctionId });
  }
  return byFunction;
}
