import type { Observation } from '../../../checks/types.js';
import type { CheckKind } from '../domain/enums.js';

export interface CheckDefinition {
  id: number;
  key: string;
  assetId: number;
  kind: CheckKind;
  enabled: boolean;
  intervalSeconds: number | null;
  cron: string | null;
  timezone: string | null;
  timeoutMs: number;
  failureThreshold: number;
  successThreshold: number;
  settings: Record<string, unknown>;
}

/** What a check's scheduler and its probe read of it: all a probe thread holds of a check. */
export type ProbeDefinition = Pick<CheckDefinition, 'id' | 'assetId' | 'kind' | 'enabled' | 'intervalSeconds' | 'cron' | 'timezone' | 'timeoutMs' | 'settings'>;

/** A satellite pass that ended without one successful contact. */
export interface MissedContact {
  satelliteKey: string;
  aosMs: number;
  losMs: number;
  message: string;
}

/**
 * A contact check between passes: there is nothing to observe, so the check is idle at once
 * (no thresholds) and stops holding its asset down. `missed`: the pass that just ended, if no
 * contact was made during it.
 */
export interface IdleObservation {
  status: 'idle';
  /** Nothing was measured (kept so readers of any outcome can read it). */
  latencyMs: null;
  missed: MissedContact | null;
}

/** What one run of a check yields. */
export type CheckOutcome = Observation | IdleObservation;

export interface ObservationRecord {
  checkId: number;
  /** When the probe started; results and streaks are dated by it. */
  at: number;
  observation: CheckOutcome;
  /** The probe agent's vantage; undefined: the central monitor. */
  vantageId?: number;
  /** Too old to vote (an agent's store-and-forward backlog): filed into history only. */
  late?: boolean;
}
