import { ecfToLookAngles, type SatRec } from 'satellite.js';
import { toSatrec, type OrbitalElements } from './elements.js';
import { crossing, DEG, EcfTrack, lookAt, maximise, observerOf } from './track.js';

/**
 * Satellite pass prediction over ground stations with SGP4 (satellite.js). Pure and I/O-free.
 *
 * Method: sample the elevation every `stepSeconds` (default 20 s) through the window, then
 * bisect each rise and set through the elevation mask to under half a second, and find the
 * time of closest approach by golden-section search around the highest sample. Local maxima
 * of elevation just under the mask are refined too, so a short grazing pass that falls
 * between two samples is not missed.
 *
 * Window edges:
 * - A pass already above the mask at `fromMs` starts at `fromMs` and is flagged
 *   `inProgressAtStart` (nothing before the window is looked at).
 * - A pass that has risen by `toMs` is included whole: it is followed past `toMs` to its real
 *   LOS, for at most `maxOverrunMs` (default 6 h); one still up then ends there and is flagged
 *   `truncatedAtEnd` (high orbits that stay in view).
 * - A pass that rises after `toMs` is not included.
 *
 * Propagation failures (a decayed satellite, elements SGP4 rejects) count as "not in view":
 * that span yields no passes and nothing is thrown.
 */

export interface StationLocation {
  /** Geodetic latitude, degrees north. */
  lat: number;
  /** Longitude, degrees east. */
  lon: number;
  /** Height above the WGS-84 ellipsoid, metres. */
  altM: number;
}

export interface KeyedStation extends StationLocation {
  stationKey: string;
  /** Overrides the mask given to the call, for this station. */
  elevationMaskDeg?: number;
}

export type PassSatellite = { satelliteKey: string } & ({ satrec: SatRec } | { elements: OrbitalElements });

export interface Pass {
  satelliteKey: string;
  /** Acquisition of signal: elevation rises through the mask (or `fromMs`, if already up). */
  aosMs: number;
  /** Time of closest approach: maximum elevation. */
  tcaMs: number;
  /** Loss of signal: elevation falls through the mask. */
  losMs: number;
  maxElevationDeg: number;
  /** Degrees clockwise from true north. */
  aosAzimuthDeg: number;
  losAzimuthDeg: number;
  /** The satellite was already above the mask at the window start; `aosMs` is the window start. */
  inProgressAtStart?: true;
  /** Still above the mask `maxOverrunMs` after the window end; `losMs` is that moment. */
  truncatedAtEnd?: true;
}

export interface StationPass extends Pass {
  stationKey: string;
}

export interface PassPredictionOptions {
  /** Coarse sampling step, seconds (default 20). */
  stepSeconds?: number;
  /** How far past the window end a pass that has risen is followed (default 6 h). */
  maxOverrunMs?: number;
}

const DEFAULT_STEP_SECONDS = 20;
const DEFAULT_MAX_OVERRUN_MS = 6 * 3_600_000;
/**
 * A sampled local maximum this close under the mask is refined in case the true maximum,
 * between samples, pokes above it. Near its peak a LEO pass's elevation curves by far less
 * than this over one 20–30 s step.
 */
const GRAZING_MARGIN_DEG = 2;

// ── Prediction ───────────────────────────────────────────────────────────────

interface ScanWindow {
  fromMs: number;
  toMs: number;
  stepMs: number;
  maxOverrunMs: number;
}

/** Sample times fromMs, fromMs + step, …, always ending exactly at toMs. */
function sampleTimes(w: ScanWindow): number[] {
  const times: number[] = [];
  for (let t = w.fromMs; t < w.toMs; t += w.stepMs) times.push(t);
  times.push(w.toMs);
  return times;
}

/** One station's scan of one satellite's sampled track: what finding its passes works over. */
interface PassScan {
  times: readonly number[];
  /** Elevation at each sample, degrees (−∞ where the satellite cannot be propagated). */
  el: number[];
  elevation: (ms: number) => number;
  look: (ms: number) => { el: number; az: number };
  mask: number;
  satelliteKey: string;
  w: ScanWindow;
  passes: Pass[];
}

