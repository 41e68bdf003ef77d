import { sgp4 } from 'satellite.js';
import { describe, expect, it } from 'vitest';
import {
  EARTH_RADIUS_KM,
  elementsCatalogNumber,
  elementsEpochMs,
  elementsFromOrbit,
  ommElementsSchema,
  orbitalElementsSchema,
  parseOrbitalElements,
  parseTleText,
  periodMinutes,
  sunSynchronousInclinationDeg,
  tleChecksum,
  tleElementsSchema,
  TleParseError,
  toSatrec,
} from '../../src/core/domain/orbits/elements.js';

// ISS (ZARYA), 20 September 2008: the element set Wikipedia's "Two-line element set" article prints.
const ISS_LINE1 = '1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927';
const ISS_LINE2 = '2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537';
// ISS (ZARYA), 5 June 2019 (the satellite.js README's sample).
const ISS2019_LINE1 = '1 25544U 98067A   19156.50900463  .00003075  00000-0  59442-4 0  9992';
const ISS2019_LINE2 = '2 25544  51.6433  59.2583 0008217  16.4489 347.6017 15.51174618173442';

// CelesTrak GP JSON record (also the satellite.js README's OMM sample).
const HELIOS_2A = {
  OBJECT_NAME: 'HELIOS 2A',
  OBJECT_ID: '2004-049A',
  EPOCH: '2025-03-26T05:19:34.116960',
  MEAN_MOTION: 15.00555103,
  ECCENTRICITY: 0.000583,
  INCLINATION: 98.3164,
  RA_OF_ASC_NODE: 103.8411,
  ARG_OF_PERICENTER: 20.5667,
  MEAN_ANOMALY: 339.5789,
  EPHEMERIS_TYPE: 0,
  CLASSIFICATION_TYPE: 'U',
  NORAD_CAT_ID: 28492,
  ELEMENT_SET_NO: 999,
  REV_AT_EPOCH: 8655,
  BSTAR: 0.00048021,
  MEAN_MOTION_DOT: 0.00005995,
  MEAN_MOTION_DDOT: 0,
};

/** Replaces column 69 (the checksum) of a TLE line. */
function withChecksum(line: string, digit: number): string {
  return line.slice(0, 68) + String(digit);
}

describe('TLE lines', () => {
  it('computes the checksum of published lines', () => {
    expect(tleChecksum(ISS_LINE1)).toBe(7);
    expect(tleChecksum(ISS_LINE2)).toBe(7);
    expect(tleChecksum(ISS2019_LINE1)).toBe(2);
    expect(tleChecksum(ISS2019_LINE2)).toBe(2);
  });

  it('accepts a valid element set, ignoring trailing blanks', () => {
    const parsed = tleElementsSchema.parse({ format: 'tle', line1: `${ISS_LINE1}  `, line2: ISS_LINE2 });
    expect(parsed.line1).toBe(ISS_LINE1);
  });

  it('rejects a bad checksum with a message that says so', () => {
    const bad = withChecksum(ISS_LINE1, 8);
    const result = tleElementsSchema.safeParse({ format: 'tle', line1: bad, line2: ISS_LINE2 });
    expect(result.success).toBe(false);
    const message = result.error!.issues.map((i) => i.message).join('\n');
    expect(message).toMatch(/TLE line 1: checksum mismatch: column 69 says 8, the line sums to 7/);
    expect(() => parseOrbitalElements({ format: 'tle', line1: ISS_LINE1, line2: withChecksum(ISS_LINE2, 0) })).toThrow(
      /line2: TLE line 2: checksum mismatch/,
    );
  });

  it('rejects malformed lines: length, line number, fields, mismatched catalog numbers', () => {
    const problems = (line1: string, line2: string) => {
      const r = tleElementsSchema.safeParse({ format: 'tle', line1, line2 });
      return r.success ? '' : r.error.issues.map((i) => i.message).join('\n');
    };
    expect(problems(ISS_LINE1.slice(0, 60), ISS_LINE2)).toMatch(/must be 69 characters long, got 60/);
    expect(problems(ISS_LINE2, ISS_LINE2)).toMatch(/TLE line 1 must start with "1 "/);
    const badInclination = ISS_LINE2.slice(0, 8) + ' 51.6x16' + ISS_LINE2.slice(16);
    expect(problems(ISS_LINE1, badInclination)).toMatch(/inclination \(columns 9–16\) is malformed/);
    const otherSatellite = withChecksum(`2 25545${ISS_LINE2.slice(7)}`, tleChecksum(`2 25545${ISS_LINE2.slice(7)}`));
    expect(problems(ISS_LINE1, otherSatellite)).toMatch(/different catalog numbers: 25544 and 25545/);
  });
});

