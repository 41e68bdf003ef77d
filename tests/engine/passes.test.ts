import { propagate, sgp4, twoline2satrec, type SatRec } from 'satellite.js';
import { describe, expect, it } from 'vitest';
import { elementsFromOrbit, sunSynchronousInclinationDeg, toSatrec } from '../../src/core/domain/orbits/elements.js';
import {
  nextPasses,
  passAt,
  predictPasses,
  predictPassesForStations,
  type KeyedStation,
  type Pass,
  type StationLocation,
} from '../../src/core/domain/orbits/passes.js';

// ISS (ZARYA), epoch 2008-09-20 12:25:40 UTC: the element set Wikipedia's TLE article prints.
const ISS_TLE = {
  format: 'tle',
  line1: '1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927',
  line2: '2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537',
} as const;

const USUDA: StationLocation = { lat: 36.1331, lon: 138.3622, altM: 1456 }; // JAXA Usuda
const SVALSAT: StationLocation = { lat: 78.2298, lon: 15.4078, altM: 500 }; // KSAT SvalSat
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const SSO_EPOCH = Date.UTC(2025, 0, 1, 0, 0, 0);
/** A 700 km sun-synchronous orbit, as a seed would state it. */
const SSO_700 = elementsFromOrbit(
  {
    altitudeKm: 700,
    inclinationDeg: sunSynchronousInclinationDeg(700),
    raanDeg: 100,
    meanAnomalyDeg: 40,
    noradId: 90001,
    name: 'DEMOSAT-1',
  },
  SSO_EPOCH,
);

// ── Independent reference geometry ──────────────────────────────────────────────
// Written from the textbook formulas, sharing no code with src/core/domain/orbits: only the satellite's
// TEME position comes from satellite.js (propagate).

/** Greenwich mean sidereal time, radians: IAU 1982 (Aoki et al. 1982), UT1 taken as UTC. */
function referenceGmst(ms: number): number {
  const jd = ms / DAY + 2440587.5;
  const jd0 = Math.floor(jd - 0.5) + 0.5; // the preceding 0h UT
  const t0 = (jd0 - 2451545.0) / 36525;
  const utSeconds = (jd - jd0) * 86400;
  // GMST at 0h UT in seconds of time, then the ratio of sidereal to solar time.
  const gmst0 = 24110.54841 + 8640184.812866 * t0 + 0.093104 * t0 * t0 - 6.2e-6 * t0 * t0 * t0;
  const seconds = gmst0 + 1.002737909350795 * utSeconds;
  const turns = seconds / 86400;
  return (turns - Math.floor(turns)) * 2 * Math.PI;
}

/** WGS-84 geodetic → Earth-centred Earth-fixed, km. */
function referenceEcef(station: StationLocation): [number, number, number] {
  const a = 6378.137;
  const f = 1 / 298.257223563;
  const e2 = f * (2 - f);
  const phi = (station.lat * Math.PI) / 180;
  const lambda = (station.lon * Math.PI) / 180;
  const h = station.altM / 1000;
  const n = a / Math.sqrt(1 - e2 * Math.sin(phi) ** 2);
  return [
    (n + h) * Math.cos(phi) * Math.cos(lambda),
    (n + h) * Math.cos(phi) * Math.sin(lambda),
    (n * (1 - e2) + h) * Math.sin(phi),
  ];
}

