// Earthquake scenario model: estimated JMA seismic intensity at a site.
// Pure and I/O-free (no Node-only imports) so it also runs on Cloudflare Workers.
//
// ─── Sources and coefficients ──────────────────────────────────────────────────
//
// 1. Peak ground velocity on stiff ground (AVS30 ≈ 600 m/s), cm/s —
//    Si, H. & Midorikawa, S. (1999), "New attenuation relationships for peak ground
//    acceleration and velocity considering effects of fault type and site
//    condition", J. Struct. Constr. Eng. (AIJ) 523, 63–70; as implemented in
//    OpenQuake (hazardlib/gsim/si_midorikawa_1999.py) and NIED's "Technical Reports
//    on National Seismic Hazard Maps for Japan" (J-SHIS), eq. 3.5.1-1:
//      log10 PGV600 = 0.58·Mw + 0.0038·D + d − 1.29
//                     − log10(X + 0.0028·10^(0.5·Mw)) − 0.002·X
//    X  shortest distance to the fault (km);
//    D  depth (km): the hypocentre depth here (as JMA's EEW and DOMAIN.md use it;
//       the original paper's D is the mean depth of the fault plane). Capped at
//       120 km, the deepest event in the regression data set ("focal depth between
//       6 and 120 km; most less than 40 km" — J. Douglas, Ground-motion prediction
//       equations 1964–2014, gmpe.org.uk, entry for Si & Midorikawa 1999/2000);
//    d  fault-type term: 0 crustal, −0.02 plate interface, +0.12 intraslab;
//    Mw capped at 8.3 in the formula (NIED technical report, note to table
//       3.3.2-6; OpenQuake clips likewise). The rupture size below uses the true Mw.
//    Fitted to about 300 km for Mw > 7 (200 km for 6.6–7, 150 km for 6.3–6.5);
//    beyond that it is an extrapolation.
//
// 2. Site amplification (Matsuoka & Midorikawa 1994 form):
//      PGV = PGV600 · (600 / AVS30)^0.66
//    AVS30 = average S-wave velocity of the top 30 m (m/s); 400 m/s when unknown,
//    giving ×1.31. (JMA intensity stations often stand on softer ground, 200–300
//    m/s, i.e. ×1.6–×2.1; give the site's AVS30 when it is known, e.g. from J-SHIS.)
//
// 3. PGV → JMA instrumental intensity (Midorikawa, Fujimoto & Muramatsu 1999,
//    valid about 4 ≤ I ≤ 7):
//      I = 2.68 + 1.72 · log10 PGV
//    clamped to [0, 7] and reported to one decimal the way JMA does (round at the
//    second decimal, then truncate to one decimal). Classes (JMA, since 1996):
//      < 0.5 '0' · 0.5 '1' · 1.5 '2' · 2.5 '3' · 3.5 '4' · 4.5 '5-lower' ·
//      5.0 '5-upper' · 5.5 '6-lower' · 6.0 '6-upper' · 6.5 '7'.
//
// 4. Distance to the fault rather than the hypocentre. A point source understates
//    shaking near a long rupture, so:
//    - Rupture length L and width W (km), from the moment magnitude:
//        interplate: Strasser, Arango & Bommer (2010), Seismol. Res. Lett. 81(6),
//          interface events:  log10 L = −2.477 + 0.585·Mw,  log10 W = −0.882 + 0.351·Mw
//          (Mw 9.0 → ≈ 614 × 189 km);
//        crustal and intraslab: Utsu (1977), log10 L = 0.5·Mw − 1.85 (the relation
//          JMA's earthquake early warning uses), with W = L/2 capped at the
//          seismogenic width T / sin(dip), T = 18 km for crustal events (the
//          seismogenic layer of the Japanese crust is roughly 2–3 km to 15–20 km
//          deep) and 30 km for intraslab events (a modelling choice; configurable).
//      Explicit lengthKm / widthKm on the quake override these.
//    - With strike and dip: the rupture is a planar rectangle L × W centred on the
//      hypocentre (shifted down-dip if its top would rise above the surface), and
//      X = shortest distance from the site to that plane (geo.ts).
//    - Without them: JMA's EEW approach, X = max(R_hypo − L/2, 3 km), i.e. a
//      sphere of radius L/2 around the hypocentre. L is the fault-type length
//      above (JMA's EEW itself always uses Utsu's L; for interface events we use
//      Strasser's, consistent with the rectangle).
//
// Expect about one intensity class of scatter against observations; more where
// local site effects dominate (soft basins, ridges) — see the observed-intensity
// tests in tests/scenarios/earthquake.test.ts.

