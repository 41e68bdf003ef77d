import { z } from 'zod';
import { DAY_MS } from '../time.js';

/** Two-line element sets: the column format, its checksum, and TLE text as GP/TLE feeds serve it. */

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

export function column(line: string, from: number, to: number): string {
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

// ── Epoch ─────────────────────────────────────────────────────────────────────

/** TLE epoch: two-digit year (57–99 → 19xx, 00–56 → 20xx) and fractional day of year, day 1 = 1 January. */
export function tleEpochMs(line1: string): number {
  const yy = Number(column(line1, 19, 20));
  const dayOfYear = Number(column(line1, 21, 32));
  const year = yy < 57 ? 2000 + yy : 1900 + yy;
  return Date.UTC(year, 0, 1) + (dayOfYear - 1) * DAY_MS;
}

