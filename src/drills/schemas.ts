import { z } from 'zod';
import { cronSchema, timezoneSchema } from '../domain/checks.js';
import { keySchema } from '../domain/inventory.js';

export const DRILL_RUN_STATUSES = ['scheduled', 'running', 'completed', 'aborted', 'failed', 'interrupted'] as const;
export const DRILL_VERDICTS = ['pass', 'fail', 'aborted'] as const;

const hookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  method: z.enum(['POST', 'PUT', 'DELETE']).default('POST'),
  body: z.string().max(10_000).optional(),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(2000)).optional(),
});

export const drillInputSchema = z
  .strictObject({
    key: keySchema,
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(4000).optional(),
    scenarioId: z.number().int().positive().optional(),
    targetAssetIds: z.array(z.number().int().positive()).min(1).max(10_000).optional(),
    blastRadius: z
      .strictObject({ type: z.enum(['COUNT', 'PERCENT']), value: z.number().positive() })
      .refine((b) => (b.type === 'PERCENT' ? b.value <= 100 : Number.isInteger(b.value)), 'COUNT is a whole number, PERCENT at most 100')
      .default({ type: 'PERCENT', value: 100 }),
    exerciseType: z.enum(['tabletop', 'functional', 'full-scale']).default('functional'),
    mode: z.enum(['simulated', 'live']).default('simulated'),
    /** Live mode: called once per target to cause the fault, and to undo it. `{assetKey}` is substituted. */
    injectHook: hookSchema.optional(),
    rollbackHook: hookSchema.optional(),
    hypothesis: z
      .strictObject({
        /** Functions that must be operational again (through alternates) for a pass; default: every function the targets hurt. */
        functionIds: z.array(z.number().int().positive()).max(1000).default([]),
        ttfLimitSeconds: z.number().int().positive().max(7 * 86_400).nullable().default(null),
      })
      .default({ functionIds: [], ttfLimitSeconds: null }),
    guardrails: z
      .strictObject({
        maxDurationSeconds: z.number().int().min(10).max(7 * 86_400).default(1800),
        abortOnOutsideAssetDown: z.boolean().default(true),
        protectedFunctionIds: z.array(z.number().int().positive()).max(1000).default([]),
      })
      .default({ maxDurationSeconds: 1800, abortOnOutsideAssetDown: true, protectedFunctionIds: [] }),
    cron: cronSchema.optional(),
    timezone: timezoneSchema.optional(),
    enabled: z.boolean().default(true),
  })
  .superRefine((d, ctx) => {
    if ((d.scenarioId === undefined) === (d.targetAssetIds === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['scenarioId'], message: 'name a scenario or explicit targetAssetIds (one of them)' });
    }
    if (d.mode === 'live' && d.exerciseType !== 'tabletop' && (!d.injectHook || !d.rollbackHook)) {
      ctx.addIssue({ code: 'custom', path: [d.injectHook ? 'rollbackHook' : 'injectHook'], message: 'a live drill needs both an inject hook and a rollback hook' });
    }
    if (d.timezone !== undefined && d.cron === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'a time zone only applies to a cron schedule' });
    }
  });
export type DrillInput = z.infer<typeof drillInputSchema>;

export const findingInputSchema = z.strictObject({
  title: z.string().trim().min(1).max(300),
  detail: z.string().trim().max(5000).optional(),
  owner: z.string().trim().min(1).max(200),
  dueDate: z.iso.date(),
  status: z.enum(['open', 'in_progress', 'closed']).default('open'),
});

export const findingPatchSchema = findingInputSchema.partial().refine((p) => Object.keys(p).length > 0, 'the patch changes nothing');
