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

/**
 * What a network link is carried on; it decides what touches it (space weather reaches HF radio
 * and satellite links, never fibre). Links default to fibre: terrestrial and subsea circuits are
 * the common case, and fibre is the medium nothing in the space weather scales reaches.
 */
export const LINK_MEDIA = ['fibre', 'satellite', 'microwave', 'hf'] as const;
export type LinkMedium = (typeof LINK_MEDIA)[number];

export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** FEMA FCD-1 tiers: primary mission essential, mission essential, supporting. */
export const FUNCTION_TIERS = ['PMEF', 'MEF', 'supporting'] as const;
export type FunctionTier = (typeof FUNCTION_TIERS)[number];

/**
 * Ordered from least to most privileged. `probe`: a probe agent's token, below viewer: it reads
 * only its own vantage's assignment and posts only its own results (services/vantages.ts).
 * `partner`: an allied organisation's token: it reads only the sharing feed and TAXII, and only
 * what is released to its partner's country (core/sharing).
 */
export const ROLES = ['probe', 'partner', 'viewer', 'officer', 'planner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** `external`: fed by another monitor (Prometheus Alertmanager) rather than probed. */
export const CHECK_KINDS = ['http', 'tcp', 'dns', 'tls', 'push', 'link', 'contact', 'external'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** `central`: the service's own monitor; `agent`: a probe agent at a site (`coopwatch probe`). */
/** `region`: probed by the Workers host's shards placed in a Cloudflare region (its location hint). */
export const VANTAGE_KINDS = ['central', 'agent', 'region'] as const;
export type VantageKind = (typeof VANTAGE_KINDS)[number];

/**
 * Cloudflare's Durable Object location hints, where a region vantage's shards are created
 * (developers.cloudflare.com/durable-objects/reference/data-location/, read 2026-12).
 */
export const LOCATION_HINTS = ['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me'] as const;
export type LocationHint = (typeof LOCATION_HINTS)[number];

/** `pending`: an agent that has never reported; `lost`: silent past its grace, its votes do not count. */
export const VANTAGE_STATUSES = ['live', 'lost', 'pending'] as const;
export type VantageStatus = (typeof VANTAGE_STATUSES)[number];

export const SEVERITIES = ['info', 'minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** `flapping`: a check keeps failing and recovering (see flapping.ts); still serving, but not steady. */
export const ASSET_STATUSES = ['up', 'degraded', 'down', 'unknown', 'maintenance', 'flapping'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

/**
 * `idle`: a contact check between satellite passes — nothing to check, and it holds its asset neither down nor up.
 * `disputed`: the vantages running the check disagree and fewer than its quorum see it down (domain/quorum.ts).
 */
export const CHECK_STATUSES = ['up', 'degraded', 'down', 'unknown', 'idle', 'flapping', 'disputed'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const FUNCTION_STATUSES = ['operational', 'degraded', 'lost'] as const;
export type FunctionStatus = (typeof FUNCTION_STATUSES)[number];

/** N: every member up; N-1: members lost but spare left; SPOF: no spare; none: a group below k. */
export const REDUNDANCY_STATES = ['N', 'N-1', 'SPOF', 'none'] as const;
export type RedundancyState = (typeof REDUNDANCY_STATES)[number];

export const INCIDENT_STATES = ['open', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** Statuspage's incident progression, used for officers' updates. */
export const INCIDENT_UPDATE_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentUpdateStatus = (typeof INCIDENT_UPDATE_STATUSES)[number];
/** Internal updates stay with the officers; only public ones reach status pages and feeds. */
export const UPDATE_VISIBILITIES = ['internal', 'public'] as const;
export type UpdateVisibility = (typeof UPDATE_VISIBILITIES)[number];

/**
 * What the demo fleet simulator can make an asset do. `cut-off`: its backhaul to the centre is
 * cut — the central monitor cannot reach it, its own site's probe agents still can.
 */
export const FAULT_MODES = ['healthy', 'degraded', 'down', 'cut-off'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];
