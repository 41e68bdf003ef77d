import type { Criticality, FunctionTier, Severity } from './enums.js';

const ORDER: readonly Severity[] = ['info', 'minor', 'major', 'critical'];

export function maxSeverity(...severities: Severity[]): Severity {
  return severities.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), 'info');
}

export function severityAtLeast(severity: Severity, minimum: Severity): boolean {
  return ORDER.indexOf(severity) >= ORDER.indexOf(minimum);
}

/**
 * How bad an incident is: from the asset's criticality, raised by the mission functions it
 * hurts — a lost primary mission essential function is always critical.
 */
export function incidentSeverity(criticality: Criticality | null, hurt: Array<{ tier: FunctionTier; lost: boolean }>): Severity {
  const fromAsset: Severity = criticality === 'critical' || criticality === 'high' ? 'major' : 'minor';
  const fromFunctions = hurt.map(({ tier, lost }): Severity => (lost ? (tier === 'PMEF' ? 'critical' : 'major') : 'minor'));
  return maxSeverity(criticality === null ? 'minor' : fromAsset, ...fromFunctions);
}
