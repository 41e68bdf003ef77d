import { z } from '@hono/zod-openapi';
import { ASSET_KINDS, ASSET_STATUSES, CRITICALITIES, LINK_MEDIA } from '../../../core/domain/enums.js';
import { pageOf, pageQuery } from '../openapi.js';
import { MarkingSchema } from '../sharing/marking-schema.js';

const nullableNumber = z.number().nullable();
const nullableText = z.string().nullable();

export const AssetSchema = z
  .object({
    id: z.number().int(),
    key: z.string(),
    kind: z.enum(ASSET_KINDS),
    name: z.string(),
    description: nullableText,
    lat: nullableNumber,
    lon: nullableNumber,
    altM: nullableNumber,
    region: nullableText,
    operator: nullableText,
    vendor: nullableText,
    model: nullableText,
    firmware: nullableText,
    managementNetwork: nullableText,
    gridRegion: nullableText,
    backupPowerHours: nullableNumber,
    avs30: nullableNumber.openapi({ description: 'Site soil: average S-wave velocity of the top 30 m (m/s, 100–3000); earthquake what-ifs amplify shaking by it instead of the scenario default (e.g. from J-SHIS). Null when unknown' }),
    criticality: z.enum(CRITICALITIES),
    tags: z.array(z.string()),
    marking: MarkingSchema,
    link: z
      .object({
        fromAssetId: z.number().int().nullable(),
        toAssetId: z.number().int().nullable(),
        sla: z.object({ latencyMs: nullableNumber, jitterMs: nullableNumber, lossPct: nullableNumber }),
        medium: z.enum(LINK_MEDIA).openapi({ description: 'What the link is carried on; decides what a what-if touches (space weather reaches hf and satellite links, never fibre). Default fibre' }),
      })
      .nullable(),
    dependsOn: z.array(z.number().int()).nullable().openapi({
      description: 'Upstream assets it cannot work without. null: inferred (a station or region depends on the links that touch it). Its outage is a symptom, not an incident of its own, while all of them are down',
    }),
    status: z.enum(ASSET_STATUSES),
    statusSince: z.string().nullable(),
    statusReason: nullableText.openapi({ description: 'Why it is not up: the failing check and its message' }),
    warnings: z.array(z.string()).openapi({
      description: 'For a ground station: orbital elements of the satellites its contact checks follow that are stale (older than COOPWATCH_ELEMENTS_MAX_AGE_DAYS) or missing. Empty otherwise.',
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Asset');

export const AssetPageSchema = pageOf(AssetSchema, 'AssetPage');

export const AssetListQuerySchema = z.object({
  kind: z.enum(ASSET_KINDS).optional(),
  tag: z.string().max(64).optional(),
  operator: z.string().max(200).optional(),
  ...pageQuery,
});
