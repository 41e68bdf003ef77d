// Sharing markings: a TLP 2.0 level and a releasability (REL TO) list of countries.
// TLP 2.0 as FIRST defines it: https://www.first.org/tlp/ — CLEAR (disclosure not limited),
// GREEN (the community), AMBER (the recipient's organisation and its clients), AMBER+STRICT
// (the recipient's organisation only), RED (named individual recipients only).
import { z } from 'zod';

/** From least to most restrictive. */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type TlpLevel = (typeof TLP_LEVELS)[number];

/** What crosses to partners: these records, and the events about them. */
export const SHARED_KINDS = ['asset', 'function', 'incident', 'drill'] as const;
export type SharedKind = (typeof SHARED_KINDS)[number];

/** ISO 3166-1 alpha-3 country codes, upper case (USA, JPN, KOR). */
export const countryCodeSchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 country code, e.g. USA');

export const markingSchema = z.strictObject({
  tlp: z.enum(TLP_LEVELS),
  /** Sorted, so a file compares equal to the stored marking however its list is ordered. */
  relTo: z
    .array(countryCodeSchema)
    .max(250)
    .refine((codes) => new Set(codes).size === codes.length, 'each country once')
    .transform((codes) => [...codes].sort()),
});
export type Marking = z.infer<typeof markingSchema>;

/** Unmarked (null) means not releasable. */
export type MaybeMarking = Marking | null | undefined;

const rank = (tlp: TlpLevel) => TLP_LEVELS.indexOf(tlp);

/**
 * The one releasability rule: may an item with this marking go to a partner in `country`?
 * Unmarked: no. RED: no — it is for named people, not an organisation's machine feed.
 * Otherwise the country must be in REL TO; CLEAR with an empty REL TO goes to every partner.
 */
export function releasableTo(marking: MaybeMarking, country: string): boolean {
  if (!marking || marking.tlp === 'RED') return false;
  if (marking.relTo.includes(country)) return true;
  return marking.tlp === 'CLEAR' && marking.relTo.length === 0;
}

/** The marking of something that touches all of these: the highest TLP, the countries all allow; any unmarked one makes it unmarked. */
export function mostRestrictive(markings: readonly MaybeMarking[]): Marking | null {
  if (markings.length === 0 || markings.some((m) => !m)) return null;
  const all = markings as Marking[];
  const tlp = all.reduce<TlpLevel>((worst, m) => (rank(m.tlp) > rank(worst) ? m.tlp : worst), 'CLEAR');
  const open = (m: Marking) => m.tlp === 'CLEAR' && m.relTo.length === 0;
  const lists = all.filter((m) => !open(m)).map((m) => m.relTo);
  const relTo = lists.length === 0 ? [] : lists.reduce((common, list) => common.filter((c) => list.includes(c)));
  // CLEAR-for-all joined with a restricted CLEAR keeps the restriction; no country left means nobody.
  if (lists.length > 0 && relTo.length === 0) return null;
  return { tlp, relTo };
}

/** The countries that could receive the item before a change and can no longer: they get a retraction. */
export function countriesLost(before: MaybeMarking, after: MaybeMarking, partnerCountries: readonly string[]): string[] {
  return partnerCountries.filter((c) => releasableTo(before, c) && !releasableTo(after, c));
}

/** As a person reads it: `TLP:AMBER REL TO JPN, USA`, or `NOT RELEASABLE`. */
export function markingLabel(marking: MaybeMarking): string {
  if (!marking) return 'NOT RELEASABLE';
  const rel = marking.relTo.length ? ` REL TO ${marking.relTo.join(', ')}` : '';
  return `TLP:${marking.tlp}${rel}`;
}
