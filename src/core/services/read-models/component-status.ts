// Component statuses follow Atlassian Statuspage (INTEGRATIONS.md):
//   asset up                       → operational
//   asset degraded                 → degraded_performance
//   asset flapping                 → partial_outage: it keeps failing and recovering, so part of
//                                    what it serves is cut off part of the time; more than slow
//                                    (degraded_performance), less than gone (major_outage)
//   asset down                     → major_outage
//   asset maintenance              → under_maintenance
//   asset unknown / never checked  → degraded_performance, marked `known: false` and shown as
//                                    "No data": the page will not claim what it cannot see
//   function operational           → operational
//   function degraded              → degraded_performance (it still works, but its redundancy is
//                                    used up; partial_outage would tell the public that some of
//                                    them are cut off, which is not the case)
//   function lost                  → major_outage, or under_maintenance when an active maintenance
//                                    window covers one of its member assets and no open incident
//                                    touches it
// Only a flapping asset derives partial_outage from monitoring; a group shows its worst member.
import type { AssetStatus, FunctionStatus, Severity } from '../../domain/enums.js';

export const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];
export type Indicator = 'none' | 'minor' | 'major' | 'critical';
export type Impact = Indicator;

/** How bad a status is, for picking a group's or the page's worst. */
export const STATUS_RANK: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

export function assetComponentStatus(status: AssetStatus): ComponentStatus {
  switch (status) {
    case 'up':
      return 'operational';
    case 'degraded':
    case 'unknown':
      return 'degraded_performance';
    case 'flapping':
      return 'partial_outage';
    case 'down':
      return 'major_outage';
    case 'maintenance':
      return 'under_maintenance';
  }
}

export function functionComponentStatus(status: FunctionStatus): ComponentStatus {
  return status === 'operational' ? 'operational' : status === 'degraded' ? 'degraded_performance' : 'major_outage';
}

export function severityImpact(severity: Severity): Impact {
  return severity === 'info' ? 'none' : severity;
}

const INDICATOR_RANK: Record<Indicator, number> = { none: 0, minor: 1, major: 2, critical: 3 };

/**
 * Statuspage's blended indicator: critical when every component not under maintenance is in a
 * major outage, major for any outage, minor for degraded performance; an unresolved incident
 * raises it to its impact.
 */
export function overallIndicator(components: Array<{ status: ComponentStatus }>, unresolved: Array<{ impact: Impact }>): Indicator {
  const active = components.filter((c) => c.status !== 'under_maintenance');
  let indicator: Indicator = 'none';
  if (active.some((c) => c.status === 'major_outage')) indicator = active.every((c) => c.status === 'major_outage') ? 'critical' : 'major';
  else if (active.some((c) => c.status === 'partial_outage')) indicator = 'major';
  else if (active.some((c) => c.status === 'degraded_performance')) indicator = 'minor';
  for (const incident of unresolved) if (INDICATOR_RANK[incident.impact] > INDICATOR_RANK[indicator]) indicator = incident.impact;
  return indicator;
}

/** Statuspage's wording for the banner and `status.description`. */
export function indicatorDescription(indicator: Indicator, worst: ComponentStatus): string {
  switch (indicator) {
    case 'critical':
      return 'Major System Outage';
    case 'major':
      return 'Partial System Outage';
    case 'minor':
      return 'Partially Degraded Service';
    case 'none':
      return worst === 'under_maintenance' ? 'Service Under Maintenance' : 'All Systems Operational';
  }
}

/** How an incident or a maintenance names a component it touches. */
export interface ComponentRef {
  id: string;
  name: string;
  index: number;
}
