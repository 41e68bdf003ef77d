import type { AssetKind } from '../domain/enums.js';
import { estimateIntensity, impactForClass } from './earthquake.js';
import { haversineKm, pointInPolygon, pointToSegmentKm, type LatLon } from './geo.js';
import type { Impact, ScenarioBody } from '../domain/scenarios.js';
import { solarElevationDeg } from './sun.js';

/** The asset attributes scenarios select on. */
export interface ScenarioAsset {
  id: number;
  key: string;
  kind: AssetKind;
  lat: number | null;
  lon: number | null;
  vendor: string | null;
  model: string | null;
  firmware: string | null;
  managementNetwork: string | null;
  gridRegion: string | null;
  backupPowerHours: number | null;
  tags: string[];
  /** For links: where the two ends are. */
  linkEnds: [LatLon, LatLon] | null;
  linkEndIds: [number | null, number | null];
}

export interface AssetImpact {
  impact: Impact;
  reason: string;
  /** How long until the asset recovers, when the scenario says. */
  recoveryHours: number | null;
  /** Power scenarios: the asset degrades first and goes down this many hours in. */
  downAfterHours?: number;
  intensity?: number;
  intensityClass?: string;
  distanceKm?: number;
}

const located = (a: ScenarioAsset): LatLon | null => (a.lat !== null && a.lon !== null ? { lat: a.lat, lon: a.lon } : null);
const same = (a: string | null, b: string | undefined) => b === undefined || (a !== null && a.toLowerCase() === b.toLowerCase());
const round1 = (n: number) => Math.round(n * 10) / 10;

/** Where a link runs: between its ends; a located asset is a point. */
function positions(a: ScenarioAsset): LatLon[] {
  if (a.linkEnds) return a.linkEnds;
  const p = located(a);
  return p ? [p] : [];
}

/** What the scenario does to one asset: none, degraded or down, with a reason a planner can read. */
export function impactOn(scenario: ScenarioBody, asset: ScenarioAsset, atMs: number): AssetImpact {
  switch (scenario.kind) {
    case 'earthquake':
      return earthquakeImpact(scenario.params, asset);
    case 'cyberattack':
      return cyberattackImpact(scenario.params, asset);
    case 'power':
      return powerImpact(scenario.params, asset);
    case 'fiber_cut':
      return fiberCutImpact(scenario.params, asset);
    case 'space_weather':
      return spaceWeatherImpact(scenario.params, asset, atMs);
    case 'custom':
      return customImpact(scenario.params, asset);
  }
}

type ParamsOf<K extends ScenarioBody['kind']> = Extract<ScenarioBody, { kind: K }>['params'];
const none = (reason = 'not affected'): AssetImpact => ({ impact: 'none', reason, recoveryHours: null });

function earthquakeImpact(params: ParamsOf<'earthquake'>, asset: ScenarioAsset): AssetImpact {
  const points = positions(asset);
  if (!points.length) return none('no location');
  // A link is as shaken as its worse end.
  const estimates = points.map((site) => estimateIntensity(params, { ...site, avs30: params.avs30 }));
  const worst = estimates.reduce((a, b) => (b.intensity > a.intensity ? b : a));
  const impact = impactForClass(worst.intensityClass, { downFrom: params.downFrom, degradedFrom: params.degradedFrom });
  const reason = `intensity ${worst.intensityClass} (${worst.intensity.toFixed(1)}) at ${Math.round(worst.distanceKm)} km from the rupture`;
  return { impact, reason, recoveryHours: impact === 'none' ? null : params.outageHours, intensity: worst.intensity, intensityClass: worst.intensityClass, distanceKm: round1(worst.distanceKm) };
}

function cyberattackImpact(params: ParamsOf<'cyberattack'>, asset: ScenarioAsset): AssetImpact {
  const s = params.selector;
  const matches =
    same(asset.vendor, s.vendor) && same(asset.model, s.model) && same(asset.firmware, s.firmware) &&
    same(asset.managementNetwork, s.managementNetwork) && (s.tags ?? []).every((t) => asset.tags.includes(t));
  if (!matches) return none();
  const what = [s.vendor, s.model, s.firmware && `firmware ${s.firmware}`, s.managementNetwork && `on ${s.managementNetwork}`, s.tags?.length && `tagged ${s.tags.join(', ')}`]
    .filter(Boolean)
    .join(' ');
  return { impact: params.impact, reason: `compromised: ${what}; recovery by logistics in ${params.recoveryHours} h`, recoveryHours: params.recoveryHours };
}

