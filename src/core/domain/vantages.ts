// Vantage definitions as the API takes them. Agents and regions are created: `central` is the
// service itself. A vantage with a `locationHint` is a region, probed by the Workers host's
// shards placed there; one without is a probe agent.
import { z } from 'zod';
import { LOCATION_HINTS } from './enums.js';
import { CENTRAL_VANTAGE, VANTAGE_NAME } from './quorum.js';

const description = z.string().trim().min(1).max(2000).nullable();
/** How long an agent may stay silent before it is lost and its votes stop counting. */
const graceSeconds = z.number().int().min(10).max(86_400);
const locationHint = z.enum(LOCATION_HINTS);
const vantageName = z.string().regex(VANTAGE_NAME, 'must be 1–63 characters of a-z, 0-9 and "-", starting with a letter or digit, such as "svalbard-site"');

export const vantageCreateSchema = z.strictObject({
  name: vantageName,
  description: description.optional(),
  graceSeconds: graceSeconds.default(60),
  locationHint: locationHint.optional(),
});

/** A probe agent's vantage in the apply file: its name is its key. */
export const vantageDocumentSchema = z.strictObject({
  key: vantageName.refine((name) => name !== CENTRAL_VANTAGE, `"${CENTRAL_VANTAGE}" is the service itself, not an agent to declare`),
  description: description.optional(),
  graceSeconds: graceSeconds.default(60),
  locationHint: locationHint.optional(),
});
export type VantageDocument = z.infer<typeof vantageDocumentSchema>;
export type VantageCreateInput = z.infer<typeof vantageCreateSchema>;

/** PATCH: the name and the kind (agent or region, by its location hint) are fixed: checks list vantages by name. */
export const vantagePatchSchema = z
  .strictObject({ description, graceSeconds })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'the patch changes nothing');
export type VantagePatchInput = z.infer<typeof vantagePatchSchema>;
