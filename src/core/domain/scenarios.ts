// Outage scenarios: what happens, to which assets, for how long. Each kind has its own
// validated parameters; `assess` turns any of them into per-asset impacts.
import { z } from 'zod';
import { markingSchema } from './marking.js';
import { ASSET_KINDS } from './enums.js';
import { keySchema, tagsSchema } from './inventory.js';
import { VANTAGE_NAME } from './quorum.js';

/** JMA seismic intensity classes, weakest first. */
export const JMA_INTENSITY_CLASSES = ['0', '1', '2', '3', '4', '5-lower', '5-upper', '6-lower', '6-upper', '7'] as const;
export type IntensityClass = (typeof JMA_INTENSITY_CLASSES)[number];

export const SCENARIO_KINDS = ['earthquake', 'cyberattack', 'power', 'fiber_cut', 'space_weather', 'custom'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export const IMPACTS = ['none', 'degraded', 'down'] as const;
export type Impact = (typeof IMPACTS)[number];


const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);
const point = z.strictObject({ lat, lon });
const hours = z.number().min(0).max(24 * 365);

/** One rupture plane: the surface point above the centre of its top edge, strike, dip (to the right of strike), size and top depth. */
export const faultPlaneSchema = z.strictObject({
  lat,
  lon,
  strikeDeg: z.number().min(0).max(360),
  dipDeg: z.number().gt(0).max(90),
  lengthKm: z.number().positive().max(2000),
  widthKm: z.number().positive().max(500),
  topDepthKm: z.number().min(0).max(700),
});

export const earthquakeParams = z
  .strictObject({
    lat,
    lon,
    depthKm: z.number().min(0).max(700),
    mw: z.number().min(3).max(9.5),
    faultType: z.enum(['crustal', 'interplate', 'intraslab']),
    strikeDeg: z.number().min(0).max(360).optional(),
    dipDeg: z.number().min(0).max(90).optional(),
    /** Rupture size (km); without them, scaled from Mw. */
    lengthKm: z.number().positive().max(2000).optional(),
    widthKm: z.number().positive().max(500).optional(),
    /** Depth of the plane's top edge (km); the hypocentre lies on the plane below it, at the along-strike centre. */
    topDepthKm: z.number().min(0).max(700).optional(),
    /** Several planes (a megathrust); the distance is to the nearest. They replace the single plane. */
    segments: z.array(faultPlaneSchema).min(1).max(50).optional(),
    /** The weakest JMA class that takes an asset down, and the weakest that degrades it. */
    downFrom: z.enum(JMA_INTENSITY_CLASSES).default('6-lower'),
    degradedFrom: z.enum(JMA_INTENSITY_CLASSES).default('5-lower'),
    /** Site soil (average shear-wave velocity of the top 30 m, m/s) for assets without their own; 400 when unknown. */
    avs30: z.number().min(100).max(3000).optional(),
    outageHours: hours.default(72),
  })
  .refine((p) => p.topDepthKm === undefined || (p.strikeDeg !== undefined && p.dipDeg !== undefined), { path: ['topDepthKm'], message: 'topDepthKm needs strikeDeg and dipDeg' })
  .refine((p) => p.topDepthKm === undefined || p.topDepthKm <= p.depthKm, { path: ['topDepthKm'], message: 'topDepthKm must not be deeper than depthKm (the hypocentre lies on the plane)' });

const equipmentSelector = z
  .strictObject({
    vendor: z.string().max(200).optional(),
    model: z.string().max(200).optional(),
    firmware: z.string().max(200).optional(),
    managementNetwork: z.string().max(200).optional(),
    tags: tagsSchema.optional(),
  })
  .refine((s) => Object.values(s).some((v) => v !== undefined), 'name at least one of vendor, model, firmware, managementNetwork, tags');

export const cyberattackParams = z.strictObject({
  /** Every given field must match (tags: all of them). */
  selector: equipmentSelector,
  impact: z.enum(['degraded', 'down']).default('down'),
  /** Recovery is logistics (replacing or reflashing hardware), not a restart. */
  recoveryHours: hours,
});

export const powerParams = z.strictObject({
  gridRegion: z.string().min(1).max(100),
  outageHours: hours,
});

export const fiberCutParams = z
  .strictObject({
    linkIds: z.array(z.number().int().positive()).max(1000).optional(),
    /** Links whose path passes within widthKm of the segment from → to. */
    corridor: z.strictObject({ from: point, to: point, widthKm: z.number().positive().max(2000) }).optional(),
    impact: z.enum(['degraded', 'down']).default('down'),
    repairHours: hours.default(240),
  })
  .refine((p) => p.linkIds?.length || p.corridor, 'give linkIds or a corridor');

/** NOAA space weather scales: R radio blackouts, S solar radiation storms, G geomagnetic storms. */
export const spaceWeatherParams = z.strictObject({
  radio: z.number().int().min(0).max(5).default(0),
  solar: z.number().int().min(0).max(5).default(0),
  geomagnetic: z.number().int().min(0).max(5).default(0),
  /** The moment assessed (for which side of the Earth is sunlit); default now. */
  at: z.iso.datetime({ offset: true }).optional(),
  durationHours: hours.default(12),
});

export const customParams = z.strictObject({
  selector: z
    .strictObject({
      assetIds: z.array(z.number().int().positive()).max(10_000).optional(),
      kinds: z.array(z.enum(ASSET_KINDS)).optional(),
      tags: tagsSchema.optional(),
      radius: z.strictObject({ lat, lon, km: z.number().positive().max(20_000) }).optional(),
      polygon: z.array(z.tuple([lat, lon])).min(3).max(1000).optional(),
    })
    .refine((s) => Object.values(s).some((v) => v !== undefined), 'name at least one selector'),
  impact: z.enum(['degraded', 'down']).default('down'),
  durationHours: hours.default(24),
});

export const scenarioBodySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('earthquake'), params: earthquakeParams }),
  z.strictObject({ kind: z.literal('cyberattack'), params: cyberattackParams }),
  z.strictObject({ kind: z.literal('power'), params: powerParams }),
  z.strictObject({ kind: z.literal('fiber_cut'), params: fiberCutParams }),
  z.strictObject({ kind: z.literal('space_weather'), params: spaceWeatherParams }),
  z.strictObject({ kind: z.literal('custom'), params: customParams }),
]);
export type ScenarioBody = z.infer<typeof scenarioBodySchema>;

/**
 * Vantages a scenario takes down (a site's backhaul cut): their votes stop counting, and checks
 * left with fewer vantages than their quorum cannot see their assets. Names are checked against
 * the stored vantages where the scenario is written.
 */
export const vantagesDownSchema = z
  .array(z.string().regex(VANTAGE_NAME, 'must be a vantage name (lower-case letters, digits and dashes)'))
  .max(64)
  .refine((names) => new Set(names).size === names.length, 'names a vantage twice');

export const scenarioMetaSchema = z.strictObject({
  key: keySchema,
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(4000).optional(),
  vantagesDown: vantagesDownSchema.optional(),
  marking: markingSchema.nullish(),
});
