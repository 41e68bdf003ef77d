// Next satellite passes per ground station for the watch floor: two queries for all stations,
// and SGP4 predictions remembered for a while, so a render does not pay for orbit propagation.
import type { Db } from '../../store/client.js';
import { parseOrbitalElements } from '../../domain/orbits/elements.js';
import { predictPasses } from '../../domain/orbits/passes.js';
import { contactSatellitesByStation, loadSatellites } from '../satellites.js';

export interface UpcomingPass {
  satelliteKey: string;
  satelliteName: string;
  aosMs: number;
  losMs: number;
  maxElevationDeg: number;
}

export interface StationPasses {
  stationId: number;
  /** The next passes (at most `perStation`), a pass under way first. */
  passes: UpcomingPass[];
}

interface Station {
  id: number;
  lat: number | null;
  lon: number | null;
  altM: number | null;
}

const HOUR_MS = 3_600_000;
/** How far ahead to look: LEO satellites pass a station several times in this window. */
const WINDOW_MS = 12 * HOUR_MS;
/** Predictions are reused this long (or until too few of them lie ahead). */
const REUSE_MS = 10 * 60_000;

interface Cached {
  computedAt: number;
  passes: UpcomingPass[];
}

/** Per database handle (never a global across databases), per station and its inputs. */
const cache = new WeakMap<object, Map<string, Cached>>();

/**
 * The next `perStation` passes over each of the given ground stations that have contact checks,
 * in station order. Stations without contact checks or a location are left out.
 */
export async function nextPassesByStation(db: Db, stations: readonly Station[], now: number, perStation = 2): Promise<StationPasses[]> {
  const located = stations.filter((s) => s.lat !== null && s.lon !== null);
  if (!located.length) return [];
  const followed = await contactSatellitesByStation(db, located.map((s) => s.id));
  if (!followed.size) return [];
  const satellites = await loadSatellites(db, [...followed.values()].flatMap((sats) => [...sats.keys()]));
  let byInputs = cache.get(db);
  if (!byInputs) cache.set(db, (byInputs = new Map()));

  const result: StationPasses[] = [];
  for (const station of located) {
    const sats = followed.get(station.id);
    if (!sats) continue;
    const usable = [...sats].flatMap(([key, maskDeg]) => {
      const row = satellites.get(key);
      return row ? [{ key, maskDeg, row }] : [];
    });
    const inputKey = `${station.id}|${station.lat}|${station.lon}|${station.altM ?? 0}|${usable.map((u) => `${u.key}:${u.maskDeg}:${u.row.epochMs}:${u.row.updatedAt}`).join(',')}`;
    let entry = byInputs.get(inputKey);
    const ahead = entry ? entry.passes.filter((p) => p.losMs > now).length : 0;
    const age = entry ? now - entry.computedAt : Infinity;
    // Recompute when stale, when the clock went back, or when too few passes lie ahead (at most once a minute).
    if (!entry || age > REUSE_MS || age < 0 || (ahead < perStation && age > 60_000)) {
      entry = { computedAt: now, passes: predict(station, usable, now) };
      byInputs.set(inputKey, entry);
    }
    result.push({ stationId: station.id, passes: entry.passes.filter((p) => p.losMs > now).slice(0, perStation) });
  }
  // Forget predictions for inputs no longer asked about (changed elements, deleted stations).
  if (byInputs.size > stations.length * 4 + 16) byInputs.clear();
  return result;
}

function predict(station: Station, sats: Array<{ key: string; maskDeg: number; row: { name: string; elements: unknown } }>, now: number): UpcomingPass[] {
  const location = { lat: station.lat!, lon: station.lon!, altM: station.altM ?? 0 };
  const passes: UpcomingPass[] = [];
  for (const { key, maskDeg, row } of sats) {
    let elements;
    try {
      elements = parseOrbitalElements(row.elements);
    } catch {
      continue; // the asset's warnings say why
    }
    for (const pass of predictPasses({ satelliteKey: key, elements }, location, now, now + WINDOW_MS, maskDeg)) {
      passes.push({ satelliteKey: key, satelliteName: row.name, aosMs: pass.aosMs, losMs: pass.losMs, maxElevationDeg: Math.round(pass.maxElevationDeg * 10) / 10 });
    }
  }
  return passes.sort((a, b) => a.aosMs - b.aosMs || a.satelliteKey.localeCompare(b.satelliteKey));
}
