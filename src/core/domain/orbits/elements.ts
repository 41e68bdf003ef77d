import { json2satrec, twoline2satrec, type SatRec } from 'satellite.js';
import { z } from 'zod';
import { DAY_MS } from '../time.js';

/**
 * A satellite's orbital elements: a two-line element set or a CCSDS OMM in CelesTrak's GP JSON
 * form. Both are SGP4 mean elements; nothing here does I/O, so it also runs on Workers.
 */

// ── Constants ────────────────────────────────────────────────────────────────

/** Earth's gravitational parameter (WGS-84 / EGM-96), km³/s². */
export const EARTH_MU_KM3_S2 = 398600.4418;
/** Earth's equatorial radius (WGS-84), km. */
export const EARTH_RADIUS_KM = 6378.137;
/** Earth's second zonal harmonic (EGM-96, unnormalised). */
export const EARTH_J2 = 1.08262668e-3;
const SECONDS_PER_DAY = 86_400;
/** A sun-synchronous orbit's node turns once per tropical year. */
const TROPICAL_YEAR_DAYS = 365.2422;

// ── TLE lines ────────────────────────────────────────────────────────────────

/** TLE checksum: the digits of columns 1–68 summed, each minus sign counting 1, modulo 10. */
export function tleChecksum(line: string): number {
  let sum = 0;
  for (let i = 0; i < 68 && i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) sum += c - 48;
    else if (c === 45) sum += 1;
  }
  return sum % 10;
}

// A catalog number is five digits (leading blanks allowed) or, past 99999, Alpha-5: a letter
// (I and O excluded) and four digits.
const CATALOG_NUMBER = /^(?:[ \d]{4}\d|[A-HJ-NP-Z]\d{4})$/;
const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)\s*$/;
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// TLE "assumed decimal point" fields such as " 59442-4" (= 0.59442e-4).
const IMPLIED_EXPONENT = /^[ +-]\d{5}[+-]\d$/;

interface ColumnField {
  name: string;
  /** 1-based inclusive columns, as the TLE format is documented. */
  from: number;
  to: number;
  pattern: RegExp;
}

const LINE1_FIELDS: ColumnField[] = [
  { name: 'catalog number', from: 3, to: 7, pattern: CATALOG_NUMBER },
  { name: 'classification', from: 8, to: 8, pattern: /^[UCS ]$/ },
  { name: 'epoch', from: 19, to: 32, pattern: /^\d{2}[ \d]{2}\d\.\d{8}$/ },
  { name: 'first derivative of mean motion', from: 34, to: 43, pattern: /^[ +-]\.\d{8}$/ },
  { name: 'second derivative of mean motion', from: 45, to: 52, pattern: IMPLIED_EXPONENT },
  { name: 'BSTAR drag term', from: 54, to: 61, pattern: IMPLIED_EXPONENT },
  { name: 'element set number', from: 65, to: 68, pattern: /^[ \d]{3}\d$/ },
];

const LINE2_FIELDS: ColumnField[] = [
  { name: 'catalog number', from: 3, to: 7, pattern: CATALOG_NUMBER },
  { name: 'inclination', from: 9, to: 16, pattern: DECIMAL },
  { name: 'right ascension of the ascending node', from: 18, to: 25, pattern: DECIMAL },
  { name: 'eccentricity', from: 27, to: 33, pattern: /^\d{7}$/ },
  { name: 'argument of perigee', from: 35, to: 42, pattern: DECIMAL },
  { name: 'mean anomaly', from: 44, to: 51, pattern: DECIMAL },
  { name: 'mean motion', from: 53, to: 63, pattern: DECIMAL },
  { name: 'revolution number', from: 64, to: 68, pattern: /^[ \d]{4}\d$/ },
];

function column(line: string, from: number, to: number): string {
  return line.slice(from - 1, to);
}

/**
 * What is wrong with one TLE line, or null when it is well formed: its length, line number,
 * the fixed-column fields and the checksum (format: CelesTrak, "FAQs: Two-Line Element Set Format").
 */
