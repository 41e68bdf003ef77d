import type { Db } from '../db/client.js';
import type { Actor } from '../domain/roles.js';

/** What every use case receives: the database for this request or tick, who acts, and the clock. */
export interface ServiceContext {
  db: Db;
  actor: Actor;
  now: () => number;
}