import { JMA_INTENSITY_CLASSES, type IntensityClass } from '../domain/scenarios.js';
import { type FaultPlane, type LatLon, destinationPoint, distanceToFaultPlaneKm, haversineKm, normalizeDeg } from './geo.js';

export type FaultType = 'crustal' | 'interplate' | 'intraslab';

export type EarthquakeImpact = 'none' | 'degraded' | 'down';

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
}

export interface Site {
  lat: number;
  lon: number;
  /** Average S-wave velocity of the top 30 m, m/s. */
  avs30?: number;
}

export interface IntensityOptions {
  /** AVS30 used when the site gives none (m/s). Default 400 (×1.31). */
  defaultAvs30?: number;
  /** Cap on Mw inside the attenuation formula. Default 8.3 (NIED). */
  mwCap?: number;
  /** Cap on the depth term D (km). Default 120 (edge of the regression data). */
  depthCapKm?: number;
  /** Seismogenic thickness (km) bounding the width of crustal ruptures. Default 18. */
  crustalSeismogenicThicknessKm?: number;
  /** Seismogenic thickness (km) bounding the width of intraslab ruptures. Default 30. */
  intraslabSeismogenicThicknessKm?: number;
  /** Minimum distance (km) of the point-source (EEW) approach. Default 3. */
  minDistanceKm?: number;
  /**
   * 'auto' (default): rupture plane with strike and dip, otherwise X = max(R − L/2, 3).
   * 'hypocentral': plain point source, X = max(R_hypo, minDistanceKm) — for comparison.
   */
  distance?: 'auto' | 'hypocentral';
}

export interface IntensityEstimate {
  /** The fault distance X used in the attenuation formula (km). */
  distanceKm: number;
  /** Straight-line distance from the site (at the surface) to the hypocentre (km). */
  hypocentralKm: number;
  /** Estimated peak ground velocity at the site (cm/s), after site amplification. */
  pgvCmS: number;
  /** JMA instrumental intensity, one decimal, in [0, 7]. */
  intensity: number;
  intensityClass: IntensityClass;
  /** How X was obtained. */
  distanceMethod: 'rupture-plane' | 'eew-sphere' | 'hypocentral';
}

export const SI_MIDORIKAWA_FAULT_TERM: Readonly<Record<FaultType, number>> = {
  crustal: 0,
  interplate: -0.02,
  intraslab: 0.12,
};

const DEFAULTS = {
  defaultAvs30: 400,
  mwCap: 8.3,
  depthCapKm: 120,
  crustalSeismogenicThicknessKm: 18,
  intraslabSeismogenicThicknessKm: 30,
  minDistanceKm: 3,
} as const;

/** Si & Midorikawa (1999) PGV (cm/s) on stiff ground (AVS30 ≈ 600 m/s). */
export function siMidorikawaPgv600(
  mw: number,
  depthKm: number,
  distanceKm: number,
  faultType: FaultType,
  options: Pick<IntensityOptions, 'mwCap' | 'depthCapKm'> = {},
): number {
  const m = Math.min(mw, options.mwCap ?? DEFAULTS.mwCap);
  const D = Math.min(Math.max(depthKm, 0), options.depthCapKm ?? DEFAULTS.depthCapKm);
  const X = Math.max(distanceKm, 0);
  const log10Pgv =
    0.58 * m + 0.0038 * D + SI_MIDORIKAWA_FAULT_TERM[faultType] - 1.29 - Math.log10(X + 0.0028 * 10 ** (0.5 * m)) - 0.002 * X;
  return 10 ** log10Pgv;
}

