// Reading an attached ShakeMap at the assets: PGV and MMI by bilinear interpolation between the
// four grid points around a site, PGV converted to JMA intensity by the model's own relation.
import { classifyIntensity, impactForClass, pgvToIntensity } from './earthquake.js';
import type { AssetImpact, ScenarioAsset } from './impact.js';
import type { LatLon } from './geo.js';
import type { ScenarioBody } from '../domain/scenarios.js';
import type { StoredShakeMap } from './shakemap-store.js';

export interface ShakeMapReading {
  pgvCmS: number;
  mmi: number | null;
}

/** How much of an asset the grid covers: a link is partly covered when one end lies outside. */
export type ShakeMapCoverage = 'covered' | 'partial' | 'not_covered';

export type ShakeMapImpact = AssetImpact & { shaking: 'shakemap'; coverage: ShakeMapCoverage; pgvCmS?: number; mmi?: number | null };

/** PGV and MMI at a point, or null outside the grid. */
export function sampleShakeMap(map: StoredShakeMap, at: LatLon): ShakeMapReading | null {
  const { lonMin, lonMax, latMin, latMax, nlon, nlat } = map.spec;
  let lon = at.lon;
  while (lon < lonMin) lon += 360;
  if (lon > lonMax || at.lat < latMin || at.lat > latMax) return null;
  const x = ((lon - lonMin) / (lonMax - lonMin)) * (nlon - 1);
  const y = ((latMax - at.lat) / (latMax - latMin)) * (nlat - 1);
  const c0 = Math.min(Math.floor(x), nlon - 2);
  const r0 = Math.min(Math.floor(y), nlat - 2);
  const tx = x - c0;
  const ty = y - r0;
  const at4 = (values: Float64Array) => {
    const i = r0 * nlon + c0;
    return (1 - tx) * (1 - ty) * values[i]! + tx * (1 - ty) * values[i + 1]! + (1 - tx) * ty * values[i + nlon]! + tx * ty * values[i + nlon + 1]!;
  };
  return { pgvCmS: at4(map.pgv), mmi: map.mmi ? Math.round(at4(map.mmi) * 100) / 100 : null };
}

type QuakeParams = Extract<ScenarioBody, { kind: 'earthquake' }>['params'];

/**
 * The earthquake's impact on an asset read from the ShakeMap instead of the model. An asset outside
 * the grid is not covered: impact none (nothing is known), said so in the reason and `coverage`.
 */
export function shakemapImpact(map: StoredShakeMap, params: QuakeParams, asset: ScenarioAsset): ShakeMapImpact {
  const points: LatLon[] = asset.linkEnds ?? (asset.lat !== null && asset.lon !== null ? [{ lat: asset.lat, lon: asset.lon }] : []);
  if (!points.length) return { impact: 'none', reason: 'no location', recoveryHours: null, shaking: 'shakemap', coverage: 'not_covered' };
  const readings = points.map((p) => sampleShakeMap(map, p)).filter((r): r is ShakeMapReading => r !== null);
  if (!readings.length) {
    return { impact: 'none', reason: `not covered: outside the ShakeMap grid of ${map.eventId} (shaking unknown)`, recoveryHours: null, shaking: 'shakemap', coverage: 'not_covered' };
  }
  // A link is as shaken as its worse end.
  const worst = readings.reduce((a, b) => (b.pgvCmS > a.pgvCmS ? b : a));
  const intensity = pgvToIntensity(worst.pgvCmS);
  const intensityClass = classifyIntensity(intensity);
  const impact = impactForClass(intensityClass, { downFrom: params.downFrom, degradedFrom: params.degradedFrom });
  const coverage: ShakeMapCoverage = readings.length < points.length ? 'partial' : 'covered';
  const mmi = worst.mmi === null ? '' : `, MMI ${worst.mmi.toFixed(1)}`;
  const reason = `intensity ${intensityClass} (${intensity.toFixed(1)}) from ShakeMap ${map.eventId}: PGV ${worst.pgvCmS.toPrecision(3)} cm/s${mmi}${coverage === 'partial' ? '; one end outside the grid' : ''}`;
  return {
    impact, reason, recoveryHours: impact === 'none' ? null : params.outageHours, intensity, intensityClass,
    shaking: 'shakemap', coverage, pgvCmS: Math.round(worst.pgvCmS * 1000) / 1000, mmi: worst.mmi,
  };
}
