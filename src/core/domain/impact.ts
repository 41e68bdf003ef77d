import type { FunctionStatus, RedundancyState } from './enums.js';

/**
 * Mission-function impact through the k-of-n graph (DOMAIN.md). A group holds while at least k
 * of its n members are available (an asset is available unless down or in maintenance: a degraded
 * or flapping one still serves, if unsteadily). A function is
 *  - lost when some group falls below k;
 *  - degraded when every group holds but one built with spare (n > k) has used it all up:
 *    redundancy is gone and one more failure loses the function;
 *  - operational otherwise.
 * Its redundancy is `none` (lost), `SPOF` (some group at exactly k — including groups designed
 * without spare), `N-1` (members lost, spare left everywhere) or `N` (every member available).
 */
export type Member = { assetId: number } | { functionId: number };

export interface FunctionGraphNode {
  id: number;
  groups: Array<{ name: string; k: number; members: Member[] }>;
}

export interface GroupImpact {
  name: string;
  k: number;
  n: number;
  available: number;
  unavailable: Member[];
}

export interface FunctionImpact {
  status: FunctionStatus;
  redundancy: RedundancyState;
  groups: GroupImpact[];
}

export function assessFunction(node: FunctionGraphNode, isAvailable: (member: Member) => boolean): FunctionImpact {
  const groups = node.groups.map((group): GroupImpact => {
    const unavailable = group.members.filter((m) => !isAvailable(m));
    return { name: group.name, k: group.k, n: group.members.length, available: group.members.length - unavailable.length, unavailable };
  });
  const lost = groups.some((g) => g.available < g.k);
  const spareExhausted = groups.some((g) => g.n > g.k && g.available === g.k);
  const status: FunctionStatus = lost ? 'lost' : spareExhausted ? 'degraded' : 'operational';
  const redundancy: RedundancyState = lost
    ? 'none'
    : groups.some((g) => g.available === g.k)
      ? 'SPOF'
      : groups.some((g) => g.available < g.n)
        ? 'N-1'
        : 'N';
  return { status, redundancy, groups };
}

/**
 * Assesses every function, members before the functions that depend on them. `assetAvailable`
 * says whether an asset counts as up; a member function counts as available unless lost.
 */
export function assessFunctions(
  nodes: readonly FunctionGraphNode[],
  assetAvailable: (assetId: number) => boolean,
): Map<number, FunctionImpact> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const results = new Map<number, FunctionImpact>();
  const visiting = new Set<number>();
  const assess = (node: FunctionGraphNode): FunctionImpact => {
    const done = results.get(node.id);
    if (done) return done;
    visiting.add(node.id);
    const impact = assessFunction(node, (member) => {
      if ('assetId' in member) return assetAvailable(member.assetId);
      const child = byId.get(member.functionId);
      // A cycle cannot be stored (writes refuse it); treat a missing or cyclic member as available.
      if (!child || visiting.has(child.id)) return true;
      return assess(child).status !== 'lost';
    });
    visiting.delete(node.id);
    results.set(node.id, impact);
    return impact;
  };
  for (const node of nodes) assess(node);
  return results;
}
