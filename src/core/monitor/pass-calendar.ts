import type { SatRec } from 'satellite.js';
import { parseOrbitalElements, toSatrec } from '../domain/orbits/elements.js';
import { predictPasses, type Pass, type StationLocation } from '../domain/orbits/passes.js';

const HORIZON_MS = 36 * 3600_000;
const REFRESH_AFTER_MS = 12 * 3600_000;

interface Satellite {
  key: string;
  name: string;
  satrec: SatRec | null;
  epochMs: number;
}

/**
 * Predicted passes of the configured satellites over each ground station, computed once for a
 * day and a half ahead and reused until half of that has gone by or the elements change.
 */
export class PassCalendar {
  private satellites = new Map<string, Satellite>();
  private cache = new Map<string, { from: number; passes: Pass[] }>();

  setSatellites(rows: Array<{ key: string; name: string; elements: unknown; epochMs: number }>): void {
    this.satellites = new Map(
      rows.map((row) => {
        let satrec: SatRec | null = null;
        try {
          satrec = toSatrec(parseOrbitalElements(row.elements));
        } catch {
          satrec = null; // malformed elements predict no passes; the asset shows them as stale
        }
        return [row.key, { key: row.key, name: row.name, satrec, epochMs: row.epochMs }];
      }),
    );
    this.cache.clear();
  }

  satellite(key: string): Satellite | undefined {
    return this.satellites.get(key);
  }

  /** Passes of the given satellites over the station that end after `fromMs`, in AOS order. */
  passes(stationKey: string, station: StationLocation, satelliteKeys: readonly string[], maskDeg: number, fromMs: number): Pass[] {
    const all: Pass[] = [];
    for (const key of satelliteKeys) {
      const sat = this.satellites.get(key);
      if (!sat?.satrec) continue;
      const cacheKey = `${stationKey}|${key}|${maskDeg}`;
      let entry = this.cache.get(cacheKey);
      if (!entry || fromMs - entry.from > REFRESH_AFTER_MS || fromMs < entry.from) {
        const from = fromMs - 3600_000;
        entry = { from, passes: predictPasses({ satelliteKey: key, satrec: sat.satrec }, station, from, from + HORIZON_MS, maskDeg) };
        this.cache.set(cacheKey, entry);
      }
      all.push(...entry.passes.filter((p) => p.losMs > fromMs));
    }
    return all.sort((a, b) => a.aosMs - b.aosMs);
  }

  currentPass(stationKey: string, station: StationLocation, satelliteKeys: readonly string[], maskDeg: number, nowMs: number): Pass | undefined {
    return this.passes(stationKey, station, satelliteKeys, maskDeg, nowMs).find((p) => p.aosMs <= nowMs && nowMs < p.losMs);
  }
}
