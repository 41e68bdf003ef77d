import type { Db } from '../store/client.js';
import type { CheckKind } from '../domain/enums.js';
import type { Actor } from '../domain/roles.js';

/** What every use case receives: the database for this request or tick, who acts, and the clock. */
export interface ServiceContext {
  db: Db;
  actor: Actor;
  now: () => number;
  /**
   * Orbital elements older than this many days are flagged stale on their ground stations
   * (`COOPWATCH_ELEMENTS_MAX_AGE_DAYS`, read once at start); unset: DEFAULT_ELEMENTS_MAX_AGE_DAYS (3).
   */
  elementsMaxAgeDays?: number;
  /** Check kinds this runtime cannot run, with the reason; configuring one is refused. */
  unsupportedCheckKinds?: Partial<Record<CheckKind, string>>;
}