/** Elevation and azimuth (degrees) of a TEME position from a station, via local east-north-up. */
function referenceLook(temeKm: { x: number; y: number; z: number }, ms: number, station: StationLocation) {
  const theta = referenceGmst(ms);
  // TEME → Earth-fixed: rotate by −GMST about z (polar motion neglected).
  const x = Math.cos(theta) * temeKm.x + Math.sin(theta) * temeKm.y;
  const y = -Math.sin(theta) * temeKm.x + Math.cos(theta) * temeKm.y;
  const z = temeKm.z;
  const [ox, oy, oz] = referenceEcef(station);
  const [dx, dy, dz] = [x - ox, y - oy, z - oz];
  const phi = (station.lat * Math.PI) / 180;
  const lambda = (station.lon * Math.PI) / 180;
  const east = -Math.sin(lambda) * dx + Math.cos(lambda) * dy;
  const north = -Math.sin(phi) * Math.cos(lambda) * dx - Math.sin(phi) * Math.sin(lambda) * dy + Math.cos(phi) * dz;
  const up = Math.cos(phi) * Math.cos(lambda) * dx + Math.cos(phi) * Math.sin(lambda) * dy + Math.sin(phi) * dz;
  const elevation = (Math.atan2(up, Math.hypot(east, north)) * 180) / Math.PI;
  const azimuth = ((Math.atan2(east, north) * 180) / Math.PI + 360) % 360;
  return { elevation, azimuth };
}

interface ReferencePass {
  aosMs: number;
  losMs: number;
  maxElevationDeg: number;
  aosAzimuthDeg: number;
}

/**
 * Brute force: every second from fromMs, a pass being a run of seconds at or above the mask.
 * Matches the predictor's documented edges: a pass up at fromMs starts there; one that has
 * risen by toMs is followed to its end (the scan runs an hour past toMs).
 */
function referencePasses(
  satrec: SatRec,
  stations: StationLocation[],
  fromMs: number,
  toMs: number,
  maskDeg: number,
): ReferencePass[][] {
  const result: ReferencePass[][] = stations.map(() => []);
  const open: (ReferencePass | null)[] = stations.map(() => null);
  for (let t = fromMs; t <= toMs + HOUR; t += 1000) {
    const pv = propagate(satrec, new Date(t));
    stations.forEach((station, s) => {
      const look = pv ? referenceLook(pv.position, t, station) : null;
      const current = open[s];
      if (look && look.elevation >= maskDeg) {
        if (current) {
          current.losMs = t;
          current.maxElevationDeg = Math.max(current.maxElevationDeg, look.elevation);
        } else if (t <= toMs) {
          open[s] = { aosMs: t, losMs: t, maxElevationDeg: look.elevation, aosAzimuthDeg: look.azimuth };
        }
      } else if (current) {
        result[s]!.push(current);
        open[s] = null;
      }
    });
  }
  return result;
}

function expectMatchesReference(predicted: Pass[], reference: ReferencePass[]): void {
  // Same passes: none missed, none invented.
  expect(predicted.map((p) => new Date(p.aosMs).toISOString().slice(0, 16))).toHaveLength(reference.length);
  predicted.forEach((pass, i) => {
    const ref = reference[i]!;
    expect(Math.abs(pass.aosMs - ref.aosMs)).toBeLessThanOrEqual(30_000);
    expect(Math.abs(pass.losMs - ref.losMs)).toBeLessThanOrEqual(30_000);
    expect(Math.abs(pass.maxElevationDeg - ref.maxElevationDeg)).toBeLessThanOrEqual(0.5);
    // Tighter than the requirement: bisection to half a second against a one-second scan.
    expect(Math.abs(pass.aosMs - ref.aosMs)).toBeLessThanOrEqual(2_000);
    expect(Math.abs(pass.losMs - ref.losMs)).toBeLessThanOrEqual(2_000);
    expect(Math.abs(pass.maxElevationDeg - ref.maxElevationDeg)).toBeLessThanOrEqual(0.2);
    const azimuthGap = Math.abs(((pass.aosAzimuthDeg - ref.aosAzimuthDeg + 540) % 360) - 180);
    expect(azimuthGap).toBeLessThan(1);
    expect(pass.aosMs).toBeLessThanOrEqual(pass.tcaMs);
    expect(pass.tcaMs).toBeLessThanOrEqual(pass.losMs);
  });
}

