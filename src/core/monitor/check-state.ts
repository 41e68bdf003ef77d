import type { ObservedStatus } from '../../../checks/types.js';
import { CHECK_STATUSES, type CheckStatus } from '../domain/enums.js';
import {
  EMPTY_FLAP_HISTORY, FLAP_HISTORY_BITS, flappingAfter, flappingMessage, percentStateChange, recordSample,
} from '../domain/flapping.js';

/**
 * Flap control. An observation only changes a check's confirmed status once enough of the same
 * kind arrive in a row: `failureThreshold` for down or degraded, `successThreshold` for up.
 * A check that has never been confirmed, or is idle (a contact check between passes), takes its
 * first up at once (nothing to alert about), but still waits for the threshold before going down.
 *
 * Flap detection (../domain/flapping.ts) looks past the streaks at the last 21 raw results: a
 * check changing too often reads `flapping` until it steadies, then takes the status its latest
 * streak confirms. A change is counted between down and not down (up or degraded), not between
 * up and not up: degraded still serves (k-of-n and uptime count it available), and a link whose
 * latency hovers at its SLA alternates up/degraded without ever failing, which degraded already
 * says; flapping is a target that keeps failing and recovering.
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
  /**
   * The flap history (FLAP_HISTORY_BITS low bits) and, above it while flapping, the status the
   * streaks confirm underneath (its CHECK_STATUSES index + 1; 0: none, as after a restart). One
   * small integer per check, not a list.
   */
  flap: number;
}

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

export function initialCheckState(now: number): CheckState {
  return { status: 'unknown', since: now, message: null, streakStatus: null, streakCount: 0, streakStartedAt: now, lastObservedAt: null, flap: EMPTY_FLAP_HISTORY };
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
  const wasFlapping = state.status === 'flapping';
  const confirmed = wasFlapping ? statusUnderFlapping(state.flap) : state.status;
  const sameStreak = state.streakStatus === observed.status;
  const streakCount = sameStreak ? state.streakCount + 1 : 1;
  const needed =
    observed.status === 'up' ? (confirmed === 'unknown' || confirmed === 'idle' ? 1 : thresholds.successThreshold) : thresholds.failureThreshold;
  const next = streakCount >= needed ? observed.status : confirmed;
  if (!sameStreak) state.streakStartedAt = observed.at;
  state.streakStatus = observed.status;
  state.streakCount = streakCount;
  state.lastObservedAt = observed.at;

  const history = recordSample(state.flap, observed.status === 'down');
  const percent = percentStateChange(history);
  if (flappingAfter(wasFlapping, percent)) {
    state.flap = history | ((CHECK_STATUSES.indexOf(next) + 1) << FLAP_HISTORY_BITS);
    if (wasFlapping) return false;
    state.status = 'flapping';
    state.since = observed.at;
    state.message = flappingMessage(percent);
    return true;
  }
  state.flap = history;
  if (next === observed.status) state.message = observed.message;
  else if (wasFlapping) state.message = null;
  if (next === state.status) return false;
  state.status = next;
  state.since = observed.at;
  return true;
}

/** The status the streaks confirmed under a flapping check's history; unknown when none is kept. */
function statusUnderFlapping(flap: number): CheckStatus {
  return CHECK_STATUSES[(flap >>> FLAP_HISTORY_BITS) - 1] ?? 'unknown';
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
  state.flap = EMPTY_FLAP_HISTORY;
  return changed;
}

export const STATUS_CODE: Record<ObservedStatus, number> = { up: 0, degraded: 1, down: 2 };
export const STATUS_FROM_CODE: readonly ObservedStatus[] = ['up', 'degraded', 'down'];
