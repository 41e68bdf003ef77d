import type { Omm, OmmElements } from './elements.js';

/** Orbits from their stated shape: synthetic elements for planning, sun-synchronous inclination. */

/** Earth's gravitational parameter (WGS-84 / EGM-96), km³/s². */
export const EARTH_MU_KM3_S2 = 398600.4418;
/** Earth's equatorial radius (WGS-84), km. */
export const EARTH_RADIUS_KM = 6378.137;
/** Earth's second zonal harmonic (EGM-96, unnormalised). */
export const EARTH_J2 = 1.08262668e-3;
const SECONDS_PER_DAY = 86_400;
/** A sun-synchronous orbit's node turns once per tropical year. */
const TROPICAL_YEAR_DAYS = 365.2422;

// ── Synthetic elements from a stated orbit ───────────────────────────────────

export interface OrbitSpec {
  /** Mean altitude above the equatorial radius, km (semi-major axis minus 6378.137 km). */
  altitudeKm: number;
  inclinationDeg: number;
  raanDeg: number;
  argPerigeeDeg?: number;
  meanAnomalyDeg: number;
  eccentricity?: number;
  bstar?: number;
  noradId: number;
  name: string;
  /** International designator; defaults to a recognisably synthetic one. */
  objectId?: string;
}

/** Semi-major axis → mean motion in revolutions per day, by Kepler's third law n = √(μ/a³). */
export function meanMotionRevPerDay(semiMajorAxisKm: number): number {
  const radiansPerSecond = Math.sqrt(EARTH_MU_KM3_S2 / semiMajorAxisKm ** 3);
  return (radiansPerSecond * SECONDS_PER_DAY) / (2 * Math.PI);
}

/** Orbital period in minutes for a mean motion in revolutions per day. */
export function periodMinutes(meanMotionRevPerDay: number): number {
  return 1440 / meanMotionRevPerDay;
}

/**
 * OMM elements for a stated orbit with the given epoch: synthetic elements for demos and tests,
 * where no live GP feed is reachable. Mean motion comes from Kepler's third law (a two-body
 * figure; SGP4 treats it as a Kozai mean motion, a difference of a few km in mean altitude).
 */
export function elementsFromOrbit(orbit: OrbitSpec, epochMs: number): OmmElements {
  const eccentricity = orbit.eccentricity ?? 0;
  const semiMajorAxisKm = EARTH_RADIUS_KM + orbit.altitudeKm;
  if (!Number.isFinite(epochMs)) throw new RangeError('epoch must be a finite time in ms');
  if (!(orbit.altitudeKm > 0)) throw new RangeError('altitudeKm must be positive');
  if (!(eccentricity >= 0 && eccentricity < 1)) throw new RangeError('eccentricity must be from 0 up to 1');
  if (semiMajorAxisKm * (1 - eccentricity) <= EARTH_RADIUS_KM) throw new RangeError('perigee would be below the Earth’s surface');
  if (!(orbit.inclinationDeg >= 0 && orbit.inclinationDeg <= 180)) throw new RangeError('inclinationDeg must be from 0 to 180');
  if (!Number.isInteger(orbit.noradId) || orbit.noradId <= 0) throw new RangeError('noradId must be a positive whole number');
  const omm: Omm = {
    OBJECT_NAME: orbit.name,
    OBJECT_ID: orbit.objectId ?? `SYNTHETIC-${orbit.noradId}`,
    EPOCH: formatOmmEpoch(epochMs),
    MEAN_MOTION: round(meanMotionRevPerDay(semiMajorAxisKm), 8),
    ECCENTRICITY: round(eccentricity, 7),
    INCLINATION: round(orbit.inclinationDeg, 4),
    RA_OF_ASC_NODE: round(normaliseDegrees(orbit.raanDeg), 4),
    ARG_OF_PERICENTER: round(normaliseDegrees(orbit.argPerigeeDeg ?? 0), 4),
    MEAN_ANOMALY: round(normaliseDegrees(orbit.meanAnomalyDeg), 4),
    EPHEMERIS_TYPE: 0,
    CLASSIFICATION_TYPE: 'U',
    NORAD_CAT_ID: orbit.noradId,
    ELEMENT_SET_NO: 999,
    REV_AT_EPOCH: 0,
    BSTAR: orbit.bstar ?? 0,
    MEAN_MOTION_DOT: 0,
    MEAN_MOTION_DDOT: 0,
  };
  return { format: 'omm', omm };
}

/**
 * Inclination whose J2 nodal precession matches the mean Sun (360° per tropical year):
 * dΩ/dt = −(3/2) n J2 (R/p)² cos i, solved for i (Vallado, "Fundamentals of Astrodynamics and
 * Applications", 4th ed., eq. 9-41 and §11.4.1 on sun-synchronous orbits).
 */
export function sunSynchronousInclinationDeg(altitudeKm: number, eccentricity = 0): number {
  const a = EARTH_RADIUS_KM + altitudeKm;
  const p = a * (1 - eccentricity * eccentricity);
  const n = Math.sqrt(EARTH_MU_KM3_S2 / a ** 3);
  const nodeRate = (2 * Math.PI) / (TROPICAL_YEAR_DAYS * SECONDS_PER_DAY);
  const cosI = -(2 * nodeRate * p * p) / (3 * n * EARTH_J2 * EARTH_RADIUS_KM * EARTH_RADIUS_KM);
  if (!(cosI >= -1 && cosI <= 1)) throw new RangeError(`no sun-synchronous orbit at ${altitudeKm} km`);
  return (Math.acos(cosI) * 180) / Math.PI;
}

function formatOmmEpoch(epochMs: number): string {
  // CelesTrak's form: microseconds, no zone designator (the time is UTC).
  return new Date(Math.round(epochMs)).toISOString().replace('Z', '000');
}

function normaliseDegrees(deg: number): number {
  const d = deg % 360;
  return d < 0 ? d + 360 : d;
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
