/**
 * Common mode: members of one redundancy group that share a failure cause are not truly
 * redundant. Two causes are visible in the inventory: the same equipment (vendor, model and
 * firmware — one exploit or bad update hits all, as in KA-SAT 2022) and the same management
 * network (one intrusion reaches all).
 */
export interface CommonModeMember {
  assetId: number;
  vendor: string | null;
  model: string | null;
  firmware: string | null;
  managementNetwork: string | null;
}

export interface CommonModeFinding {
  group: string;
  cause: 'equipment' | 'management_network';
  shared: string;
  assetIds: number[];
}

export function findCommonMode(group: string, members: readonly CommonModeMember[]): CommonModeFinding[] {
  const findings: CommonModeFinding[] = [];
  const collect = (cause: CommonModeFinding['cause'], keyOf: (m: CommonModeMember) => string | null) => {
    const byKey = new Map<string, number[]>();
    for (const m of members) {
      const key = keyOf(m)?.toLowerCase();
      if (key) byKey.set(key, [...(byKey.get(key) ?? []), m.assetId]);
    }
    for (const assetIds of byKey.values()) {
      if (assetIds.length > 1) findings.push({ group, cause, shared: keyOf(members.find((m) => m.assetId === assetIds[0])!)!, assetIds });
    }
  };
  collect('equipment', (m) => (m.vendor && m.model && m.firmware ? `${m.vendor} ${m.model} firmware ${m.firmware}` : null));
  collect('management_network', (m) => m.managementNetwork);
  return findings;
}