function findPasses(
  track: EcfTrack,
  ecfSamples: ReadonlyArray<{ x: number; y: number; z: number } | null>,
  times: readonly number[],
  station: StationLocation,
  mask: number,
  satelliteKey: string,
  w: ScanWindow,
): Pass[] {
  const observer = observerOf(station);
  const look = (ms: number) => lookAt(track, observer, ms);
  const scan: PassScan = {
    times,
    el: ecfSamples.map((ecf) => (ecf ? ecfToLookAngles(observer, ecf).elevation * DEG : Number.NEGATIVE_INFINITY)),
    elevation: (ms: number) => look(ms).el,
    look,
    mask,
    satelliteKey,
    w,
    passes: [],
  };
  const { el } = scan;
  const n = times.length;
  let i = 0;
  while (i < n) {
    if (el[i]! >= mask) {
      i = passFrom(scan, i);
      continue;
    }
    const before = i > 0 ? el[i - 1]! : Number.NEGATIVE_INFINITY;
    const after = i + 1 < n ? el[i + 1]! : Number.NEGATIVE_INFINITY;
    if (el[i]! > mask - GRAZING_MARGIN_DEG && el[i]! >= before && el[i]! >= after) grazingPeak(scan, i);
    i++;
  }
  return scan.passes;
}

function addPass(s: PassScan, aosMs: number, losMs: number, peakFrom: number, peakTo: number, flags: Partial<Pass>): void {
  const peak = maximise(s.elevation, Math.max(aosMs, peakFrom), Math.min(losMs, peakTo));
  s.passes.push({
    satelliteKey: s.satelliteKey,
    aosMs,
    tcaMs: peak.ms,
    losMs,
    maxElevationDeg: peak.value,
    aosAzimuthDeg: s.look(aosMs).az,
    losAzimuthDeg: s.look(losMs).az,
    ...flags,
  });
}

/** A pass: from sample i (or the crossing before it) to the first sample back under the mask. Returns the next sample to look at. */
function passFrom(s: PassScan, i: number): number {
  const { times, el, mask, elevation } = s;
  const n = times.length;
  const inProgressAtStart = i === 0;
  const aosMs = inProgressAtStart ? times[i]! : crossing(elevation, mask, times[i - 1]!, times[i]!);
  let peakIndex = i;
  let j = i;
  while (j + 1 < n && el[j + 1]! >= mask) {
    j++;
    if (el[j]! > el[peakIndex]!) peakIndex = j;
  }
  const peakFrom = times[Math.max(peakIndex - 1, 0)]!;
  if (j + 1 < n) {
    const losMs = crossing(elevation, mask, times[j + 1]!, times[j]!);
    addPass(s, aosMs, losMs, peakFrom, times[peakIndex + 1]!, inProgressAtStart ? { inProgressAtStart: true } : {});
  } else {
    followPastWindow(s, aosMs, peakIndex, inProgressAtStart);
  }
  return j + 1;
}

/** A sampled peak just under the mask: the real peak, between samples, may clear it. */
function grazingPeak(s: PassScan, i: number): void {
  const { times, mask, elevation } = s;
  const a = times[Math.max(i - 1, 0)]!;
  const b = times[Math.min(i + 1, times.length - 1)]!;
  const peak = maximise(elevation, a, b);
  if (peak.value < mask) return;
  const aosMs = peak.ms === a ? a : crossing(elevation, mask, a, peak.ms);
  const losMs = peak.ms === b ? b : crossing(elevation, mask, b, peak.ms);
  addPass(s, aosMs, losMs, aosMs, losMs, {});
}

/** The last pass is still up at toMs: follow it past the window to its LOS (or the overrun cap). */
function followPastWindow(s: PassScan, aosMs: number, peakIndex: number, inProgressAtStart: boolean): void {
  const { w, mask, elevation } = s;
  const capMs = w.toMs + w.maxOverrunMs;
  let bestMs = s.times[peakIndex]!;
  let bestEl = s.el[peakIndex]!;
  let prevMs = w.toMs;
  let losMs: number | null = null;
  for (let t = Math.min(w.toMs + w.stepMs, capMs); ; t = Math.min(t + w.stepMs, capMs)) {
    const e = elevation(t);
    if (e < mask) {
      losMs = crossing(elevation, mask, t, prevMs);
      break;
    }
    if (e > bestEl) {
      bestEl = e;
      bestMs = t;
    }
    prevMs = t;
    if (t >= capMs) break;
  }
  const flags: Partial<Pass> = {};
  if (inProgressAtStart) flags.inProgressAtStart = true;
  if (losMs === null) flags.truncatedAtEnd = true;
  addPass(s, aosMs, losMs ?? capMs, bestMs - w.stepMs, bestMs + w.stepMs, flags);
}

