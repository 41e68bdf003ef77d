import type { AssetKind, LinkMedium } from '../domain/enums.js';
import { estimateIntensity, impactForClass } from './earthquake.js';
import { geomagneticLatDeg, haversineKm, pointInPolygon, pointToSegmentKm, type LatLon } from './geo.js';
import { POLAR_CAP_GEOMAGNETIC_LAT, scaleEffects, STORM_AREA_GEOMAGNETIC_LAT, type Exposure, type Reach } from './space-weather.js';
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
  /** Site soil (AVS30, m/s) when known. */
  avs30?: number | null;
  tags: string[];
  /** For links: what the link is carried on (fibre, satellite, microwave, hf); null on other assets. */
  medium: LinkMedium | null;
  /** For links: where the two ends are (with each end's soil). */
  linkEnds: [LatLon & { avs30?: number | null }, LatLon & { avs30?: number | null }] | null;
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
  /** Earthquakes: the site soil (AVS30, m/s) the estimate used. */
  avs30Used?: number;
}

const located = (a: ScenarioAsset): LatLon | null => (a.lat !== null && a.lon !== null ? { lat: a.lat, lon: a.lon } : null);
const same = (a: string | null, b: string | undefined) => b === undefined || (a !== null && a.toLowerCase() === b.toLowerCase());
const round1 = (n: number) => Math.round(n * 10) / 10;

/** Where a link runs: between its ends; a located asset is a point (with its soil). */
function positions(a: ScenarioAsset): Array<LatLon & { avs30?: number }> {
  if (a.linkEnds) return a.linkEnds.map((end) => ({ lat: end.lat, lon: end.lon, avs30: end.avs30 ?? undefined }));
  const p = located(a);
  return p ? [{ ...p, avs30: a.avs30 ?? undefined }] : [];
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
  const estimates = points.map((site) => estimateIntensity(params, site, { defaultAvs30: params.avs30 }));
  const worst = estimates.reduce((a, b) => (b.intensity > a.intensity ? b : a));
  const impact = impactForClass(worst.intensityClass, { downFrom: params.downFrom, degradedFrom: params.degradedFrom });
  const reason = `intensity ${worst.intensityClass} (${worst.intensity.toFixed(1)}) at ${Math.round(worst.distanceKm)} km from the rupture`;
  return { impact, reason, recoveryHours: impact === 'none' ? null : params.outageHours, intensity: worst.intensity, intensityClass: worst.intensityClass, distanceKm: round1(worst.distanceKm), avs30Used: worst.avs30Used };
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
  return onBackupPower(asset, params.outageHours);
}

/** A grid outage: degraded on backup power while it lasts, down from when it runs out until the grid returns. */
function onBackupPower(asset: ScenarioAsset, outageHours: number): AssetImpact {
  const backup = asset.backupPowerHours ?? 0;
  if (backup >= outageHours) {
    return { impact: 'degraded', reason: `on backup power for the whole ${outageHours} h outage (${backup} h available)`, recoveryHours: outageHours };
  }
  return {
    impact: 'down',
    reason: backup > 0 ? `backup power runs out after ${backup} h of a ${outageHours} h outage` : `no backup power; ${outageHours} h grid outage`,
    recoveryHours: outageHours,
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

/**
 * What space weather can reach on an asset: a link by its medium alone (fibre and microwave:
 * nothing); a ground station works through satellites and keeps time by GNSS; any other asset
 * tagged `gnss-timing` keeps time by GNSS; an asset in a grid region draws grid power.
 */
export function spaceWeatherExposures(asset: ScenarioAsset): Exposure[] {
  if (asset.kind === 'network_link') return asset.medium === 'hf' ? ['hf'] : asset.medium === 'satellite' ? ['satellite'] : [];
  const exposures: Exposure[] = asset.kind === 'ground_station' ? ['satellite', 'gnss'] : asset.tags.includes('gnss-timing') ? ['gnss'] : [];
  if (asset.gridRegion !== null) exposures.push('grid');
  return exposures;
}

function spaceWeatherImpact(params: ParamsOf<'space_weather'>, asset: ScenarioAsset, atMs: number): AssetImpact {
  const exposures = spaceWeatherExposures(asset);
  if (!exposures.length) return none(asset.kind === 'network_link' ? `${asset.medium ?? 'fibre'} link: no space weather scale reaches it` : 'not affected');
  const points = positions(asset);
  const at = params.at ? Date.parse(params.at) : atMs;
  const magLat = points.length ? Math.max(...points.map((q) => Math.abs(geomagneticLatDeg(q)))) : null;
  const reaches = (reach: Reach, level: number) =>
    reach === 'anywhere' ||
    (magLat !== null &&
      (reach === 'sunlit' ? points.some((q) => solarElevationDeg(q.lat, q.lon, at) > 0)
        : reach === 'polar' ? magLat >= POLAR_CAP_GEOMAGNETIC_LAT
        : magLat >= STORM_AREA_GEOMAGNETIC_LAT[level as 1]));
  const effects = scaleEffects(params)
    .filter((effect) => exposures.includes(effect.exposure) && reaches(effect.reach, Number(effect.scale.slice(1))))
    .map((effect): AssetImpact & { scale: string } => {
      const where = effect.reach === 'anywhere' || magLat === null ? '' : ` (${Math.round(magLat)}° geomagnetic latitude)`;
      const grid = effect.exposure === 'grid' && effect.impact === 'down' ? onBackupPower(asset, params.durationHours) : null;
      const reason = `${effect.scale}: ${effect.noaa}${where}${grid ? ` — ${grid.reason}` : ''}`;
      return { scale: effect.scale, impact: grid?.impact ?? effect.impact, reason, recoveryHours: params.durationHours, ...(grid?.downAfterHours !== undefined ? { downAfterHours: grid.downAfterHours } : {}) };
    });
  if (!effects.length) return none();
  const down = effects.filter((x) => x.impact === 'down');
  const downAfterHours = down.length ? Math.min(...down.map((x) => x.downAfterHours ?? 0)) : undefined;
  return {
    impact: down.length ? 'down' : 'degraded',
    reason: effects.map((x) => x.reason).join('; '),
    recoveryHours: params.durationHours,
    ...(downAfterHours ? { downAfterHours } : {}),
  };
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
