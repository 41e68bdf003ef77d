/**
 * What a drill disturbs besides its targets, by rule: the links that end at a target (they fail
 * with it) and the service assets of the functions it hurts (they measure the service while it
 * fails over). Their events are marked as the drill's, so they never page anyone.
 */
export interface DisturbanceInventory {
  assets: Array<{ id: number; kind: string; linkFromAssetId: number | null; linkToAssetId: number | null }>;
  functionGroups: (functionId: number) => Array<{ members: Array<{ assetId: number } | { functionId: number }> }>;
}

export function drillDisturbance(targets: readonly number[], functionIds: readonly number[], inventory: DisturbanceInventory) {
  const targetSet = new Set(targets);
  const kindOf = new Map(inventory.assets.map((a) => [a.id, a.kind]));
  const links = inventory.assets
    .filter((a) => a.kind === 'network_link' && ((a.linkFromAssetId !== null && targetSet.has(a.linkFromAssetId)) || (a.linkToAssetId !== null && targetSet.has(a.linkToAssetId))))
    .map((a) => a.id);
  const services = functionIds.flatMap((id) =>
    inventory.functionGroups(id).flatMap((g) => g.members.flatMap((m) => ('assetId' in m && kindOf.get(m.assetId) === 'service' ? [m.assetId] : []))),
  );
  return { links: [...new Set(links)], services: [...new Set(services)], all: [...new Set([...targets, ...links, ...services])] };
}
