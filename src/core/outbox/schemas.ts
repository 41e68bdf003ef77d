import { z } from 'zod';
import { SEVERITIES } from '../domain/enums.js';
import { WEBHOOK_EVENT_TYPES } from '../domain/events.js';
import { WEBHOOK_FORMATS } from '../store/schema/webhooks.js';
import { routingKeyProblem } from './formats/index.js';

/** The events a subscription can ask for: the catalog's webhook events. */
export { WEBHOOK_EVENT_TYPES };

const secretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be "whsec_" followed by base64 of 24 to 64 random bytes');

const filtersSchema = z.strictObject({
  assetIds: z.array(z.number().int().positive()).max(10_000).default([]),
  functionIds: z.array(z.number().int().positive()).max(1000).default([]),
  tags: z.array(z.string().min(1).max(64)).max(50).default([]),
  minSeverity: z.enum(SEVERITIES).default('info'),
});

export const webhookCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    url: z.url({ protocol: /^https?$/ }).max(2000),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length),
    format: z.enum(WEBHOOK_FORMATS).default('standard'),
    secret: secretSchema.optional(),
    /** Drill events are not sent unless asked for: drills never page. */
    includeDrills: z.boolean().default(false),
    filters: filtersSchema.default({ assetIds: [], functionIds: [], tags: [], minSeverity: 'info' }),
    routingKey: z.string().trim().min(1).max(100).optional(),
    enabled: z.boolean().default(true),
  })
  .superRefine((w, ctx) => {
    const problem = w.format === 'pagerduty' ? routingKeyProblem(w.routingKey) : null;
    if (problem) ctx.addIssue({ code: 'custom', path: ['routingKey'], message: problem });
  });
export type WebhookCreateInput = z.infer<typeof webhookCreateSchema>;

export const webhookPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    url: z.url({ protocol: /^https?$/ }).max(2000),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length),
    format: z.enum(WEBHOOK_FORMATS),
    includeDrills: z.boolean(),
    filters: filtersSchema,
    routingKey: z.string().trim().min(1).max(100).nullable(),
    enabled: z.boolean(),
    /** Issue a new secret; the old one keeps signing too for `graceHours` (default 24). */
    rotateSecret: z.boolean(),
    graceHours: z.number().min(0).max(24 * 30),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'the patch changes nothing');
export type WebhookPatchInput = z.infer<typeof webhookPatchSchema>;