describe('parseTleText', () => {
  it('reads three-line sets with CRLF, blank lines and a Space-Track "0 " name prefix', () => {
    const text = `\r\nISS (ZARYA)\r\n${ISS_LINE1}\r\n${ISS_LINE2}\r\n\r\n0 ISS 2019\r\n${ISS2019_LINE1}\r\n${ISS2019_LINE2}\r\n`;
    expect(parseTleText(text)).toEqual([
      { name: 'ISS (ZARYA)', line1: ISS_LINE1, line2: ISS_LINE2 },
      { name: 'ISS 2019', line1: ISS2019_LINE1, line2: ISS2019_LINE2 },
    ]);
  });

  it('reads bare two-line sets, naming them by catalog number', () => {
    expect(parseTleText(`${ISS_LINE1}\n${ISS_LINE2}\n${ISS2019_LINE1}\n${ISS2019_LINE2}`)).toEqual([
      { name: '25544', line1: ISS_LINE1, line2: ISS_LINE2 },
      { name: '25544', line1: ISS2019_LINE1, line2: ISS2019_LINE2 },
    ]);
    expect(parseTleText('\n\n')).toEqual([]);
  });

  it('names the line of a bad checksum', () => {
    const text = `ISS (ZARYA)\n${ISS_LINE1}\n${ISS_LINE2}\n\nISS 2019\n${ISS2019_LINE1}\n${withChecksum(ISS2019_LINE2, 5)}\n`;
    let error: unknown;
    try {
      parseTleText(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TleParseError);
    expect((error as TleParseError).lineNumber).toBe(7);
    expect((error as Error).message).toMatch(/^line 7: TLE line 2: checksum mismatch/);
  });

  it('names the line of a missing or misplaced line', () => {
    expect(() => parseTleText(`ISS\n${ISS_LINE1}\n`)).toThrow(/^line 2: TLE line 1 is not followed by line 2/);
    expect(() => parseTleText(`ISS\nNOT A TLE LINE\n${ISS_LINE2}`)).toThrow(/^line 2: expected TLE line 1, got "NOT A TLE LINE"/);
    expect(() => parseTleText(`${ISS_LINE2}\n`)).toThrow(/^line 1: TLE line 2 without a line 1/);
    expect(() => parseTleText(`ISS\r\n\r\n${ISS_LINE1}\r\nISS 2019\r\n`)).toThrow(/^line 4: expected TLE line 2, got "ISS 2019"/);
    expect(() => parseTleText(`ISS\n${ISS_LINE1}\n${ISS2019_LINE2.replace('25544', '25545')}`)).toThrow(/^line 3: /);
  });
});

describe('OMM elements', () => {
  it('accepts CelesTrak GP JSON, and Space-Track style numeric strings as numbers', () => {
    expect(ommElementsSchema.parse({ format: 'omm', omm: HELIOS_2A }).omm).toEqual(HELIOS_2A);
    const asStrings = Object.fromEntries(
      Object.entries(HELIOS_2A).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]),
    );
    const parsed = ommElementsSchema.parse({ format: 'omm', omm: { ...asStrings, BSTAR: '4.8021e-4' } });
    expect(parsed.omm.MEAN_MOTION).toBe(15.00555103);
    expect(parsed.omm.BSTAR).toBeCloseTo(0.00048021, 12);
    expect(parsed.omm.EPHEMERIS_TYPE).toBe(0);
  });

  it('rejects impossible values with the field named', () => {
    expect(() => parseOrbitalElements({ format: 'omm', omm: { ...HELIOS_2A, ECCENTRICITY: 1.2 } })).toThrow(
      /omm\.ECCENTRICITY: must be from 0 up to \(not including\) 1/,
    );
    expect(() => parseOrbitalElements({ format: 'omm', omm: { ...HELIOS_2A, EPOCH: 'yesterday' } })).toThrow(/omm\.EPOCH/);
    expect(() => parseOrbitalElements({ format: 'omm', omm: { ...HELIOS_2A, EPHEMERIS_TYPE: 2 } })).toThrow(/EPHEMERIS_TYPE/);
    expect(orbitalElementsSchema.safeParse({ format: 'sp3' }).success).toBe(false);
  });
});

