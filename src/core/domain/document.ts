import { z } from 'zod';
import { markingSchema } from './marking.js';
import { vantageDocumentSchema } from './vantages.js';
import { EARTH_RADIUS_KM, ommSchema, sunSynchronousInclinationDeg, tleLine1Schema, tleLine2Schema } from './orbits/elements.js';
import { drillDocumentSchema, type DrillDocument } from './drills.js';
import { scenarioBodySchema, scenarioMetaSchema } from './scenarios.js';
import { checkDocumentSchema, type CheckDocument } from './checks.js';
import { assetDocumentSchema, functionDocumentSchema, keySchema, type AssetDocument, type FunctionDocument } from './inventory.js';

export type { AssetDocument, CheckDocument, DrillDocument, FunctionDocument };

// ── Satellites ───────────────────────────────────────────────────────────────

/**
 * A stated orbit. Its elements are SYNTHETIC: generated when the file is applied, with that
 * moment as their epoch (source 'orbit'; the spec is kept in the satellite's `orbit` column).
 * For demos and tests where no live GP feed is reachable. Re-applying an unchanged spec keeps
 * the elements generated first (the spec is compared, not the elements).
 */
export const orbitSpecSchema = z.strictObject({
  /** Mean altitude above the equatorial radius, km. */
  altitudeKm: z.number().min(100).max(50_000),
  /** Defaults to the sun-synchronous inclination for the altitude. */
  inclinationDeg: z.number().min(0).max(180).optional(),
  raanDeg: z.number().min(0).max(360),
  meanAnomalyDeg: z.number().min(0).max(360),
  argPerigeeDeg: z.number().min(0).max(360).optional(),
  eccentricity: z.number().min(0).lt(1).optional(),
});
export type OrbitSpecDocument = z.infer<typeof orbitSpecSchema>;

export const tleDocumentSchema = z.strictObject({ line1: tleLine1Schema, line2: tleLine2Schema });

/** A TLE catalog number as an integer: five digits, or Alpha-5 (a letter for the leading two digits, I and O skipped). */
export function catalogNumberValue(catalog: string): number | null {
  const text = catalog.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^([A-HJ-NP-Z])(\d{4})$/.exec(text);
  if (!m) return null;
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  return (10 + letters.indexOf(m[1]!)) * 10_000 + Number(m[2]);
}

/** The NORAD catalog number a satellite item's elements name (none for a stated orbit). */
export function satelliteCatalogNumber(item: { tle?: { line1: string } | undefined; omm?: { NORAD_CAT_ID: number } | undefined }): number | null {
  if (item.tle) return catalogNumberValue(item.tle.line1.slice(2, 7));
  if (item.omm) return item.omm.NORAD_CAT_ID;
  return null;
}

export const satelliteDocumentSchema = z
  .strictObject({
    key: keySchema,
    name: z.string().trim().min(1).max(200),
    noradId: z.number().int().positive().max(999_999_999).optional(),
    tle: tleDocumentSchema.optional(),
    /** CCSDS OMM in CelesTrak's GP JSON form (numbers or numeric strings; extra fields are dropped). */
    omm: ommSchema.optional(),
    orbit: orbitSpecSchema.optional(),
  })
  .superRefine((sat, ctx) => {
    const given = (['tle', 'omm', 'orbit'] as const).filter((k) => sat[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: given.length ? [given[1]!] : [],
        message: given.length ? `give exactly one of tle, omm or orbit, not ${given.join(' and ')}` : 'give one of tle, omm or orbit',
      });
      return;
    }
    if (sat.tle) {
      const a = sat.tle.line1.slice(2, 7).trim();
      const b = sat.tle.line2.slice(2, 7).trim();
      if (a !== b) ctx.addIssue({ code: 'custom', path: ['tle', 'line2'], message: `TLE lines name different catalog numbers: ${a} and ${b}` });
    }
    const catalog = satelliteCatalogNumber(sat);
    if (sat.noradId !== undefined && catalog !== null && catalog !== sat.noradId) {
      ctx.addIssue({ code: 'custom', path: ['noradId'], message: `noradId ${sat.noradId} does not match the elements' catalog number ${catalog}` });
    }
    if (sat.orbit) {
      const e = sat.orbit.eccentricity ?? 0;
      if ((EARTH_RADIUS_KM + sat.orbit.altitudeKm) * (1 - e) <= EARTH_RADIUS_KM) {
        ctx.addIssue({ code: 'custom', path: ['orbit', 'eccentricity'], message: 'the perigee would be below the Earth’s surface' });
      }
      if (sat.orbit.inclinationDeg === undefined) {
        try {
          sunSynchronousInclinationDeg(sat.orbit.altitudeKm, e);
        } catch {
          ctx.addIssue({ code: 'custom', path: ['orbit', 'inclinationDeg'], message: `no sun-synchronous orbit at ${sat.orbit.altitudeKm} km: give inclinationDeg` });
        }
      }
    }
  });
