// Earthquake rupture geometry: where the fault is, so the attenuation model can use the
// shortest distance to it (Si & Midorikawa's X). Pure and I/O-free.
//
// A quake's rupture is, in order of precedence:
// 1. `segments`: one or more planes given whole (a megathrust is several); X is the distance
//    to the nearest of them. Each plane is a FaultPlane (geo.ts): the surface point above the
//    centre of its top edge, strike, dip (to the right of strike), length, width, top depth.
// 2. strike and dip on the quake: one plane through the hypocentre. Its length and width are
//    the quake's `lengthKm`/`widthKm` or, without them, the scaling relations below.
//    - With `topDepthKm`: the top edge is at that depth and the hypocentre lies on the plane
//      at the along-strike centre, (depth − topDepthKm) / sin(dip) down dip from the top edge
//      (clamped to the plane). This is how published megathrust geometry is usually given.
//    - Without it: OpenQuake's point-source placement (hazardlib/source/point.py: the
//      hypocentre is the centroid of the rupture, which is moved down dip when its top would
//      rise above the upper seismogenic depth, here the surface; area is kept).
// 3. No strike: USGS ShakeMap's rule for an earthquake without a rupture model — the point
//    source is turned into the distance expected from a finite fault of unknown strike
//    (Thompson & Worden 2018, "Estimating rupture distances without a rupture", BSSA 108(1);
//    their ps2ff tables). We compute that expectation directly: the mean of X over strikes
//    0°, 15°, … 345° for a plane of the scaled size placed as in 2, at the quake's dip or a
//    default dip (a modelling choice: 15° interface, typical of shallow megathrusts — GCMT
//    gives 10° for Tōhoku 2011 — and 90° crustal and intraslab). ps2ff also averages over
//    dips and hypocentre positions; we keep one of each.
//    The JMA earthquake early warning rule, X = max(R_hypo − L/2, 3 km), remains as the
//    `distance: 'eew-sphere'` option for comparison; it puts every site within L/2 of the
//    hypocentre (307 km for Mw 9) at 3 km, so it cannot tell them apart.
//
// Scaling relations (the true Mw, not the attenuation model's 8.3 cap):
// - interface: Strasser, Arango & Bommer (2010), Seismol. Res. Lett. 81(6), 941–950:
//     log10 L = −2.477 + 0.585·Mw, log10 W = −0.882 + 0.351·Mw  (Mw 9.0 → ≈ 614 × 189 km)
// - crustal and intraslab: Wells & Coppersmith (1994), BSSA 84(4), 974–1002, table 2A, all
//   slip types: subsurface rupture length log10 L = −2.44 + 0.59·Mw, downdip width
//   log10 W = −1.01 + 0.32·Mw; W bounded by the seismogenic width T / sin(dip), T = 18 km
//   crustal (the seismogenic layer of the Japanese crust is roughly 2–3 km to 15–20 km deep)
//   and 30 km intraslab (a modelling choice; configurable).

import { type FaultPlane, type LatLon, bearingDeg, destinationPoint, distanceToFaultPlaneKm, haversineKm, normalizeDeg } from './geo.js';

export type FaultType = 'crustal' | 'interplate' | 'intraslab';

export interface Quake {
  lat: number;
  lon: number;
  depthKm: number;
  mw: number;
  faultType: FaultType;
  /** Rupture plane orientation; with both given the rupture is modelled as a dipping rectangle. */
  strikeDeg?: number;
  dipDeg?: number;
  /** Override the magnitude-scaled rupture length / width (km). */
  lengthKm?: number;
  widthKm?: number;
  /** Depth of the plane's top edge (km); the hypocentre then lies on the plane below it. */
  topDepthKm?: number;
  /** Several planes (a megathrust); they replace the single plane. */
  segments?: readonly FaultPlane[];
}

export interface RuptureOptions {
  /** Seismogenic thickness (km) bounding the width of crustal ruptures. Default 18. */
  crustalSeismogenicThicknessKm?: number;
  /** Seismogenic thickness (km) bounding the width of intraslab ruptures. Default 30. */
  intraslabSeismogenicThicknessKm?: number;
  /** Minimum distance (km) of the EEW-sphere and hypocentral options. Default 3. */
  minDistanceKm?: number;
  /** 'auto' (default): the rupture as above. 'eew-sphere' and 'hypocentral': JMA's EEW rule and a plain point source, for comparison. */
  distance?: 'auto' | 'eew-sphere' | 'hypocentral';
}

export type DistanceMethod = 'segments' | 'rupture-plane' | 'mean-over-strike' | 'eew-sphere' | 'hypocentral';

/** Dip assumed when a quake gives none (see 3 above). */
export const DEFAULT_DIP_DEG: Readonly<Record<FaultType, number>> = { interplate: 15, crustal: 90, intraslab: 90 };
const STRIKES = Array.from({ length: 24 }, (_, i) => i * 15);

const RAD = Math.PI / 180;

