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

/** An asset counts towards its groups unless down or in maintenance. */
export const assetStatusAvailable = (status: string): boolean => status !== 'down' && status !== 'maintenance';

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

/**
 * Continuity notation (data-centre usage, e.g. Uptime Institute tiers): N is the capacity needed
 * (k members), N+1 one spare beyond it, N exactly what is needed (every remaining member is a
 * single point of failure), N-1 one short of need. `sparesLeft` is available − k.
 * The older `redundancy` label keeps its meaning (see README, "Mission functions").
 */
export function continuityLabel(sparesLeft: number): string {
  return sparesLeft === 0 ? 'N' : sparesLeft > 0 ? `N+${sparesLeft}` : `N${sparesLeft}`;
}

export interface GroupContinuity {
  sparesLeft: number;
  continuity: string;
  /** Members whose loss alone takes the group below k: every available one when no spare is left. */
  singlePointsOfFailure: Member[];
}

export interface FunctionContinuity {
  /** The fewest spares left in any group; null for a function without groups. */
  sparesLeft: number | null;
  continuity: string | null;
  groups: GroupContinuity[];
  /** The members whose loss alone loses the function; none once it is lost already. */
  singlePointsOfFailure: Member[];
}

export function assessContinuity(node: FunctionGraphNode, isAvailable: (member: Member) => boolean): FunctionContinuity {
  const groups = node.groups.map((group): GroupContinuity => {
    const available = group.members.filter(isAvailable);
    const sparesLeft = available.length - group.k;
    return { sparesLeft, continuity: continuityLabel(sparesLeft), singlePointsOfFailure: sparesLeft === 0 ? available : [] };
  });
  if (!groups.length) return { sparesLeft: null, continuity: null, groups, singlePointsOfFailure: [] };
  const sparesLeft = Math.min(...groups.map((g) => g.sparesLeft));
  const seen = new Set<string>();
  const singlePointsOfFailure =
    sparesLeft < 0
      ? []
      : groups.flatMap((g) => g.singlePointsOfFailure).filter((m) => {
          const id = 'assetId' in m ? `a${m.assetId}` : `f${m.functionId}`;
          return !seen.has(id) && !!seen.add(id);
        });
  return { sparesLeft, continuity: continuityLabel(sparesLeft), groups, singlePointsOfFailure };
}
