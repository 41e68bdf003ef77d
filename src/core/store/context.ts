import type { Actor } from '../domain/roles.js';
import type { Db } from './client.js';

/** What every write needs: the database for this request or tick, who acts, and the clock. */
export interface WriteContext {
  db: Db;
  actor: Actor;
  now: () => number;
}
