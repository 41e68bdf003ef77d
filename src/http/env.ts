import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Db } from '../core/store/client.js';
import { detailsFromZodIssues, InvalidInputError, UnauthenticatedError } from '../core/domain/errors.js';
import type { Actor } from '../core/domain/roles.js';
import type { ServiceContext } from '../core/services/context.js';
import type { FailedAttempts } from './middleware/rate-limit.js';

export interface AppVariables {
  db: Db;
  actor: Actor | null;
  now: () => number;
  elementsMaxAgeDays: number | undefined;
  unsupportedCheckKinds: ServiceContext['unsupportedCheckKinds'];
  /** Failed token attempts per client address (one counter per app). */
  failedAttempts: FailedAttempts;
}
export type AppEnv = { Variables: AppVariables; Bindings: Record<string, unknown> };

const LOCATIONS = { json: 'body', query: 'query', param: 'path', header: 'header' } as const;

/** A router whose validation failures become the one error shape, naming the field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const location = LOCATIONS[result.target as keyof typeof LOCATIONS];
      throw new InvalidInputError(detailsFromZodIssues(result.error.issues).map((d) => ({ ...d, location })));
    },
  });
}

/** The service context for this request; the actor must have been authenticated. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  const actor = c.get('actor');
  if (!actor) throw new UnauthenticatedError();
  return { db: c.get('db'), actor, now: c.get('now'), elementsMaxAgeDays: c.get('elementsMaxAgeDays'), unsupportedCheckKinds: c.get('unsupportedCheckKinds') };
}
