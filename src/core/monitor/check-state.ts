import type { ObservedStatus } from '../../../checks/types.js';
import type { CheckStatus } from '../domain/enums.js';

/**
 * Flap control. An observation only changes a check's confirmed status once enough of the same
 * kind arrive in a row: `failureThreshold` for down or degraded, `successThreshold` for up.
 * A check that has never been confirmed, or is idle (a contact check between passes), takes its
 * first up at once (nothing to alert about), but still waits for the threshold before going down.
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
  const next: CheckState = { ...state };
  const changed = applyObservation(next, observed, thresholds);
  return { state: next, changed };
}

/**
 * The same rule applied in place, on a state the caller owns (the monitor keeps one object per
 * check and advances it without allocating). Returns whether the confirmed status changed.
 */
export function applyObservation(
  state: CheckState,
  observed: { status: ObservedStatus; message: string | null; at: number },
  thresholds: Thresholds,
): boolean {
  const sameStreak = state.streakStatus === observed.status;
  const streakCount = sameStreak ? state.streakCount + 1 : 1;
  const needed =
    observed.status === 'up' ? (state.status === 'unknown' || state.status === 'idle' ? 1 : thresholds.successThreshold) : thresholds.failureThreshold;
  const confirm = streakCount >= needed && state.status !== observed.status;
  if (confirm || state.status === observed.status) state.message = observed.message;
  if (confirm) {
    state.status = observed.status;
    state.since = observed.at;
  }
  if (!sameStreak) state.streakStartedAt = observed.at;
  state.streakStatus = observed.status;
  state.streakCount = streakCount;
  state.lastObservedAt = observed.at;
  return confirm;
}

/**
 * A contact check between passes goes idle at once, whatever it was, with the message of a missed
 * pass if there was one; the streak starts afresh for the next pass. Returns whether the
 * confirmed status or its message changed.
 */
export function applyIdle(state: CheckState, at: number, message: string | null): boolean {
  const changed = state.status !== 'idle' || (message !== null && message !== state.message);
  if (state.status !== 'idle') state.since = at;
  if (changed) state.message = message;
  state.status = 'idle';
  state.streakStatus = null;
  state.streakCount = 0;
  state.streakStartedAt = at;
  state.lastObservedAt = at;
  return changed;
}

export const STATUS_CODE: Record<ObservedStatus, number> = { up: 0, degraded: 1, down: 2 };
export const STATUS_FROM_CODE: readonly ObservedStatus[] = ['up', 'degraded', 'down'];
