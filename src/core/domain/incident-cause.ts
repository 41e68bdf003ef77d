// Dependencies between assets, and what they say about the cause of an outage.
//
// The rules follow the tools that solved this first: Nagios/Centreon host parents (a host is
// UNREACHABLE, not DOWN, only when every parent is down) and Zabbix trigger dependencies
// (dependent alerts are suppressed, never the monitoring or the recovery). An asset's parents are
// its declared `dependsOn`, or, when it declares none, inferred: links carry stations, so a
// station, ops centre or region depends on the links that touch it. With parents, "all down"
// is k-of-n with k = 1, the same rule the function graph uses.

/** A symptom attached to an incident's cause instead of opening (and paging) an incident of its own. */
export type IncidentChild =
  | { assetId: number; key: string; attachedAt: number; clearedAt: number | null }
  | { functionId: number; key: string; attachedAt: number; clearedAt: number | null };

export type IncidentCause = { assetId: number } | { functionId: number };

/** Root-cause window: a failure this much later than an incident's opening can still become its cause. */
export const CORRELATION_WINDOW_MS = 5 * 60_000;

/** An asset as the dependency graph sees it, by id (the monitor, the API) or by key (an inventory file). */
export interface DependencyAsset<Id = number> {
  id: Id;
  kind: string;
  dependsOn: readonly Id[] | null;
  linkFromAssetId: Id | null;
  linkToAssetId: Id | null;
}

/**
 * Each asset's parents. A link that declares it depends on one of its ends is not inferred as
 * that end's parent as well: the declaration says which way the dependency runs.
 */
export function upstreamGraph<Id>(assets: Iterable<DependencyAsset<Id>>): Map<Id, Id[]> {
  const list = [...assets];
  const linksTouching = new Map<Id, Id[]>();
  for (const a of list) {
    if (a.kind !== 'network_link') continue;
    for (const end of new Set([a.linkFromAssetId, a.linkToAssetId])) {
      if (end === null || a.dependsOn?.includes(end)) continue;
      linksTouching.set(end, [...(linksTouching.get(end) ?? []), a.id]);
    }
  }
  const graph = new Map<Id, Id[]>();
  for (const a of list) {
    const parents = a.dependsOn ?? (a.kind === 'network_link' ? [] : linksTouching.get(a.id) ?? []);
    if (parents.length) graph.set(a.id, [...parents]);
  }
  return graph;
}