function powerImpact(params: ParamsOf<'power'>, asset: ScenarioAsset): AssetImpact {
  if (!same(asset.gridRegion, params.gridRegion) || asset.gridRegion === null) return none();
  const backup = asset.backupPowerHours ?? 0;
  if (backup >= params.outageHours) {
    return { impact: 'degraded', reason: `on backup power for the whole ${params.outageHours} h outage (${backup} h available)`, recoveryHours: params.outageHours };
  }
  return {
    impact: 'down',
    reason: backup > 0 ? `backup power runs out after ${backup} h of a ${params.outageHours} h outage` : `no backup power; ${params.outageHours} h grid outage`,
    recoveryHours: params.outageHours,
    downAfterHours: backup,
  };
}

function fiberCutImpact(params: ParamsOf<'fiber_cut'>, asset: ScenarioAsset): AssetImpact {
  if (asset.kind !== 'network_link') return none();
  if (params.linkIds?.includes(asset.id)) return { impact: params.impact, reason: 'cable cut', recoveryHours: params.repairHours };
  if (params.corridor && asset.linkEnds) {
    const [a, b] = asset.linkEnds;
    // Sample the link's great-circle path; any point inside the corridor means the cut hits it.
    for (let i = 0; i <= 20; i++) {
      const t = i / 20;
      const point = { lat: a.lat + (b.lat - a.lat) * t, lon: a.lon + (b.lon - a.lon) * t };
      const d = pointToSegmentKm(point, params.corridor.from, params.corridor.to);
      if (d <= params.corridor.widthKm) return { impact: params.impact, reason: `runs through the cut corridor (${Math.round(d)} km from its axis)`, recoveryHours: params.repairHours };
    }
  }
  return none();
}

function spaceWeatherImpact(params: ParamsOf<'space_weather'>, asset: ScenarioAsset, atMs: number): AssetImpact {
  if (asset.kind !== 'ground_station' && asset.kind !== 'network_link') return none();
  const points = positions(asset);
  if (!points.length) return none('no location');
  const at = params.at ? Date.parse(params.at) : atMs;
  const maxAbsLat = Math.max(...points.map((q) => Math.abs(q.lat)));
  const sunlit = points.some((q) => solarElevationDeg(q.lat, q.lon, at) > 0);
  const effects: Array<{ impact: Impact; reason: string }> = [];
  if (params.radio >= 3 && sunlit) effects.push({ impact: params.radio >= 5 ? 'down' : 'degraded', reason: `R${params.radio} radio blackout on the sunlit side` });
  if (params.solar >= 3 && maxAbsLat >= 60) effects.push({ impact: params.solar >= 5 ? 'down' : 'degraded', reason: `S${params.solar} polar-cap absorption at ${Math.round(maxAbsLat)}° latitude` });
  if (params.geomagnetic >= 4 && maxAbsLat >= 55) effects.push({ impact: params.geomagnetic >= 5 && maxAbsLat >= 60 ? 'down' : 'degraded', reason: `G${params.geomagnetic} geomagnetic storm: scintillation and tracking problems at high latitude` });
  if (!effects.length) return none();
  const worst = effects.find((e) => e.impact === 'down') ?? effects[0]!;
  return { impact: worst.impact, reason: effects.map((e) => e.reason).join('; '), recoveryHours: params.durationHours };
}

function customImpact(params: ParamsOf<'custom'>, asset: ScenarioAsset): AssetImpact {
  const s = params.selector;
  const site = located(asset);
  const reasons: string[] = [];
  if (s.assetIds && !s.assetIds.includes(asset.id)) return none();
  if (s.assetIds) reasons.push('named');
  if (s.kinds && !s.kinds.includes(asset.kind)) return none();
  if (s.tags && !s.tags.every((t) => asset.tags.includes(t))) return none();
  if (s.tags) reasons.push(`tagged ${s.tags.join(', ')}`);
  if (s.radius) {
    if (!site) return none('no location');
    const d = haversineKm(site, s.radius);
    if (d > s.radius.km) return none();
    reasons.push(`${Math.round(d)} km from the centre`);
  }
  if (s.polygon) {
    if (!site || !pointInPolygon(site, s.polygon.map(([lat, lon]) => ({ lat, lon })))) return none();
    reasons.push('inside the area');
  }
  return { impact: params.impact, reason: reasons.join('; ') || 'selected', recoveryHours: params.durationHours };
}