describe('pass prediction against independent geometry', () => {
  it('ISS over Usuda, the day after its epoch', () => {
    const satrec = twoline2satrec(ISS_TLE.line1, ISS_TLE.line2);
    const fromMs = Date.UTC(2008, 8, 20, 12, 0, 0);
    const toMs = fromMs + DAY;
    const [reference] = referencePasses(satrec, [USUDA], fromMs, toMs, 5);
    const predicted = predictPasses({ satelliteKey: 'iss', elements: ISS_TLE }, USUDA, fromMs, toMs, 5);
    expect(reference!.length).toBeGreaterThanOrEqual(4);
    expectMatchesReference(predicted, reference!);
    expect(predicted.every((p) => p.satelliteKey === 'iss' && !p.inProgressAtStart && !p.truncatedAtEnd)).toBe(true);
  });

  it('ISS never rises over SvalSat (51.6° orbit, 78° N station), and none is invented', () => {
    const satrec = twoline2satrec(ISS_TLE.line1, ISS_TLE.line2);
    const fromMs = Date.UTC(2008, 8, 20, 12, 0, 0);
    const [reference] = referencePasses(satrec, [SVALSAT], fromMs, fromMs + DAY, 0);
    expect(reference).toEqual([]);
    expect(predictPasses({ satelliteKey: 'iss', elements: ISS_TLE }, SVALSAT, fromMs, fromMs + DAY, 0)).toEqual([]);
  });

  it('ISS over Usuda with a 10° mask, from the middle of a pass to the middle of another', () => {
    const satrec = twoline2satrec(ISS_TLE.line1, ISS_TLE.line2);
    const fromMs = Date.UTC(2008, 8, 20, 17, 10, 0); // during the 17:06–17:13 UTC pass
    const toMs = Date.UTC(2008, 8, 21, 9, 35, 0); // during the 09:32–09:39 UTC pass
    const [reference] = referencePasses(satrec, [USUDA], fromMs, toMs, 10);
    const predicted = predictPasses({ satelliteKey: 'iss', satrec: toSatrec(ISS_TLE) }, USUDA, fromMs, toMs, 10);
    expectMatchesReference(predicted, reference!);
    expect(predicted[0]).toMatchObject({ aosMs: fromMs, inProgressAtStart: true });
    const last = predicted.at(-1)!;
    expect(last.aosMs).toBeLessThan(toMs);
    expect(last.losMs).toBeGreaterThan(toMs); // included whole, not cut at toMs
    expect(last.truncatedAtEnd).toBeUndefined();
  });

  it('a 700 km sun-synchronous satellite over SvalSat and Usuda', () => {
    const satrec = toSatrec(SSO_700);
    const [svalsat, usuda] = referencePasses(satrec, [SVALSAT, USUDA], SSO_EPOCH, SSO_EPOCH + DAY, 5);
    const stations: KeyedStation[] = [
      { stationKey: 'svalsat', ...SVALSAT },
      { stationKey: 'usuda', ...USUDA },
    ];
    const predicted = predictPassesForStations({ satelliteKey: 'demosat-1', elements: SSO_700 }, stations, SSO_EPOCH, SSO_EPOCH + DAY, 5);
    expectMatchesReference(
      predicted.filter((p) => p.stationKey === 'svalsat'),
      svalsat!,
    );
    expectMatchesReference(
      predicted.filter((p) => p.stationKey === 'usuda'),
      usuda!,
    );
  });
});