/** Site amplification of PGV relative to AVS30 = 600 m/s: (600 / AVS30)^0.66. */
export function siteAmplification(avs30: number): number {
  if (!(avs30 > 0)) throw new RangeError(`AVS30 must be positive, got ${avs30}`);
  return (600 / avs30) ** 0.66;
}

/**
 * JMA instrumental intensity from PGV (cm/s): I = 2.68 + 1.72·log10 PGV, clamped to
 * [0, 7], rounded at the second decimal and truncated to one decimal as JMA reports it.
 */
export function pgvToIntensity(pgvCmS: number): number {
  if (!(pgvCmS > 0)) return 0;
  const raw = 2.68 + 1.72 * Math.log10(pgvCmS);
  const clamped = Math.min(7, Math.max(0, raw));
  const hundredths = Math.round(clamped * 100);
  return Math.floor(hundredths / 10) / 10;
}

/** JMA class of an instrumental intensity. */
export function classifyIntensity(intensity: number): IntensityClass {
  if (intensity >= 6.5) return '7';
  if (intensity >= 6.0) return '6-upper';
  if (intensity >= 5.5) return '6-lower';
  if (intensity >= 5.0) return '5-upper';
  if (intensity >= 4.5) return '5-lower';
  if (intensity >= 3.5) return '4';
  if (intensity >= 2.5) return '3';
  if (intensity >= 1.5) return '2';
  if (intensity >= 0.5) return '1';
  return '0';
}

/** Position of a class on the JMA scale (0 for '0' … 9 for '7'). */
export function intensityClassRank(c: IntensityClass): number {
  return JMA_INTENSITY_CLASSES.indexOf(c);
}

/** Class → impact mapping: the weakest class that takes an asset down, and the weakest that degrades it. */
export interface IntensityImpactMapping {
  downFrom: IntensityClass;
  degradedFrom: IntensityClass;
}

/** Default mapping: 6-lower and above → down, 5-lower and above → degraded, else none. */
export const DEFAULT_INTENSITY_IMPACT: Readonly<IntensityImpactMapping> = Object.freeze({
  downFrom: '6-lower',
  degradedFrom: '5-lower',
});

/** The impact on an asset of shaking of the given class; the mapping can be overridden per scenario. */
export function impactForClass(
  c: IntensityClass,
  mapping: Partial<IntensityImpactMapping> = DEFAULT_INTENSITY_IMPACT,
): EarthquakeImpact {
  const rank = intensityClassRank(c);
  const down = intensityClassRank(mapping.downFrom ?? DEFAULT_INTENSITY_IMPACT.downFrom);
  const degraded = intensityClassRank(mapping.degradedFrom ?? DEFAULT_INTENSITY_IMPACT.degradedFrom);
  if (rank >= down) return 'down';
  if (rank >= degraded) return 'degraded';
  return 'none';
}

/**
 * Magnitude-scaled rupture dimensions (km): Strasser et al. (2010) for interface
 * events; Utsu (1977) length with W = L/2 bounded by the seismogenic width
 * T / sin(dip) for crustal and intraslab events (dip defaults to 90° for the bound).
 */
export function ruptureDimensions(
  mw: number,
  faultType: FaultType,
  dipDeg?: number,
  options: Pick<IntensityOptions, 'crustalSeismogenicThicknessKm' | 'intraslabSeismogenicThicknessKm'> = {},
): { lengthKm: number; widthKm: number } {
  if (faultType === 'interplate') {
    return { lengthKm: 10 ** (-2.477 + 0.585 * mw), widthKm: 10 ** (-0.882 + 0.351 * mw) };
  }
  const lengthKm = 10 ** (0.5 * mw - 1.85);
  const thickness =
    faultType === 'crustal'
      ? (options.crustalSeismogenicThicknessKm ?? DEFAULTS.crustalSeismogenicThicknessKm)
      : (options.intraslabSeismogenicThicknessKm ?? DEFAULTS.intraslabSeismogenicThicknessKm);
  const sinDip = Math.sin((Math.min(90, Math.max(1, dipDeg ?? 90)) * Math.PI) / 180);
  return { lengthKm, widthKm: Math.min(lengthKm / 2, thickness / sinDip) };
}

