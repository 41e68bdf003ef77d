// What a probe running elsewhere (a Node probe thread, a Workers shard) is handed: plain check
// definitions, the few asset facts its probes read, and a stable split of checks between runners.
import type { CheckKind } from '../domain/enums.js';
import type { AssetFacts } from './check-runner.js';
import type { CheckDefinition, ObservationRecord } from './check-definition.js';
import type { ProbeAssignment } from './stored-probes.js';

/**
 * Kinds whose probes need the network and nothing else: no stored heartbeat or alert (push,
 * external) and no pass calendar or contact log (contact). These run on probe threads.
 */
export const NETWORK_ONLY_KINDS: ReadonlySet<CheckKind> = new Set<CheckKind>(['http', 'tcp', 'dns', 'tls', 'link']);

export function needsOnlyNetwork(def: Pick<CheckDefinition, 'kind'>): boolean {
  return NETWORK_ONLY_KINDS.has(def.kind);
}

/** A stable index in [0, count) from the check id (a 32-bit integer mix, then modulo). */
export function shardIndex(checkId: number, count: number): number {
  let h = Math.imul(checkId ^ 0x5bd1e995, 0x27d4eb2d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x165667b1);
  h ^= h >>> 13;
  return (h >>> 0) % count;
}

/** The definition's own fields: the monitor's check record carries its state too, and messages copy plain data only. */
export function plainDefinition(def: CheckDefinition): CheckDefinition {
  const { id, key, assetId, kind, enabled, intervalSeconds, cron, timezone, timeoutMs, failureThreshold, successThreshold, settings } = def;
  return { id, key, assetId, kind, enabled, intervalSeconds, cron, timezone, timeoutMs, failureThreshold, successThreshold, settings };
}

/** Kinds whose probes read their asset's facts: a link its SLA, a contact check its station's location. */
export const READS_ASSET_FACTS: ReadonlySet<CheckKind> = new Set<CheckKind>(['link', 'contact']);

/** The facts of each definition's asset that a probe reads, for the kinds that read any: most checks need none. */
export function probeFacts(defs: ReadonlyArray<Pick<CheckDefinition, 'kind' | 'assetId'>>, facts: (assetId: number) => AssetFacts | undefined): Array<[number, AssetFacts]> {
  const assets = new Map<number, AssetFacts>();
  for (const def of defs) {
    if (!READS_ASSET_FACTS.has(def.kind)) continue;
    const f = facts(def.assetId);
    if (f) assets.set(def.assetId, f);
  }
  return [...assets];
}

/** Results from probe threads: the records, and how late each run among them started. */
export interface ProbeResults {
  records: ObservationRecord[];
  lagsMs: Iterable<number>;
}

/**
 * Probes run off the monitor's own thread (the Node host's probe threads). The monitor hands over
 * its network-only checks and takes their results into its flushes like its own.
 */
export interface ProbeThreads {
  /**
   * Replaces what the threads run (at start and after every definition change): the checks `ids`.
   * Their definitions are read with `read` each time a thread needs them (an assignment, a thread
   * replacing one that died), so the monitor's thread holds no copy of them. Resolves once they
   * are posted to the running threads.
   */
  assign(ids: readonly number[], read: (ids: readonly number[]) => Promise<ProbeAssignment>): Promise<void>;
  start(sink: (results: ProbeResults) => void): void;
  /** Checks the threads hold, and their probes in flight as last reported. */
  readonly size: number;
  readonly inFlight: number;
  stop(): Promise<void>;
}