describe('epochs and SGP4 records', () => {
  it('reads the epoch of a TLE and of an OMM', () => {
    const tle = { format: 'tle', line1: ISS_LINE1, line2: ISS_LINE2 } as const;
    // Day 264.51782528 of 2008 = 20 September, 12:25:40.104 UTC.
    expect(new Date(elementsEpochMs(tle)).toISOString()).toBe('2008-09-20T12:25:40.104Z');
    expect(elementsEpochMs({ format: 'omm', omm: ommElementsSchema.parse({ format: 'omm', omm: HELIOS_2A }).omm })).toBe(
      Date.UTC(2025, 2, 26, 5, 19, 34, 117),
    );
    expect(elementsCatalogNumber(tle)).toBe('25544');
  });

  it('builds SGP4 records from either format, with the same epoch', () => {
    const tle = { format: 'tle', line1: ISS_LINE1, line2: ISS_LINE2 } as const;
    const fromTle = toSatrec(tle);
    expect(fromTle.error).toBe(0);
    expect((fromTle.jdsatepoch - 2440587.5) * 86_400_000).toBeCloseTo(elementsEpochMs(tle), -1);

    // The same ISS element set written as an OMM propagates to (nearly) the same place.
    const omm = ommElementsSchema.parse({
      format: 'omm',
      omm: {
        OBJECT_NAME: 'ISS (ZARYA)',
        OBJECT_ID: '1998-067A',
        EPOCH: '2008-09-20T12:25:40.104192',
        MEAN_MOTION: 15.72125391,
        ECCENTRICITY: 0.0006703,
        INCLINATION: 51.6416,
        RA_OF_ASC_NODE: 247.4627,
        ARG_OF_PERICENTER: 130.536,
        MEAN_ANOMALY: 325.0288,
        EPHEMERIS_TYPE: 0,
        CLASSIFICATION_TYPE: 'U',
        NORAD_CAT_ID: 25544,
        ELEMENT_SET_NO: 292,
        REV_AT_EPOCH: 56353,
        BSTAR: -0.11606e-4,
        MEAN_MOTION_DOT: -0.00002182,
        MEAN_MOTION_DDOT: 0,
      },
    });
    const fromOmm = toSatrec(omm);
    const a = sgp4(fromTle, 90)!.position;
    const b = sgp4(fromOmm, 90)!.position;
    expect(Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z)).toBeLessThan(1);
  });

  it('refuses malformed elements with a clear message rather than a silent NaN orbit', () => {
    expect(() => toSatrec({ format: 'tle', line1: withChecksum(ISS_LINE1, 0), line2: ISS_LINE2 })).toThrow(
      /invalid orbital elements: line1: TLE line 1: checksum mismatch/,
    );
  });
});

