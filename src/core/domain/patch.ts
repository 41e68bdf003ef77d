// PATCH for records whose input schema holds rules across fields (a drill names a scenario or
// targets; a maintenance window is one-off or recurring): the patch names fields, and the record
// it makes is checked whole by the same schema as a new one.
import { z } from 'zod';
import { detailsFromZodIssues, InvalidInputError } from './errors.js';

function withoutDefault(field: z.ZodType): z.ZodType {
  return field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field;
}

/**
 * The PATCH body for an input schema's fields, minus the `fixed` ones: each optional and without
 * its default (a patch changes only what it names), `null` clears an optional field; unknown
 * fields and an empty patch are refused. Fields are listed in the schema's order.
 */
export function patchSchemaOf<Shape extends z.ZodRawShape>(shape: Shape, fixed: ReadonlyArray<keyof Shape & string> = []) {
  const fields = Object.fromEntries(
    Object.entries(shape)
      .filter(([name]) => !fixed.includes(name))
      .map(([name, field]) => [name, withoutDefault(field as z.ZodType).nullable().optional()]),
  );
  return z.strictObject(fields).refine((patch) => Object.keys(patch).length > 0, {
    message: 'the patch changes nothing',
    // `{ "key": … }` alone is an unknown field, not also an empty patch
    when: (payload) => payload.issues.length === 0,
  });
}

/**
 * The record `patch` makes of `current` (both in the input's spelling; null for absent, and a
 * patch's null clears, its undefined keeps), checked whole by `schema`; 400 naming each field
 * that does not pass.
 */
export function applyPatch<Schema extends z.ZodType>(schema: Schema, current: Record<string, unknown>, patch: Record<string, unknown>): z.output<Schema> {
  const given = Object.entries(patch).filter(([, value]) => value !== undefined);
  const merged = Object.fromEntries(Object.entries({ ...current, ...Object.fromEntries(given) }).filter(([, value]) => value !== null && value !== undefined));
  const parsed = schema.safeParse(merged);
  if (!parsed.success) throw new InvalidInputError(detailsFromZodIssues(parsed.error.issues).map((d) => ({ ...d, location: 'body' as const })));
  return parsed.data;
}