export function tleLineProblem(line: string, lineNumber: 1 | 2): string | null {
  const what = `TLE line ${lineNumber}`;
  if (line.length !== 69) return `${what} must be 69 characters long, got ${line.length}`;
  if (line[0] !== String(lineNumber) || line[1] !== ' ') return `${what} must start with "${lineNumber} "`;
  for (const field of lineNumber === 1 ? LINE1_FIELDS : LINE2_FIELDS) {
    const text = column(line, field.from, field.to);
    if (!field.pattern.test(text)) {
      return `${what}: ${field.name} (columns ${field.from}–${field.to}) is malformed: "${text}"`;
    }
  }
  if (lineNumber === 2) {
    const inclination = Number(column(line, 9, 16));
    if (inclination < 0 || inclination > 180) return `${what}: inclination ${inclination}° is outside 0–180°`;
    if (!(Number(column(line, 53, 63)) > 0)) return `${what}: mean motion must be positive`;
  }
  const found = line[68] ?? '';
  if (!/^\d$/.test(found)) return `${what}: checksum (column 69) must be a digit, got "${found}"`;
  const expected = tleChecksum(line);
  if (Number(found) !== expected) return `${what}: checksum mismatch: column 69 says ${found}, the line sums to ${expected}`;
  return null;
}

