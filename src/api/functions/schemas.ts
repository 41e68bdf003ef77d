import { z } from '@hono/zod-openapi';
import { FUNCTION_TIERS } from '../../domain/enums.js';
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
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('MissionFunction');

export const FunctionPageSchema = pageOf(FunctionSchema, 'MissionFunctionPage');

export const FunctionListQuerySchema = z.object({
  tier: z.enum(FUNCTION_TIERS).optional(),
  ...pageQuery,
});
