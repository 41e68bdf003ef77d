import type { ObservedStatus } from '../../checks/types.js';
import type { CheckStatus } from '../domain/enums.js';

/**
 * Flap control. An observation only changes a check's confirmed status once enough of the same
 * kind arrive in a row: `failureThreshold` for down or degraded, `successThreshold` for up.
 * A check that has never been confirmed takes its first up at once (nothing to alert about),
 * but still waits for the threshold before going down.
 */
export interface CheckState {
  status: CheckStatus;
  since: number;
  message: string | null;
  streakStatus: ObservedStatus | null;
  streakCount: number;
  /** Time of the first observation of the current streak: when an outage began. */
  streakStartedAt: number;
  /** Time of the latest observation; null before the first. */
  lastObservedAt: number | null;
}

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

export function initialCheckState(now: number): CheckState {
  return { status: 'unknown', since: now, message: null, streakStatus: null, streakCount: 0, streakStartedAt: now, lastObservedAt: null };
}

/** Applies one observation; returns the new state and whether the confirmed status changed. */
export function advanceCheckState(
  state: CheckState,
  observed: { status: ObservedStatus; message: string | null; at: number },
  thresholds: Thresholds,
): { state: CheckState; changed: boolean } {
  const sameStreak = state.streakStatus === observed.status;
  const streakCount = sameStreak ? state.streakCount + 1 : 1;
  const streakStartedAt = sameStreak ? state.streakStartedAt : observed.at;
  const needed =
    observed.status === 'up' ? (state.status === 'unknown' ? 1 : thresholds.successThreshold) : thresholds.failureThreshold;
  const confirm = streakCount >= needed && state.status !== observed.status;
  const next: CheckState = {
    status: confirm ? observed.status : state.status,
    since: confirm ? observed.at : state.since,
    message: confirm || state.status === observed.status ? observed.message : state.message,
    streakStatus: observed.status,
    streakCount,
    streakStartedAt,
    lastObservedAt: observed.at,
  };
  return { state: next, changed: confirm };
}

export const STATUS_CODE: Record<ObservedStatus, number> = { up: 0, degraded: 1, down: 2 };
export const STATUS_FROM_CODE: readonly ObservedStatus[] = ['up', 'degraded', 'down'];
