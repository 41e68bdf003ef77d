import { COMMON_MODE_CAUSES } from '../../../core/domain/common-mode.js';
import { z } from '@hono/zod-openapi';
import { FUNCTION_STATUSES, FUNCTION_TIERS, REDUNDANCY_STATES } from '../../../core/domain/enums.js';
import { pageOf, pageQuery } from '../openapi.js';

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
    groups: z.array(
      z.object({
        name: z.string(),
        k: z.number().int(),
        members: z.array(z.union([z.object({ assetId: z.number().int() }), z.object({ functionId: z.number().int() })])),
      }),
    ),
    status: z.enum(FUNCTION_STATUSES),
    statusSince: z.string().nullable(),
    redundancy: z.enum(REDUNDANCY_STATES).openapi({ description: 'N: all members up; N-1: spare left; SPOF: no spare; none: lost' }),
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
