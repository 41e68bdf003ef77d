// Zod schemas for the inventory: assets and mission functions, in two spellings — the API's,
// which refers to other records by id, and the apply file's, which refers to them by key.
import { z } from 'zod';
import { ASSET_KINDS, CRITICALITIES, FUNCTION_TIERS, LINK_MEDIA } from './enums.js';
import { markingSchema } from './marking.js';

export const keySchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, 'must be 1–80 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit');

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => text(max).nullish();

export const tagsSchema = z
  .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:._/-]{0,63}$/, 'tags are 1–64 characters of letters, digits and :._/-'))
  .max(50)
  .refine((tags) => new Set(tags).size === tags.length, 'tags must be unique');

export const slaSchema = z.strictObject({
  latencyMs: z.number().positive().max(600_000).nullish(),
  jitterMs: z.number().nonnegative().max(600_000).nullish(),
  lossPct: z.number().min(0).max(100).nullish(),
});

/** What the link is carried on (enums.ts says why fibre is the default). */
const linkMedium = z.enum(LINK_MEDIA).default('fibre');

/** Fields an asset has however it is spelled. */
const assetAttributes = {
  kind: z.enum(ASSET_KINDS),
  name: text(200),
  description: optionalText(2000),
  lat: z.number().min(-90).max(90).nullish(),
  lon: z.number().min(-180).max(180).nullish(),
  altM: z.number().min(-500).max(100_000).nullish(),
  region: optionalText(100),
  operator: optionalText(200),
  vendor: optionalText(200),
  model: optionalText(200),
  firmware: optionalText(200),
  managementNetwork: optionalText(200),
  gridRegion: optionalText(100),
  backupPowerHours: z.number().nonnegative().max(100_000).nullish(),
  /** Site soil: average S-wave velocity of the top 30 m (m/s); earthquake what-ifs use it instead of the scenario default. */
  avs30: z.number().min(100).max(3000).nullish(),
  criticality: z.enum(CRITICALITIES),
  tags: tagsSchema,
  /** Sharing marking; left out or null: not releasable. */
  marking: markingSchema.nullish(),
};

/** Defaults for a new asset; a PATCH has none, so fields it leaves out stay as they are. */
const assetDefaults = {
  criticality: assetAttributes.criticality.default('medium'),
  tags: assetAttributes.tags.default([]),
};

export const assetLinkById = z.strictObject({
  fromAssetId: z.number().int().positive(),
  toAssetId: z.number().int().positive(),
  sla: slaSchema.default({}),
  medium: linkMedium,
});

export const assetLinkByKey = z.strictObject({
  fromAssetKey: keySchema,
  toAssetKey: keySchema,
  sla: slaSchema.default({}),
  medium: linkMedium,
});

const unique = <T>(list: T[]) => new Set(list).size === list.length;
/** Upstream assets: null (or left out) infers them from the links that touch the asset; a list replaces that. */
const dependsOnById = z.array(z.number().int().positive()).max(50).refine(unique, 'each asset once').nullish();
/** Sorted, so a file compares equal to the stored inventory however its list is ordered. */
const dependsOnByKey = z.array(keySchema).max(50).refine(unique, 'each asset once').transform((keys) => [...keys].sort()).nullish();

type LinkShape = { kind: string; link?: unknown };
/** A network link names its two endpoints; nothing else may. */
function linkMatchesKind(asset: LinkShape, ctx: z.RefinementCtx) {
  if (asset.kind === 'network_link' && !asset.link) {
    ctx.addIssue({ code: 'custom', path: ['link'], message: 'a network_link needs link endpoints' });
  }
  if (asset.kind !== 'network_link' && asset.link) {
    ctx.addIssue({ code: 'custom', path: ['link'], message: `only a network_link has link endpoints, not a ${asset.kind}` });
  }
}

export const assetCreateSchema = z
  .strictObject({ key: keySchema, ...assetAttributes, ...assetDefaults, link: assetLinkById.nullish(), dependsOn: dependsOnById })
  .superRefine(linkMatchesKind);