describe('elements from a stated orbit', () => {
  const epochMs = Date.UTC(2025, 0, 1, 0, 0, 0);
  const sso700 = (meanAnomalyDeg = 0) =>
    elementsFromOrbit(
      {
        altitudeKm: 700,
        inclinationDeg: sunSynchronousInclinationDeg(700),
        raanDeg: 100,
        meanAnomalyDeg,
        noradId: 90001,
        name: 'DEMOSAT-1',
      },
      epochMs,
    );
  const baseOrbit = { altitudeKm: 550, inclinationDeg: 53, raanDeg: 0, meanAnomalyDeg: 0, noradId: 90002, name: 'X' };

  it('gives a 700 km orbit its ~98.8 minute period (Kepler’s third law)', () => {
    // T = 2π √(a³/μ), a = 7078.137 km → 5926 s.
    expect(periodMinutes(sso700().omm.MEAN_MOTION)).toBeCloseTo(98.77, 1);
  });

  it('puts a 700 km sun-synchronous orbit at ~98.19° inclination', () => {
    expect(sunSynchronousInclinationDeg(700)).toBeCloseTo(98.19, 2);
    expect(sunSynchronousInclinationDeg(500)).toBeCloseTo(97.4, 1);
    expect(() => sunSynchronousInclinationDeg(10_000)).toThrow(RangeError);
  });

  it('is sun-synchronous under SGP4 too: the node turns ~0.9856° a day', () => {
    const satrec = toSatrec(sso700());
    const days = 10;
    const drift = ((sgp4(satrec, days * 1440)!.meanElements.Om - sgp4(satrec, 0)!.meanElements.Om) * 180) / Math.PI;
    expect(drift).toBeCloseTo((360 / 365.2422) * days, 1);
  });

  it('propagates at epoch to the stated altitude', () => {
    const satrec = toSatrec(sso700(0));
    const at = sgp4(satrec, 0)!.position;
    // Mean anomaly 0 with a circular orbit: at the ascending node, over the equator.
    expect(Math.abs(at.z)).toBeLessThan(50);
    expect(Math.abs(Math.hypot(at.x, at.y, at.z) - EARTH_RADIUS_KM - 700)).toBeLessThan(5);
    // Averaged over one revolution the J2 short-period wobble (±7 km) cancels out.
    const period = periodMinutes(sso700().omm.MEAN_MOTION);
    let sum = 0;
    for (let i = 0; i < 360; i++) {
      const p = sgp4(satrec, (i * period) / 360)!.position;
      sum += Math.hypot(p.x, p.y, p.z);
    }
    expect(Math.abs(sum / 360 - EARTH_RADIUS_KM - 700)).toBeLessThan(3);
  });

  it('carries the epoch and passes validation as CelesTrak-style GP JSON', () => {
    const elements = sso700(123);
    expect(elements.omm.EPOCH).toBe('2025-01-01T00:00:00.000000');
    expect(elementsEpochMs(elements)).toBe(epochMs);
    expect(parseOrbitalElements(elements)).toEqual(elements);
    expect(elements.omm).toMatchObject({ OBJECT_NAME: 'DEMOSAT-1', NORAD_CAT_ID: 90001, MEAN_ANOMALY: 123, ECCENTRICITY: 0 });
    expect(elementsFromOrbit({ ...baseOrbit, raanDeg: -30 }, epochMs).omm.RA_OF_ASC_NODE).toBe(330);
  });

  it('refuses orbits that cannot exist', () => {
    expect(() => elementsFromOrbit({ ...baseOrbit, altitudeKm: -10 }, epochMs)).toThrow(RangeError);
    expect(() => elementsFromOrbit({ ...baseOrbit, eccentricity: 0.2 }, epochMs)).toThrow(/perigee/);
    expect(() => elementsFromOrbit({ ...baseOrbit, inclinationDeg: 200 }, epochMs)).toThrow(RangeError);
    expect(() => elementsFromOrbit({ ...baseOrbit, noradId: 1.5 }, epochMs)).toThrow(RangeError);
  });
});