function tleLineSchema(lineNumber: 1 | 2) {
  return z
    .string()
    .transform((s) => s.trimEnd())
    .superRefine((line, ctx) => {
      const problem = tleLineProblem(line, lineNumber);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

export const tleLine1Schema = tleLineSchema(1);
export const tleLine2Schema = tleLineSchema(2);

export const tleElementsSchema = z
  .object({
    format: z.literal('tle'),
    line1: tleLine1Schema,
    line2: tleLine2Schema,
  })
  .superRefine((tle, ctx) => {
    const a = column(tle.line1, 3, 7).trim();
    const b = column(tle.line2, 3, 7).trim();
    if (a !== b) {
      ctx.addIssue({ code: 'custom', path: ['line2'], message: `TLE lines name different catalog numbers: ${a} and ${b}` });
    }
  });

// ── OMM (CelesTrak GP JSON) ──────────────────────────────────────────────────

// CelesTrak serves numbers, Space-Track numeric strings; both are accepted and numbers come out.
function numeric(check: (n: number) => boolean = () => true, requirement = 'a number') {
  return z
    .union([z.number(), z.string().trim().regex(NUMBER_TEXT, 'must be a number')])
    .transform(Number)
    .refine((n) => Number.isFinite(n) && check(n), `must be ${requirement}`);
}

const angle = () => numeric((n) => n >= 0 && n <= 360, 'an angle from 0 to 360 degrees');

// CelesTrak writes "2025-03-26T05:19:34.116960" (UTC, no zone); a trailing Z is tolerated.
const OMM_EPOCH = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z?$/;

export const ommSchema = z.object({
  OBJECT_NAME: z.string().trim().min(1).max(200),
  OBJECT_ID: z.string().trim().max(50),
  EPOCH: z
    .string()
    .trim()
    .refine((s) => Number.isFinite(parseOmmEpochMs(s)), 'must be a UTC time like 2025-03-26T05:19:34.116960'),
  MEAN_MOTION: numeric((n) => n > 0, 'positive (revolutions per day)'),
  ECCENTRICITY: numeric((n) => n >= 0 && n < 1, 'from 0 up to (not including) 1'),
  INCLINATION: numeric((n) => n >= 0 && n <= 180, 'from 0 to 180 degrees'),
  RA_OF_ASC_NODE: angle(),
  ARG_OF_PERICENTER: angle(),
  MEAN_ANOMALY: angle(),
  /** 0 is SGP4, the only theory these elements are propagated with. */
  EPHEMERIS_TYPE: z.union([z.literal(0), z.literal('0')]).transform(() => 0 as const).default(0),
  CLASSIFICATION_TYPE: z.enum(['U', 'C', 'S']).default('U'),
  NORAD_CAT_ID: numeric((n) => Number.isInteger(n) && n > 0 && n < 1e9, 'a positive whole number'),
  ELEMENT_SET_NO: numeric((n) => Number.isInteger(n) && n >= 0, 'a whole number'),
  REV_AT_EPOCH: numeric((n) => Number.isInteger(n) && n >= 0, 'a whole number').default(0),
  BSTAR: numeric(),
  MEAN_MOTION_DOT: numeric(),
  MEAN_MOTION_DDOT: numeric(),
});

export const ommElementsSchema = z.object({
  format: z.literal('omm'),
  omm: ommSchema,
});

export const orbitalElementsSchema = z.discriminatedUnion('format', [tleElementsSchema, ommElementsSchema]);

export type Omm = z.output<typeof ommSchema>;
export type TleElements = z.output<typeof tleElementsSchema>;
export type OmmElements = z.output<typeof ommElementsSchema>;
export type OrbitalElements = z.output<typeof orbitalElementsSchema>;

/** Validates elements from outside (an apply file, a feed); throws an Error listing every problem. */
export function parseOrbitalElements(input: unknown): OrbitalElements {
  const result = orbitalElementsSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  throw new Error(`invalid orbital elements: ${problems.join('; ')}`);
}

// ── TLE text (GP/TLE feeds) ─────────────────────────────────────────────────

export interface TleEntry {
  /** The name line; for a bare two-line set, the catalog number. */
  name: string;
  line1: string;
  line2: string;
}

export class TleParseError extends Error {
  constructor(
    readonly lineNumber: number,
    detail: string,
  ) {
    super(`line ${lineNumber}: ${detail}`);
    this.name = 'TleParseError';
  }
}

/**
 * Reads TLE text as GP/TLE feeds serve it: three-line sets (name, line 1, line 2) or bare
 * two-line sets, CRLF or LF, blank lines anywhere. A name line may carry Space-Track's "0 "
 * prefix. Throws a TleParseError naming the 1-based line of the first problem.
 */
export function parseTleText(text: string): TleEntry[] {
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((content, index) => ({ content: content.trimEnd(), number: index + 1 }))
    .filter((line) => line.content.trim() !== '');
  const entries: TleEntry[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i]!;
    let name: string | null = null;
    if (!first.content.startsWith('1 ')) {
      if (first.content.startsWith('2 ')) throw new TleParseError(first.number, 'TLE line 2 without a line 1 before it');
      name = first.content.replace(/^0 /, '').trim();
      i++;
    }
    const line1 = lines[i];
    const line2 = lines[i + 1];
    const after = line1 ?? first;
    if (!line1) throw new TleParseError(after.number, `name "${name}" is not followed by TLE line 1`);
    if (!line1.content.startsWith('1 ')) throw new TleParseError(line1.number, `expected TLE line 1, got "${clip(line1.content)}"`);
    const problem1 = tleLineProblem(line1.content, 1);
    if (problem1) throw new TleParseError(line1.number, problem1);
    if (!line2) throw new TleParseError(line1.number, 'TLE line 1 is not followed by line 2');
    if (!line2.content.startsWith('2 ')) throw new TleParseError(line2.number, `expected TLE line 2, got "${clip(line2.content)}"`);
    const problem2 = tleLineProblem(line2.content, 2);
    if (problem2) throw new TleParseError(line2.number, problem2);
    const catalog1 = column(line1.content, 3, 7).trim();
    const catalog2 = column(line2.content, 3, 7).trim();
    if (catalog1 !== catalog2) {
      throw new TleParseError(line2.number, `catalog number ${catalog2} does not match line 1's ${catalog1}`);
    }
    entries.push({ name: name ?? catalog1, line1: line1.content, line2: line2.content });
    i += 2;
  }
  return entries;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

// ── Epochs and SGP4 records ──────────────────────────────────────────────────

function parseOmmEpochMs(epoch: string): number {
  const m = OMM_EPOCH.exec(epoch);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const fraction = m[7] ? Number(m[7]) : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second) + fraction * 1000;
}

/** TLE epoch: two-digit year (57–99 → 19xx, 00–56 → 20xx) and fractional day of year, day 1 = 1 January. */
function tleEpochMs(line1: string): number {
  const yy = Number(column(line1, 19, 20));
  const dayOfYear = Number(column(line1, 21, 32));
  const year = yy < 57 ? 2000 + yy : 1900 + yy;
  return Date.UTC(year, 0, 1) + (dayOfYear - 1) * DAY_MS;
}

/** The elements' epoch, ms since 1970 (rounded to the millisecond). */
export function elementsEpochMs(elements: OrbitalElements): number {
  const ms = elements.format === 'tle' ? tleEpochMs(elements.line1) : parseOmmEpochMs(elements.omm.EPOCH);
  return Math.round(ms);
}

/** The NORAD catalog number the elements are for. */
export function elementsCatalogNumber(elements: OrbitalElements): string {
  return elements.format === 'tle' ? column(elements.line1, 3, 7).trim() : String(elements.omm.NORAD_CAT_ID);
}

/**
 * An SGP4 record for satellite.js. The elements are validated first (throws on malformed
 * input); SGP4 initialisation problems are not thrown but left in `satrec.error`, and
 * propagation then yields nothing.
 */
export function toSatrec(elements: OrbitalElements): SatRec {
  const valid = parseOrbitalElements(elements);
  if (valid.format === 'tle') return twoline2satrec(valid.line1, valid.line2);
  // satellite.js types CLASSIFICATION_TYPE as U|C only; it plays no part in propagation.
  const { CLASSIFICATION_TYPE: _classification, ...omm } = valid.omm;
  return json2satrec({ ...omm, EPHEMERIS_TYPE: 0 });
}

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
