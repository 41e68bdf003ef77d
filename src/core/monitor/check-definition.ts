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

export interface ObservationRecord {
  checkId: number;
  /** When the probe started; results and streaks are dated by it. */
  at: number;
  observation: Observation;
}
