/**
 * Common mode: members of one redundancy group that share a failure cause are not truly
 * redundant. Four causes are visible in the inventory: the same equipment (vendor, model and
 * firmware — one exploit or bad update hits all, as in KA-SAT 2022), the same management
 * network (one intrusion reaches all), the same grid region (one regional blackout darkens all,
 * as us-east-1 and us-east-2 on PJM), and the same fault zone (one earthquake shakes all).
 *
 * A fault zone is a tag `fault-zone:<name>` (e.g. `fault-zone:nankai-trough`), set by the planner
 * from a hazard map (J-SHIS, the USGS Quaternary fault database). Not distance between sites:
 * one great rupture spans hundreds of km (Tōhoku 2011, about 500 km), while two sites 50 km apart
 * can sit on unrelated faults; and a tag needs no new field, travels with the apply file and is
 * already selectable by a custom scenario.
 */
export interface CommonModeMember {
  assetId: number;
  vendor: string | null;
  model: string | null;
  firmware: string | null;
  managementNetwork: string | null;
  gridRegion: string | null;
  tags: string[];
}

export const COMMON_MODE_CAUSES = ['equipment', 'management_network', 'grid_region', 'fault_zone'] as const;
export type CommonModeCause = (typeof COMMON_MODE_CAUSES)[number];

export interface CommonModeFinding {
  group: string;
  cause: CommonModeCause;
  shared: string;
  assetIds: number[];
}

export const FAULT_ZONE_TAG_PREFIX = 'fault-zone:';

export function findCommonMode(group: string, members: readonly CommonModeMember[]): CommonModeFinding[] {
  const findings: CommonModeFinding[] = [];
  const collect = (cause: CommonModeCause, keysOf: (m: CommonModeMember) => string[]) => {
    const byKey = new Map<string, { shared: string; assetIds: number[] }>();
    for (const m of members) {
      for (const shared of keysOf(m)) {
        const key = shared.toLowerCase();
        const entry = byKey.get(key) ?? { shared, assetIds: [] };
        byKey.set(key, { shared: entry.shared, assetIds: [...entry.assetIds, m.assetId] });
      }
    }
    for (const { shared, assetIds } of byKey.values()) {
      if (assetIds.length > 1) findings.push({ group, cause, shared, assetIds });
    }
  };
  collect('equipment', (m) => (m.vendor && m.model && m.firmware ? [`${m.vendor} ${m.model} firmware ${m.firmware}`] : []));
  collect('management_network', (m) => (m.managementNetwork ? [m.managementNetwork] : []));
  collect('grid_region', (m) => (m.gridRegion ? [`grid region ${m.gridRegion}`] : []));
  collect('fault_zone', (m) => m.tags.filter((t) => t.startsWith(FAULT_ZONE_TAG_PREFIX)).map((t) => `fault zone ${t.slice(FAULT_ZONE_TAG_PREFIX.length)}`));
  return findings;
}
