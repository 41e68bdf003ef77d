// How checks are spread over the Workers host's shards: each vantage (central, and each region)
// has `count` shards, named `<vantage>/<index>`, and a check goes to the shard its id hashes to.
// The hash is stable, so a check stays on its shard until the count changes.
import type { VantageKind, LocationHint } from '../../core/domain/enums.js';
import type { AssetFacts } from '../../core/monitor/check-runner.js';
import type { CheckDefinition } from '../../core/monitor/check-definition.js';
import type { Monitor } from '../../core/monitor/monitor.js';

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

/** A stable index in [0, count) from the check id (a 32-bit integer mix, then modulo). */
export function shardIndex(checkId: number, count: number): number {
  let h = Math.imul(checkId ^ 0x5bd1e995, 0x27d4eb2d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x165667b1);
  h ^= h >>> 13;
  return (h >>> 0) % count;
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
      const assets = new Map<number, AssetFacts>();
      for (const def of definitions) {
        const f = monitor.assetFacts(def.assetId);
        // Only the facts a probe reads: the fleet's asset record holds much more.
        if (f) assets.set(def.assetId, { key: f.key, lat: f.lat, lon: f.lon, altM: f.altM, slaLatencyMs: f.slaLatencyMs, slaJitterMs: f.slaJitterMs, slaLossPct: f.slaLossPct });
      }
      plans.push({
        shard: shardName(vantage.name, index),
        vantage: { id: vantage.id, name: vantage.name, kind: vantage.kind, locationHint: vantage.locationHint },
        definitions,
        assets: [...assets],
      });
    });
  }
  return plans;
}

/** The definition's own fields: the monitor's check record carries its state too, and RPC copies plain data only. */
function plainDefinition(def: CheckDefinition): CheckDefinition {
  const { id, key, assetId, kind, enabled, intervalSeconds, cron, timezone, timeoutMs, failureThreshold, successThreshold, settings } = def;
  return { id, key, assetId, kind, enabled, intervalSeconds, cron, timezone, timeoutMs, failureThreshold, successThreshold, settings };
}
