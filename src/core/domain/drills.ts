import { z } from 'zod';
import { markingSchema } from './marking.js';
import { cronSchema, timezoneSchema } from './checks.js';
import { keySchema } from './inventory.js';

export const DRILL_RUN_STATUSES = ['scheduled', 'running', 'completed', 'aborted', 'failed', 'interrupted'] as const;
/** `aborted_by_guardrail`: the drill was unsafe and stopped itself, which says nothing of the functions' failover. */
export const DRILL_VERDICTS = ['pass', 'fail', 'aborted', 'aborted_by_guardrail'] as const;
export type DrillVerdict = (typeof DRILL_VERDICTS)[number];

const hookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  method: z.enum(['POST', 'PUT', 'DELETE']).default('POST'),
  body: z.string().max(10_000).optional(),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(2000)).optional(),
});

const ttfLimitSeconds = z.number().int().positive().max(7 * 86_400).nullable().default(null);
const guardrailAttributes = {
  maxDurationSeconds: z.number().int().min(10).max(7 * 86_400).default(1800),
  abortOnOutsideAssetDown: z.boolean().default(true),
};
const guardrailDefaults = { maxDurationSeconds: 1800, abortOnOutsideAssetDown: true };

/**
 * Fields a drill has however it is spelled: the API's refers to the scenario, targets and
 * functions by id (`drillInputSchema`), the apply file's by key (`drillDocumentSchema`).
 */
const drillAttributes = {
  key: keySchema,
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(4000).optional(),
  blastRadius: z
    .strictObject({ type: z.enum(['COUNT', 'PERCENT']), value: z.number().positive() })
    .refine((b) => (b.type === 'PERCENT' ? b.value <= 100 : Number.isInteger(b.value)), 'COUNT is a whole number, PERCENT at most 100')
    .default({ type: 'PERCENT', value: 100 }),
  exerciseType: z.enum(['tabletop', 'functional', 'full-scale']).default('functional'),
  mode: z.enum(['simulated', 'live']).default('simulated'),
  /** Live mode: called once per target to cause the fault, and to undo it. `{assetKey}` is substituted. */
  injectHook: hookSchema.optional(),
  rollbackHook: hookSchema.optional(),
  cron: cronSchema.optional(),
  timezone: timezoneSchema.optional(),
  enabled: z.boolean().default(true),
  /** Sharing marking: a drill's events cross to partners only when it is marked (and shown there as a drill). */
  marking: markingSchema.nullish(),
};

type DrillShape = { mode: string; exerciseType: string; injectHook?: unknown; rollbackHook?: unknown; cron?: unknown; timezone?: unknown };

/** The rules of both spellings; `scenario` and `targets` are the names the spelling gives those fields. */
function drillRules<D extends DrillShape>(scenario: keyof D & string, targets: keyof D & string) {
  return (d: D, ctx: z.RefinementCtx) => {
    if ((d[scenario] === undefined) === (d[targets] === undefined)) {
      ctx.addIssue({ code: 'custom', path: [scenario], message: `name a scenario or explicit ${targets} (one of them)` });
    }
    if (d.mode === 'live' && d.exerciseType !== 'tabletop' && (!d.injectHook || !d.rollbackHook)) {
      ctx.addIssue({ code: 'custom', path: [d.injectHook ? 'rollbackHook' : 'injectHook'], message: 'a live drill needs both an inject hook and a rollback hook' });
    }
    if (d.timezone !== undefined && d.cron === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'a time zone only applies to a cron schedule' });
    }
  };
}

const id = z.number().int().positive();

export const drillInputSchema = z
  .strictObject({
    ...drillAttributes,
    scenarioId: id.optional(),
    targetAssetIds: z.array(id).min(1).max(10_000).optional(),
    hypothesis: z
      .strictObject({
        /** Functions that must be operational again (through alternates) for a pass; default: every function the targets hurt. */
        functionIds: z.array(id).max(1000).default([]),
        ttfLimitSeconds,
      })
      .default({ functionIds: [], ttfLimitSeconds: null }),
    guardrails: z
      .strictObject({ ...guardrailAttributes, protectedFunctionIds: z.array(id).max(1000).default([]) })
      .default({ ...guardrailDefaults, protectedFunctionIds: [] }),
  })
  .superRefine(drillRules('scenarioId', 'targetAssetIds'));
export type DrillInput = z.infer<typeof drillInputSchema>;

/** A drill in the apply file (`drills:`): the same fields, naming the scenario, targets and functions by key. */
export const drillDocumentSchema = z
  .strictObject({
    ...drillAttributes,
    scenarioKey: keySchema.optional(),
    targetAssetKeys: z.array(keySchema).min(1).max(10_000).optional(),
    hypothesis: z
      .strictObject({ functionKeys: z.array(keySchema).max(1000).default([]), ttfLimitSeconds })
      .default({ functionKeys: [], ttfLimitSeconds: null }),
    guardrails: z
      .strictObject({ ...guardrailAttributes, protectedFunctionKeys: z.array(keySchema).max(1000).default([]) })
      .default({ ...guardrailDefaults, protectedFunctionKeys: [] }),
    /** Retired: never scheduled or run again, its runs kept. Final: a retired drill is not changed or reinstated. */
    retired: z.boolean().default(false),
  })
  .superRefine(drillRules('scenarioKey', 'targetAssetKeys'));
export type DrillDocument = z.infer<typeof drillDocumentSchema>;

export const findingInputSchema = z.strictObject({
  title: z.string().trim().min(1).max(300),
  detail: z.string().trim().max(5000).optional(),
  owner: z.string().trim().min(1).max(200),
  dueDate: z.iso.date(),
  status: z.enum(['open', 'in_progress', 'closed']).default('open'),
});

/** PATCH: only the fields given change (no defaults: editing the detail must not reopen a closed finding). */
export const findingPatchSchema = findingInputSchema
  .extend({ status: z.enum(['open', 'in_progress', 'closed']).optional() })
  .partial()
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'the patch changes nothing');
