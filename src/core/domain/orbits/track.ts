import { checkForDecay, ecfToLookAngles, eciToEcf, gstime, sgp4, type GeodeticLocation, type SatRec } from 'satellite.js';
import { DAY_MS } from '../time.js';
import type { StationLocation } from './passes.js';

/** Where a satellite is (SGP4 → Earth-fixed), how a station sees it, and the searches over that. */

/** Rise/set times are bisected until the bracket is this narrow. */
const CROSSING_TOLERANCE_MS = 500;
const TCA_TOLERANCE_MS = 200;
export const DEG = 180 / Math.PI;
const RAD = Math.PI / 180;
const MS_PER_MINUTE = 60_000;
const UNIX_EPOCH_JD = 2440587.5;

// ── Propagation ──────────────────────────────────────────────────────────────

/** Earth-fixed satellite positions at requested times, via SGP4 and GMST. */
export class EcfTrack {
  private readonly epochMs: number;
  private readonly usable: boolean;

  constructor(private readonly satrec: SatRec) {
    this.epochMs = (satrec.jdsatepoch - UNIX_EPOCH_JD) * DAY_MS;
    // Elements with the perigee under ground, or that SGP4 cannot propagate even at their own
    // epoch, describe no real orbit; SGP4 would still return positions for parts of it.
    this.usable = !(satrec.altp < 0) && this.propagate(0) !== null;
  }

  private propagate(minutesSinceEpoch: number): ReturnType<typeof sgp4> {
    try {
      const result = sgp4(this.satrec, minutesSinceEpoch);
      // The community decay check (satellite.js checkForDecay, from OOTK): drag has driven the
      // mean semi-major axis to zero, yet SGP4 returned a position.
      return result && !checkForDecay(this.satrec) ? result : null;
    } catch {
      return null;
    }
  }

  /** Earth-fixed position in km, or null where SGP4 fails (decayed, bad elements). */
  at(ms: number): { x: number; y: number; z: number } | null {
    if (!this.usable) return null;
    // sgp4 with minutes since epoch is what propagate(satrec, date) does, minus the Date round trip.
    const result = this.propagate((ms - this.epochMs) / MS_PER_MINUTE);
    if (!result) return null;
    const { x, y, z } = result.position;
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) return null;
    return eciToEcf(result.position, gstime(ms / DAY_MS + UNIX_EPOCH_JD));
  }
}

export function observerOf(station: StationLocation): GeodeticLocation {
  return { latitude: station.lat * RAD, longitude: station.lon * RAD, height: station.altM / 1000 };
}

/** Elevation and azimuth in degrees; elevation −∞ where the satellite cannot be propagated. */
export function lookAt(track: EcfTrack, observer: GeodeticLocation, ms: number): { el: number; az: number } {
  const ecf = track.at(ms);
  if (!ecf) return { el: Number.NEGATIVE_INFINITY, az: Number.NaN };
  const look = ecfToLookAngles(observer, ecf);
  return { el: look.elevation * DEG, az: look.azimuth * DEG };
}

// ── Search helpers ───────────────────────────────────────────────────────────

/**
 * The moment elevation crosses the mask between `below` (elevation under the mask) and
 * `above` (at or over it), in either time order; bisection to CROSSING_TOLERANCE_MS.
 */
export function crossing(elevation: (ms: number) => number, mask: number, below: number, above: number): number {
  let lo = below;
  let hi = above;
  while (Math.abs(hi - lo) > CROSSING_TOLERANCE_MS) {
    const mid = (lo + hi) / 2;
    if (elevation(mid) >= mask) hi = mid;
    else lo = mid;
  }
  return Math.round((lo + hi) / 2);
}

/** Golden-section search for the maximum of a unimodal function on [a, b]. */
export function maximise(f: (ms: number) => number, a: number, b: number): { ms: number; value: number } {
  const invPhi = (Math.sqrt(5) - 1) / 2;
  let lo = a;
  let hi = b;
  let x1 = hi - invPhi * (hi - lo);
  let x2 = lo + invPhi * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  while (hi - lo > TCA_TOLERANCE_MS) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + invPhi * (hi - lo);
      f2 = f(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - invPhi * (hi - lo);
      f1 = f(x1);
    }
  }
  // The bracket ends are candidates too: the maximum may sit on an edge of [a, b].
  let best = { ms: (lo + hi) / 2, value: f((lo + hi) / 2) };
  for (const edge of [a, b]) {
    const value = f(edge);
    if (value > best.value) best = { ms: edge, value };
  }
  return { ms: Math.round(best.ms), value: best.value };
}

