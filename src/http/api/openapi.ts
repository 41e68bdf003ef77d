import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(
        z.object({
          path: z.string(),
          message: z.string(),
          location: z.enum(['body', 'query', 'path', 'header']).optional(),
          line: z.number().optional(),
          column: z.number().optional(),
        }),
      ),
    }),
  })
  .openapi('Error');

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

/** The error responses every authenticated route can give, plus any the route names. */
export function errorResponses(...extra: Array<400 | 404 | 409 | 422>) {
  const all = {
    400: error('Invalid input; `details` names each field'),
    401: error('No token, or an unknown, revoked or expired one'),
    403: error("The token's role is too low"),
    404: error('No such record'),
    409: error('Conflicts with stored data'),
    422: error('Well-formed but cannot be carried out'),
  } as const;
  const picked: Record<number, ReturnType<typeof error>> = { 401: all[401], 403: all[403] };
  for (const status of extra) picked[status] = all[status];
  return picked;
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const IdParam = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

export const ForceQuery = z.object({
  force: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .openapi({ description: 'Delete even while other records depend on this one' }),
});

export const security = [{ bearer: [] as string[] }];

export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

/** `limit` and `cursor`, spread into every list route's query schema. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ description: 'Items per page, at most 500' }),
  cursor: z.string().max(100).optional().openapi({ description: 'The `nextCursor` of the previous page' }),
};