export type SatelliteDocument = z.infer<typeof satelliteDocumentSchema>;

/** A section whose items' keys are unique within the file. */
function keyedList<T extends z.ZodType<{ key: string }>>(section: string, item: T) {
  return z.array(item).superRefine((items, ctx) => {
    const seen = new Map<string, number>();
    items.forEach((it, i) => {
      const first = seen.get(it.key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `key "${it.key}" is used twice (first at ${section}.${first})` });
      else seen.set(it.key, i);
    });
  });
}

// ── Scenarios and drills ─────────────────────────────────────────────────────

/** An outage scenario in the apply file: `{ key, name, description?, kind, params }`, params checked per kind. */
export const scenarioDocumentSchema = z.intersection(scenarioMetaSchema, scenarioBodySchema);
export type ScenarioDocument = z.infer<typeof scenarioDocumentSchema>;

// ── Status pages ─────────────────────────────────────────────────────────────

/** A page's address under /status/: lowercase letters, digits and inner hyphens, 1–64 characters. */
export const statusPageSlugSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be 1–64 characters of a-z, 0-9 and "-", not starting or ending with "-"');

/** What every status page has however it is spelled (API or apply file). */
export const statusPageAttributes = {
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().min(1).max(2000).nullish(),
  /** Active and recent incidents that touch the page's components, with their updates. */
  showIncidents: z.boolean().default(true),
  /** Scheduled and in-progress maintenance of the page's assets. */
  showMaintenance: z.boolean().default(true),
  marking: markingSchema.nullish(),
};

/** A component's public name and optional group; the page shows these, never the asset's own name. */
export const statusPageComponentAttributes = {
  name: z.string().trim().min(1).max(200),
  group: z.string().trim().min(1).max(100).nullish(),
};

export const MAX_STATUS_PAGE_COMPONENTS = 500;

/**
 * A page's components name exactly one target each (`targets` gives the fields, e.g. assetId and
 * functionId), no target twice and no public name twice.
 */
export function statusPageComponentsRule(targets: readonly [string, string]) {
  return (components: ReadonlyArray<{ name: string } & Record<string, unknown>>, ctx: z.RefinementCtx) => {
    const names = new Map<string, number>();
    const seen = new Map<string, number>();
    components.forEach((component, i) => {
      const given = targets.filter((field) => component[field] !== undefined && component[field] !== null);
      if (given.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: [i, given[1] ?? targets[0]],
          message: given.length ? `give ${targets[0]} or ${targets[1]}, not both` : `give ${targets[0]} or ${targets[1]}`,
        });
        return;
      }
      const target = `${given[0]}:${String(component[given[0]!])}`;
      const first = seen.get(target);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, given[0]!], message: `already shown as component ${first}` });
      else seen.set(target, i);
      const sameName = names.get(component.name);
      if (sameName !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `the name "${component.name}" is used twice (first at component ${sameName})` });
      else names.set(component.name, i);
    });
  };
}

/** A status page in the apply file: `{ key: slug, title, components: [{ name, assetKey | functionKey, group? }] }`. */
export const statusPageDocumentSchema = z.strictObject({
  key: statusPageSlugSchema,
  ...statusPageAttributes,
  components: z
    .array(z.strictObject({ ...statusPageComponentAttributes, assetKey: keySchema.optional(), functionKey: keySchema.optional() }))
    .max(MAX_STATUS_PAGE_COMPONENTS)
    .superRefine(statusPageComponentsRule(['assetKey', 'functionKey']))
    .default([]),
});
export type StatusPageDocument = z.infer<typeof statusPageDocumentSchema>;

/** The config-as-code file (`coopwatch apply -f FILE`): every item carries a stable key. */
export const inventoryDocumentSchema = z.strictObject({
  assets: z.array(assetDocumentSchema).default([]),
  functions: z.array(functionDocumentSchema).default([]),
  satellites: keyedList('satellites', satelliteDocumentSchema).default([]),
  vantages: keyedList('vantages', vantageDocumentSchema).default([]),
  checks: z.array(checkDocumentSchema).default([]),
  scenarios: keyedList('scenarios', scenarioDocumentSchema).default([]),
  drills: keyedList('drills', drillDocumentSchema).default([]),
  statusPages: keyedList('statusPages', statusPageDocumentSchema).default([]),
});
export type InventoryDocument = z.infer<typeof inventoryDocumentSchema>;
