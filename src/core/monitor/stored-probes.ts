// What the Node host's probe threads are handed, read from the store rather than from the
// monitor's memory: the monitor's thread keeps no copy of the settings of the checks they run.
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { assets, checks } from '../store/schema/index.js';
import type { AssetFacts } from './check-runner.js';
import type { CheckDefinition, ProbeDefinition } from './check-definition.js';
import { NETWORK_ONLY_KINDS, READS_ASSET_FACTS } from './probe-assignment.js';

/** A check as stored, for a probe thread: its settings as their JSON text, parsed once, where they are used. */
export interface StoredProbe extends Omit<ProbeDefinition, 'settings'>, Pick<CheckDefinition, 'failureThreshold' | 'successThreshold'> {
  settingsJson: string;
}

/** A probe thread's checks, and the facts of their assets that its probes read (probeFacts). */
export interface ProbeAssignment {
  definitions: StoredProbe[];
  assets: Array<[number, AssetFacts]>;
}

/** The network-only checks among `ids` as stored now, with their assets' facts where their kind reads them. */
export async function readProbeAssignment(db: Db, ids: readonly number[]): Promise<ProbeAssignment> {
  const wanted = new Set(ids);
  const rows = await db
    .select({
      id: checks.id, assetId: checks.assetId, kind: checks.kind, enabled: checks.enabled, intervalSeconds: checks.intervalSeconds,
      cron: checks.cron, timezone: checks.timezone, timeoutMs: checks.timeoutMs, failureThreshold: checks.failureThreshold, successThreshold: checks.successThreshold,
      // The column's text as stored, not drizzle's parse of it.
      settingsJson: sql<string>`${checks.settings}`,
    })
    .from(checks)
    .where(inArray(checks.kind, [...NETWORK_ONLY_KINDS]));
  const definitions = rows.filter((row) => wanted.has(row.id));
  const factsOf = new Set(definitions.flatMap((def) => (READS_ASSET_FACTS.has(def.kind) ? [def.assetId] : [])));
  if (!factsOf.size) return { definitions, assets: [] };
  const assetRows = await db
    .select({ id: assets.id, key: assets.key, lat: assets.lat, lon: assets.lon, altM: assets.altM, slaLatencyMs: assets.slaLatencyMs, slaJitterMs: assets.slaJitterMs, slaLossPct: assets.slaLossPct })
    .from(assets);
  return { definitions, assets: assetRows.flatMap(({ id, ...facts }) => (factsOf.has(id) ? [[id, facts] as [number, AssetFacts]] : [])) };
}