/** Magnitude-scaled rupture length and width (km): Strasser et al. (2010) interface, Wells & Coppersmith (1994) otherwise. */
export function ruptureDimensions(mw: number, faultType: FaultType, dipDeg?: number, options: RuptureOptions = {}): { lengthKm: number; widthKm: number } {
  if (faultType === 'interplate') {
    return { lengthKm: 10 ** (-2.477 + 0.585 * mw), widthKm: 10 ** (-0.882 + 0.351 * mw) };
  }
  const thickness = faultType === 'crustal' ? (options.crustalSeismogenicThicknessKm ?? 18) : (options.intraslabSeismogenicThicknessKm ?? 30);
  const sinDip = Math.sin(Math.min(90, Math.max(1, dipDeg ?? 90)) * RAD);
  return { lengthKm: 10 ** (-2.44 + 0.59 * mw), widthKm: Math.min(10 ** (-1.01 + 0.32 * mw), thickness / sinDip) };
}

/** The single rupture plane of a quake with strike and dip, placed as described at the top of this file. */
export function rupturePlane(quake: Quake, options: RuptureOptions = {}): FaultPlane {
  if (quake.strikeDeg === undefined || quake.dipDeg === undefined) throw new RangeError('a rupture plane needs strikeDeg and dipDeg');
  const dip = Math.min(90, Math.max(1, quake.dipDeg));
  const scaled = ruptureDimensions(quake.mw, quake.faultType, dip, options);
  const lengthKm = quake.lengthKm ?? scaled.lengthKm;
  const widthKm = quake.widthKm ?? scaled.widthKm;
  const sinDip = Math.sin(dip * RAD);
  const depth = Math.max(0, quake.depthKm);
  // Down-dip distance from the top edge to the hypocentre.
  const toHypo =
    quake.topDepthKm !== undefined
      ? Math.min(widthKm, Math.max(0, (depth - quake.topDepthKm) / sinDip))
      : Math.min(widthKm / 2, depth / sinDip);
  const topDepthKm = quake.topDepthKm ?? Math.max(0, depth - toHypo * sinDip);
  // The top-edge centre lies up dip of the epicentre: horizontally toHypo·cos(dip) on azimuth strike − 90°.
  const top = destinationPoint({ lat: quake.lat, lon: quake.lon }, normalizeDeg(quake.strikeDeg - 90), toHypo * Math.cos(dip * RAD));
  return { lat: top.lat, lon: top.lon, strikeDeg: normalizeDeg(quake.strikeDeg), dipDeg: dip, lengthKm, widthKm, topDepthKm };
}

/**
 * A plane from a published rupture quadrilateral (e.g. a USGS ShakeMap rupture.json): the two
 * ends of its top edge (strike runs from the first to the second), its top depth, and the
 * depth and surface position of the middle of its bottom edge. Dip and width follow.
 */
export function planeFromQuadrilateral(topStart: LatLon, topEnd: LatLon, topDepthKm: number, bottomMid: LatLon, bottomDepthKm: number): FaultPlane {
  const strikeDeg = bearingDeg(topStart, topEnd);
  const lengthKm = haversineKm(topStart, topEnd);
  const centre = destinationPoint(topStart, strikeDeg, lengthKm / 2);
  const horizontalKm = haversineKm(centre, bottomMid);
  const verticalKm = bottomDepthKm - topDepthKm;
  const dipDeg = horizontalKm < 1e-6 ? 90 : Math.atan2(verticalKm, horizontalKm) / RAD;
  return { lat: centre.lat, lon: centre.lon, strikeDeg, dipDeg, lengthKm, widthKm: Math.hypot(horizontalKm, verticalKm), topDepthKm };
}

/** The planes the quake's distance is measured to, or null when it has no strike (mean over strikes). */
export function rupturePlanes(quake: Quake, options: RuptureOptions = {}): FaultPlane[] | null {
  if (quake.segments?.length) return [...quake.segments];
  if (quake.strikeDeg !== undefined && quake.dipDeg !== undefined) return [rupturePlane(quake, options)];
  return null;
}

/** The model's X: the shortest distance (km) from a site to the rupture, and how it was found. */
export function ruptureDistanceKm(quake: Quake, site: LatLon, options: RuptureOptions = {}): { distanceKm: number; hypocentralKm: number; method: DistanceMethod } {
  const depth = Math.max(0, quake.depthKm);
  const hypocentralKm = Math.hypot(haversineKm({ lat: quake.lat, lon: quake.lon }, site), depth);
  const minDistanceKm = options.minDistanceKm ?? 3;
  if (options.distance === 'hypocentral') return { distanceKm: Math.max(hypocentralKm, minDistanceKm), hypocentralKm, method: 'hypocentral' };
  if (options.distance === 'eew-sphere') {
    const lengthKm = quake.lengthKm ?? ruptureDimensions(quake.mw, quake.faultType, undefined, options).lengthKm;
    return { distanceKm: Math.max(hypocentralKm - lengthKm / 2, minDistanceKm), hypocentralKm, method: 'eew-sphere' };
  }
  const planes = rupturePlanes(quake, options);
  if (planes) {
    const distanceKm = Math.min(...planes.map((plane) => distanceToFaultPlaneKm(site, plane)));
    return { distanceKm, hypocentralKm, method: quake.segments?.length ? 'segments' : 'rupture-plane' };
  }
  const dipDeg = quake.dipDeg ?? DEFAULT_DIP_DEG[quake.faultType];
  const total = STRIKES.reduce((sum, strikeDeg) => sum + distanceToFaultPlaneKm(site, rupturePlane({ ...quake, strikeDeg, dipDeg }, options)), 0);
  return { distanceKm: total / STRIKES.length, hypocentralKm, method: 'mean-over-strike' };
}