function resolveWindow(fromMs: number, toMs: number, options: PassPredictionOptions): ScanWindow | null {
  const stepSeconds = options.stepSeconds ?? DEFAULT_STEP_SECONDS;
  if (!(stepSeconds > 0)) throw new RangeError('stepSeconds must be positive');
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new RangeError('fromMs and toMs must be finite times in ms');
  if (toMs <= fromMs) return null;
  return { fromMs, toMs, stepMs: stepSeconds * 1000, maxOverrunMs: Math.max(0, options.maxOverrunMs ?? DEFAULT_MAX_OVERRUN_MS) };
}

function trackOf(satellite: PassSatellite): EcfTrack {
  return new EcfTrack('satrec' in satellite ? satellite.satrec : toSatrec(satellite.elements));
}

/**
 * Passes of one satellite over one station between fromMs and toMs, above the elevation
 * mask, in time order. Throws only on invalid arguments (malformed elements, a bad window).
 */
export function predictPasses(
  satellite: PassSatellite,
  station: StationLocation,
  fromMs: number,
  toMs: number,
  elevationMaskDeg: number,
  options: PassPredictionOptions = {},
): Pass[] {
  const w = resolveWindow(fromMs, toMs, options);
  if (!w) return [];
  const track = trackOf(satellite);
  const times = sampleTimes(w);
  const ecf = times.map((t) => track.at(t));
  return findPasses(track, ecf, times, station, elevationMaskDeg, satellite.satelliteKey, w);
}

/**
 * Passes of one satellite over many stations; the satellite is propagated once per sample
 * and shared by all stations, which is what makes a fleet-wide day cheap.
 */
export function predictPassesForStations(
  satellite: PassSatellite,
  stations: readonly KeyedStation[],
  fromMs: number,
  toMs: number,
  elevationMaskDeg: number,
  options: PassPredictionOptions = {},
): StationPass[] {
  const w = resolveWindow(fromMs, toMs, options);
  if (!w || stations.length === 0) return [];
  const track = trackOf(satellite);
  const times = sampleTimes(w);
  const ecf = times.map((t) => track.at(t));
  const out: StationPass[] = [];
  for (const station of stations) {
    const mask = station.elevationMaskDeg ?? elevationMaskDeg;
    for (const pass of findPasses(track, ecf, times, station, mask, satellite.satelliteKey, w)) {
      out.push({ ...pass, stationKey: station.stationKey });
    }
  }
  return out;
}

/**
 * The next `count` passes at each station over any of the satellites, from `fromMs` and
 * looking at most `horizonMs` ahead (default 48 h), each station's list in AOS order.
 * A pass in progress at `fromMs` counts as the first.
 */
export function nextPasses(
  satellites: readonly PassSatellite[],
  stations: readonly KeyedStation[],
  fromMs: number,
  count: number,
  elevationMaskDeg: number,
  options: PassPredictionOptions & { horizonMs?: number } = {},
): Record<string, StationPass[]> {
  const toMs = fromMs + (options.horizonMs ?? 48 * 3_600_000);
  const byStation: Record<string, StationPass[]> = {};
  for (const station of stations) byStation[station.stationKey] = [];
  for (const satellite of satellites) {
    for (const pass of predictPassesForStations(satellite, stations, fromMs, toMs, elevationMaskDeg, options)) {
      byStation[pass.stationKey]!.push(pass);
    }
  }
  for (const key of Object.keys(byStation)) {
    byStation[key] = byStation[key]!.sort((a, b) => a.aosMs - b.aosMs || a.losMs - b.losMs).slice(0, Math.max(0, count));
  }
  return byStation;
}

/** The pass covering time t (AOS ≤ t ≤ LOS), if any; the one with the highest elevation if several overlap. */
export function passAt<P extends Pass>(passes: readonly P[], tMs: number): P | undefined {
  let found: P | undefined;
  for (const pass of passes) {
    if (pass.aosMs <= tMs && tMs <= pass.losMs && (!found || pass.maxElevationDeg > found.maxElevationDeg)) found = pass;
  }
  return found;
}
