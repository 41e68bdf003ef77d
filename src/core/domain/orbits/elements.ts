import { json2satrec, twoline2satrec, type SatRec } from 'satellite.js';
import { z } from 'zod';
import { column, tleEpochMs, tleLine1Schema, tleLine2Schema } from './tle.js';

// The orbits' public face: TLE text and synthetic orbits live beside it, in tle.ts and orbit-design.ts.
export { parseTleText, tleChecksum, tleLine1Schema, tleLine2Schema, tleLineProblem, TleParseError, type TleEntry } from './tle.js';
export {
  EARTH_J2, EARTH_MU_KM3_S2, EARTH_RADIUS_KM, elementsFromOrbit, meanMotionRevPerDay, periodMinutes, sunSynchronousInclinationDeg, type OrbitSpec,
} from './orbit-design.js';

/**
 * A satellite's orbital elements: a two-line element set or a CCSDS OMM in CelesTrak's GP JSON
 * form. Both are SGP4 mean elements; nothing here does I/O, so it also runs on Workers.
 */

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

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

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

// ── Epochs and SGP4 records ──────────────────────────────────────────────────

function parseOmmEpochMs(epoch: string): number {
  const m = OMM_EPOCH.exec(epoch);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const fraction = m[7] ? Number(m[7]) : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second) + fraction * 1000;
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

