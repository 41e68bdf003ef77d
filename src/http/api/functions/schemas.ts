import { COMMON_MODE_CAUSES } from '../../../core/domain/common-mode.js';
import { z } from '@hono/zod-openapi';
import { FUNCTION_STATUSES, FUNCTION_TIERS, REDUNDANCY_STATES } from '../../../core/domain/enums.js';
import { pageOf, pageQuery } from '../openapi.js';
import { MarkingSchema } from '../sharing/marking-schema.js';

const MemberRef = z.object({
  assetId: z.number().int().optional(),
  functionId: z.number().int().optional(),
  key: z.string(),
  name: z.string(),
});

export const FunctionSchema = z
  .object({
    id: z.number().int(),
    key: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    tier: z.enum(FUNCTION_TIERS),
    rtoSeconds: z.number().int(),
    rpoSeconds: z.number().int().nullable(),
    mtdSeconds: z.number().int(),
    owner: z.string().nullable(),
    marking: MarkingSchema,
    groups: z.array(
      z.object({
        name: z.string(),
        k: z.number().int(),
        members: z.array(z.union([z.object({ assetId: z.number().int() }), z.object({ functionId: z.number().int() })])),
      }),
    ),
    status: z.enum(FUNCTION_STATUSES),
    statusSince: z.string().nullable(),
    redundancy: z.enum(REDUNDANCY_STATES).openapi({
      description: 'Older label, kept for events and webhooks: N: every member up; N-1: members lost, spare left everywhere; SPOF: some group with no spare; none: lost. See `continuity` for the data-centre notation.',
    }),
    sparesLeft: z.number().int().nullable().openapi({ description: 'Members available beyond k in the tightest group (negative: short of need); null without groups' }),
    continuity: z.string().nullable().openapi({ description: 'Spares left in data-centre notation: N+1 one spare, N exactly what is needed (no spare), N-1 one short (lost)', example: 'N+1' }),
    singlePointsOfFailure: z.array(MemberRef.extend({ group: z.string() })).openapi({
      description: 'The assets or member functions whose loss alone would lose the function (every available member of a group with no spare left); empty with a spare everywhere, or once lost',
    }),
    standing: z.array(
      z.object({
        name: z.string(),
        k: z.number().int(),
        n: z.number().int(),
        available: z.number().int(),
        sparesLeft: z.number().int(),
        continuity: z.string(),
        members: z.array(MemberRef.extend({ status: z.string(), singlePointOfFailure: z.boolean() })),
      }),
    ).openapi({ description: 'Each group now: its members (assets or functions) with their status, and the spares left' }),
    commonMode: z.array(
      z.object({ group: z.string(), cause: z.enum(COMMON_MODE_CAUSES), shared: z.string(), assetIds: z.array(z.number().int()) }),
    ).openapi({ description: 'Members of one group that share equipment, a management network, a grid region or a fault zone (tag fault-zone:<name>): not truly redundant' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('MissionFunction');

export const FunctionPageSchema = pageOf(FunctionSchema, 'MissionFunctionPage');

export const FunctionListQuerySchema = z.object({
  tier: z.enum(FUNCTION_TIERS).optional(),
  ...pageQuery,
});