export type AssetCreateInput = z.infer<typeof assetCreateSchema>;

/** PATCH: every field optional, the key is fixed. Kind/link agreement is checked on the result. */
export const assetPatchSchema = z
  .strictObject({ ...assetAttributes, link: assetLinkById.nullish(), dependsOn: dependsOnById })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'the patch changes nothing');
export type AssetPatchInput = z.infer<typeof assetPatchSchema>;

export const assetDocumentSchema = z
  .strictObject({ key: keySchema, ...assetAttributes, ...assetDefaults, link: assetLinkByKey.nullish(), dependsOn: dependsOnByKey })
  .superRefine(linkMatchesKind);
export type AssetDocument = z.infer<typeof assetDocumentSchema>;


// ── Mission functions ────────────────────────────────────────────────────────

const memberById = z.union([
  z.strictObject({ assetId: z.number().int().positive() }),
  z.strictObject({ functionId: z.number().int().positive() }),
]);
const memberByKey = z.union([
  z.strictObject({ assetKey: keySchema }),
  z.strictObject({ functionKey: keySchema }),
]);

function groupSchema<M extends z.ZodType>(member: M) {
  return z
    .strictObject({
      name: text(100),
      k: z.number().int().min(1).max(1000),
      members: z.array(member).min(1).max(1000),
    })
    .superRefine((group, ctx) => {
      const members = group.members as Record<string, unknown>[];
      if (group.k > members.length) {
        ctx.addIssue({ code: 'custom', path: ['k'], message: `k is ${group.k} but the group has only ${members.length} members` });
      }
      const seen = new Set<string>();
      members.forEach((m, i) => {
        const id = JSON.stringify(m);
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['members', i], message: 'member listed twice' });
        seen.add(id);
      });
    });
}

function groupsSchema<M extends z.ZodType>(member: M) {
  return z
    .array(groupSchema(member))
    .max(100)
    .superRefine((groups, ctx) => {
      const seen = new Set<string>();
      groups.forEach((g, i) => {
        if (seen.has(g.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `group name "${g.name}" is used twice` });
        seen.add(g.name);
      });
    });
}

const functionAttributes = {
  name: text(200),
  description: optionalText(2000),
  tier: z.enum(FUNCTION_TIERS),
  rtoSeconds: z.number().int().nonnegative().max(31_536_000),
  rpoSeconds: z.number().int().nonnegative().max(31_536_000).nullish(),
  mtdSeconds: z.number().int().nonnegative().max(31_536_000),
  owner: optionalText(200),
  marking: markingSchema.nullish(),
};

type Objectives = { rtoSeconds?: number; mtdSeconds?: number };
/** NIST SP 800-34: MTD = RTO + WRT, so MTD is never shorter than the RTO. */
function objectivesRule(f: Objectives, ctx: z.RefinementCtx) {
  if (f.rtoSeconds !== undefined && f.mtdSeconds !== undefined && f.mtdSeconds < f.rtoSeconds) {
    ctx.addIssue({ code: 'custom', path: ['mtdSeconds'], message: 'MTD must be at least the RTO (MTD = RTO + work recovery time)' });
  }
}

export const functionCreateSchema = z
  .strictObject({ key: keySchema, ...functionAttributes, groups: groupsSchema(memberById).default([]) })
  .superRefine(objectivesRule);
export type FunctionCreateInput = z.infer<typeof functionCreateSchema>;

export const functionPatchSchema = z
  .strictObject({ ...functionAttributes, groups: groupsSchema(memberById) })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'the patch changes nothing');
export type FunctionPatchInput = z.infer<typeof functionPatchSchema>;

export const functionDocumentSchema = z
  .strictObject({ key: keySchema, ...functionAttributes, groups: groupsSchema(memberByKey).default([]) })
  .superRefine(objectivesRule);
export type FunctionDocument = z.infer<typeof functionDocumentSchema>;

export type GroupById = FunctionCreateInput['groups'][number];
export type GroupByKey = FunctionDocument['groups'][number];