/**
 * The rupture rectangle of a quake with strike and dip: L × W centred on the
 * hypocentre along strike and down dip; if its top edge would rise above the
 * surface, the plane slides down-dip until the top edge is at depth 0 (the area,
 * and so the magnitude scaling, is kept).
 */
export function rupturePlane(quake: Quake, options: IntensityOptions = {}): FaultPlane {
  if (quake.strikeDeg === undefined || quake.dipDeg === undefined) {
    throw new RangeError('a rupture plane needs strikeDeg and dipDeg');
  }
  const dip = Math.min(90, Math.max(1, quake.dipDeg));
  const scaled = ruptureDimensions(quake.mw, quake.faultType, dip, options);
  const lengthKm = quake.lengthKm ?? scaled.lengthKm;
  const widthKm = quake.widthKm ?? scaled.widthKm;
  const sinDip = Math.sin((dip * Math.PI) / 180);
  const cosDip = Math.cos((dip * Math.PI) / 180);
  // Down-dip distance from the top edge to the hypocentre.
  const toHypo = Math.min(widthKm / 2, Math.max(0, quake.depthKm) / sinDip);
  const topDepthKm = Math.max(0, quake.depthKm - toHypo * sinDip);
  // The top-edge centre lies up-dip of the epicentre: horizontally toHypo·cos(dip) on azimuth strike − 90°.
  const top = destinationPoint({ lat: quake.lat, lon: quake.lon }, normalizeDeg(quake.strikeDeg - 90), toHypo * cosDip);
  return { lat: top.lat, lon: top.lon, strikeDeg: normalizeDeg(quake.strikeDeg), dipDeg: dip, lengthKm, widthKm, topDepthKm };
}

/** Estimated shaking at a site: fault distance, PGV, JMA instrumental intensity and class. */
export function estimateIntensity(quake: Quake, site: Site, options: IntensityOptions = {}): IntensityEstimate {
  const siteLL: LatLon = { lat: site.lat, lon: site.lon };
  const epicentralKm = haversineKm({ lat: quake.lat, lon: quake.lon }, siteLL);
  const depth = Math.max(0, quake.depthKm);
  const hypocentralKm = Math.sqrt(epicentralKm ** 2 + depth ** 2);
  const minDistanceKm = options.minDistanceKm ?? DEFAULTS.minDistanceKm;

  let distanceKm: number;
  let distanceMethod: IntensityEstimate['distanceMethod'];
  if (options.distance === 'hypocentral') {
    distanceKm = Math.max(hypocentralKm, minDistanceKm);
    distanceMethod = 'hypocentral';
  } else if (quake.strikeDeg !== undefined && quake.dipDeg !== undefined) {
    distanceKm = distanceToFaultPlaneKm(siteLL, rupturePlane(quake, options));
    distanceMethod = 'rupture-plane';
  } else {
    const lengthKm = quake.lengthKm ?? ruptureDimensions(quake.mw, quake.faultType, undefined, options).lengthKm;
    distanceKm = Math.max(hypocentralKm - lengthKm / 2, minDistanceKm);
    distanceMethod = 'eew-sphere';
  }

  const avs30 = site.avs30 ?? options.defaultAvs30 ?? DEFAULTS.defaultAvs30;
  const pgvCmS = siMidorikawaPgv600(quake.mw, depth, distanceKm, quake.faultType, options) * siteAmplification(avs30);
  const intensity = pgvToIntensity(pgvCmS);
  return {
    distanceKm,
    hypocentralKm,
    pgvCmS,
    intensity,
    intensityClass: classifyIntensity(intensity),
    distanceMethod,
  };
}
