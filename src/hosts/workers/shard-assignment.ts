// How checks are spread over the Workers host's shards: each vantage (central, and each region)
// has `count` shards, named `<vantage>/<index>`, and a check goes to the shard its id hashes to.
// The hash is stable, so a check stays on its shard until the count changes.
import type { VantageKind, LocationHint } from '../../core/domain/enums.js';
import type { AssetFacts } from '../../core/monitor/check-runner.js';
import type { CheckDefinition } from '../../core/monitor/check-definition.js';
import type { Monitor } from '../../core/monitor/monitor.js';
import { plainDefinition, probeFacts, shardIndex } from '../../core/monitor/probe-assignment.js';

/** What one shard runs: its vantage's checks that hash to it, and the facts of their assets. */
export interface ShardAssignment {
  shard: string;
  vantage: { id: number; name: string; kind: VantageKind; locationHint: LocationHint | null };
  definitions: CheckDefinition[];
  assets: Array<[number, AssetFacts]>;
}

export function shardName(vantage: string, index: number): string {
  return `${vantage}/${index}`;
}

/**
 * Every shard's assignment for `count` shards per vantage; shards up to `previousCount` beyond
 * it get an empty one (after the count shrank: they stop probing and send what they hold).
 */
export function planAssignments(monitor: Monitor, count: number, previousCount = count): ShardAssignment[] {
  const plans: ShardAssignment[] = [];
  for (const vantage of monitor.vantages()) {
    if (vantage.kind === 'agent') continue;
    const slices: CheckDefinition[][] = Array.from({ length: Math.max(count, previousCount) }, () => []);
    for (const def of monitor.definitionsRunFrom(vantage)) slices[shardIndex(def.id, count)]!.push(plainDefinition(def));
    slices.forEach((definitions, index) => {
      plans.push({
        shard: shardName(vantage.name, index),
        vantage: { id: vantage.id, name: vantage.name, kind: vantage.kind, locationHint: vantage.locationHint },
        definitions,
        assets: probeFacts(definitions, (id) => monitor.assetFacts(id)),
      });
    });
  }
  return plans;
}
