// Enumerations shared by database columns, zod schemas and the API.

export const ASSET_KINDS = [
  'ground_station',
  'mission_ops_center',
  'cloud_region',
  'network_link',
  'service',
  'datacenter',
  'power_feed',
] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** FEMA FCD-1 tiers: primary mission essential, mission essential, supporting. */
export const FUNCTION_TIERS = ['PMEF', 'MEF', 'supporting'] as const;
export type FunctionTier = (typeof FUNCTION_TIERS)[number];

/** Ordered from least to most privileged. */
export const ROLES = ['viewer', 'officer', 'planner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const CHECK_KINDS = ['http', 'tcp', 'dns', 'tls', 'push', 'link', 'contact'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const SEVERITIES = ['info', 'minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