describe('pass prediction behaviour', () => {
  const sso = { satelliteKey: 'demosat-1', satrec: toSatrec(SSO_700) };

  it('a polar station sees many more sun-synchronous passes a day than a mid-latitude one', () => {
    const svalsat = predictPasses(sso, SVALSAT, SSO_EPOCH, SSO_EPOCH + DAY, 5);
    const usuda = predictPasses(sso, USUDA, SSO_EPOCH, SSO_EPOCH + DAY, 5);
    // About 14.6 revolutions a day; SvalSat sees most of them, Usuda a handful.
    expect(svalsat.length).toBeGreaterThanOrEqual(10);
    expect(usuda.length).toBeGreaterThan(0);
    expect(svalsat.length).toBeGreaterThanOrEqual(2 * usuda.length);
  });

  it('raising the elevation mask shortens passes and never adds one', () => {
    for (const station of [SVALSAT, USUDA]) {
      const low = predictPasses(sso, station, SSO_EPOCH, SSO_EPOCH + 2 * DAY, 5);
      for (const mask of [10, 20, 40]) {
        const high = predictPasses(sso, station, SSO_EPOCH, SSO_EPOCH + 2 * DAY, mask);
        expect(high.length).toBeLessThanOrEqual(low.length);
        for (const pass of high) {
          const outer = low.find((p) => p.aosMs <= pass.tcaMs && pass.tcaMs <= p.losMs);
          expect(outer).toBeDefined();
          expect(pass.aosMs).toBeGreaterThan(outer!.aosMs);
          expect(pass.losMs).toBeLessThan(outer!.losMs);
          expect(pass.maxElevationDeg).toBeCloseTo(outer!.maxElevationDeg, 1);
        }
      }
    }
  });

  it('cuts a pass at the overrun limit and flags it', () => {
    const full = predictPasses({ satelliteKey: 'iss', elements: ISS_TLE }, USUDA, Date.UTC(2008, 8, 20, 17, 0, 0), Date.UTC(2008, 8, 20, 17, 20, 0), 10);
    expect(full).toHaveLength(1);
    const midPass = full[0]!.tcaMs;
    const cut = predictPasses({ satelliteKey: 'iss', elements: ISS_TLE }, USUDA, full[0]!.aosMs - 60_000, midPass, 10, { maxOverrunMs: 0 });
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatchObject({ losMs: midPass, truncatedAtEnd: true });
    expect(Math.abs(cut[0]!.aosMs - full[0]!.aosMs)).toBeLessThanOrEqual(1000);
  });

  it('finds the pass covering a moment', () => {
    const passes = predictPasses(sso, SVALSAT, SSO_EPOCH, SSO_EPOCH + DAY, 5);
    const first = passes[0]!;
    expect(passAt(passes, first.tcaMs)).toBe(first);
    expect(passAt(passes, first.aosMs)).toBe(first);
    expect(passAt(passes, first.losMs)).toBe(first);
    expect(passAt(passes, first.aosMs - 1)).toBeUndefined();
    expect(passAt(passes, first.losMs + 1)).toBeUndefined();
    expect(passAt([], first.tcaMs)).toBeUndefined();
  });

  it('lists the next passes per station across satellites, in AOS order', () => {
    const other = {
      satelliteKey: 'demosat-2',
      elements: elementsFromOrbit(
        { altitudeKm: 550, inclinationDeg: 97.6, raanDeg: 190, meanAnomalyDeg: 200, noradId: 90002, name: 'DEMOSAT-2' },
        SSO_EPOCH,
      ),
    };
    const stations: KeyedStation[] = [
      { stationKey: 'svalsat', ...SVALSAT },
      { stationKey: 'usuda', ...USUDA, elevationMaskDeg: 10 },
    ];
    const next = nextPasses([sso, other], stations, SSO_EPOCH, 3, 5);
    expect(Object.keys(next).sort()).toEqual(['svalsat', 'usuda']);
    for (const [key, list] of Object.entries(next)) {
      expect(list).toHaveLength(3);
      expect(list.every((p) => p.stationKey === key)).toBe(true);
      expect(list.map((p) => p.aosMs)).toEqual([...list.map((p) => p.aosMs)].sort((a, b) => a - b));
    }
    expect(new Set(next.svalsat!.map((p) => p.satelliteKey))).toEqual(new Set(['demosat-1', 'demosat-2']));
    // The station's own mask applies.
    expect(next.usuda!.every((p) => p.maxElevationDeg >= 10)).toBe(true);
    const alone = predictPasses(sso, USUDA, SSO_EPOCH, SSO_EPOCH + 48 * HOUR, 10);
    const firstOfSso = next.usuda!.find((p) => p.satelliteKey === 'demosat-1');
    if (firstOfSso) expect(firstOfSso).toMatchObject({ ...alone[0], stationKey: 'usuda' });
  });

  it('returns no passes where propagation fails, without throwing', () => {
    // 250 km with heavy drag: SGP4 reports the satellite decayed about 32 hours after epoch.
    const decaying = toSatrec(
      elementsFromOrbit(
        { altitudeKm: 250, inclinationDeg: 51.6, raanDeg: 0, meanAnomalyDeg: 0, bstar: 0.01, noradId: 99001, name: 'DECAYING' },
        SSO_EPOCH,
      ),
    );
    let decayMs = SSO_EPOCH;
    while (sgp4(decaying, (decayMs - SSO_EPOCH) / 60_000)) decayMs += 10_000;
    expect(decayMs - SSO_EPOCH).toBeGreaterThan(DAY);
    expect(decayMs - SSO_EPOCH).toBeLessThan(2 * DAY);

    const station: StationLocation = { lat: 35, lon: 139, altM: 0 };
    const spanning = predictPasses({ satelliteKey: 'decaying', satrec: decaying }, station, SSO_EPOCH, SSO_EPOCH + 3 * DAY, 0);
    expect(spanning.length).toBeGreaterThan(0);
    expect(spanning.every((p) => p.losMs <= decayMs)).toBe(true);
    expect(predictPasses({ satelliteKey: 'decaying', satrec: decaying }, station, SSO_EPOCH + 2 * DAY, SSO_EPOCH + 3 * DAY, 0)).toEqual([]);

    // Elements SGP4 rejects at initialisation (perigee under ground).
    const broken = toSatrec({
      format: 'omm',
      omm: { ...SSO_700.omm, MEAN_MOTION: 16.5, ECCENTRICITY: 0.5 },
    });
    expect(broken.error).not.toBe(0);
    expect(predictPasses({ satelliteKey: 'broken', satrec: broken }, station, SSO_EPOCH, SSO_EPOCH + DAY, 0)).toEqual([]);
  });

  it('returns nothing for an empty window and refuses a bad step', () => {
    expect(predictPasses(sso, SVALSAT, SSO_EPOCH, SSO_EPOCH, 5)).toEqual([]);
    expect(predictPassesForStations(sso, [], SSO_EPOCH, SSO_EPOCH + DAY, 5)).toEqual([]);
    expect(() => predictPasses(sso, SVALSAT, SSO_EPOCH, SSO_EPOCH + DAY, 5, { stepSeconds: 0 })).toThrow(RangeError);
  });

  it('handles a fleet-sized day: 5 satellites × 15 stations', () => {
    // The size the contact probe works at; speed is reported, not asserted.
    const satellites = [500, 600, 700, 800, 550].map((altitudeKm, k) => ({
      satelliteKey: `sat-${k}`,
      satrec: toSatrec(
        elementsFromOrbit(
          {
            altitudeKm,
            inclinationDeg: k === 4 ? 51.6 : sunSynchronousInclinationDeg(altitudeKm),
            raanDeg: 35 * k,
            meanAnomalyDeg: 70 * k,
            noradId: 91000 + k,
            name: `SAT-${k}`,
          },
          SSO_EPOCH,
        ),
      ),
    }));
    const stations: KeyedStation[] = Array.from({ length: 15 }, (_, i) => ({
      stationKey: `gs-${i}`,
      lat: -70 + i * 10,
      lon: -170 + i * 23,
      altM: 100,
    }));
    const perPair = satellites.flatMap((sat) => stations.flatMap((st) => predictPasses(sat, st, SSO_EPOCH, SSO_EPOCH + DAY, 5)));
    const shared = satellites.flatMap((sat) => predictPassesForStations(sat, stations, SSO_EPOCH, SSO_EPOCH + DAY, 5));
    expect(perPair.length).toBeGreaterThan(200);
    expect(shared.length).toBe(perPair.length);
    for (const pass of shared) {
      expect(pass.aosMs).toBeLessThanOrEqual(pass.tcaMs);
      expect(pass.tcaMs).toBeLessThanOrEqual(pass.losMs);
      expect(pass.maxElevationDeg).toBeGreaterThanOrEqual(5);
      expect(pass.losMs - pass.aosMs).toBeLessThan(20 * 60_000);
    }
  });
});
