import type { CheckKind } from '../domain/enums.js';
import type { WriteContext } from '../store/context.js';

/** What every use case receives: the database, who acts and the clock, and the runtime's settings. */
export interface ServiceContext extends WriteContext {
  /**
   * Orbital elements older than this many days are flagged stale on their ground stations
   * (`COOPWATCH_ELEMENTS_MAX_AGE_DAYS`, read once at start); unset: DEFAULT_ELEMENTS_MAX_AGE_DAYS (3).
   */
  elementsMaxAgeDays?: number;
  /** Check kinds this runtime cannot run, with the reason; configuring one is refused. */
  unsupportedCheckKinds?: Partial<Record<CheckKind, string>>;
}
