/**
 * Flap detection as Nagios Core defines it (base/flapping.c, check_for_service_flapping): keep the
 * last 21 results, weigh each of the 20 transitions between neighbours from 0.75 (oldest) rising
 * linearly to 1.25 (newest), and take the weighted changes as a percentage of the 20 possible.
 * Flapping starts when that percentage reaches the high threshold and stops when it falls to the
 * low one; in between it stays as it was. 5 % / 20 % are the service thresholds of the nagios.cfg
 * Nagios ships (low_service_flap_threshold, high_service_flap_threshold; the values compiled into
 * include/nagios.h for a config without them are 20 / 30). Unlike Nagios, which skips soft
 * problem states, every raw result counts here: our streaks play the part of its soft states.
 *
 * The history is one small integer, not an array (the monitor holds one per check): bit 0 is the
 * newest sample, bit 20 the oldest, 1 meaning "failing"; bit 21 marks a history begun. Like
 * Nagios enabling flap detection, the first sample fills the whole window, so a fresh check
 * starts at 0 % rather than with invented changes.
 */
export const FLAP_WINDOW = 21;
export const FLAP_LOW_THRESHOLD_PCT = 5;
export const FLAP_HIGH_THRESHOLD_PCT = 20;
/** Bits a history takes; callers may keep their own data above them. */
export const FLAP_HISTORY_BITS = FLAP_WINDOW + 1;

const SAMPLES = (1 << FLAP_WINDOW) - 1;
const BEGUN = 1 << FLAP_WINDOW;
const LOW_WEIGHT = 0.75;
const HIGH_WEIGHT = 1.25;

/** No samples yet (also what an idle check's history resets to). */
export const EMPTY_FLAP_HISTORY = 0;

/** The history with one more sample, the oldest dropped. Bits above FLAP_HISTORY_BITS are cleared. */
export function recordSample(history: number, failing: boolean): number {
  if (!(history & BEGUN)) return BEGUN | (failing ? SAMPLES : 0);
  return BEGUN | (((history << 1) | (failing ? 1 : 0)) & SAMPLES);
}

/** A history from samples, oldest first (the monitor rebuilds it from stored results on load). */
export function historyOf(failing: Iterable<boolean>): number {
  let history = EMPTY_FLAP_HISTORY;
  for (const sample of failing) history = recordSample(history, sample);
  return history;
}

/** Nagios' curved percent state change over the window: 0 (steady) to 100 (every sample differs). */
export function percentStateChange(history: number): number {
  let weighted = 0;
  // Transition x (1..20, oldest first) compares chronological samples x-1 and x: bits 21-x and 20-x.
  for (let x = 1; x < FLAP_WINDOW; x++) {
    const older = (history >> (FLAP_WINDOW - x)) & 1;
    const newer = (history >> (FLAP_WINDOW - 1 - x)) & 1;
    if (older !== newer) weighted += LOW_WEIGHT + ((x - 1) * (HIGH_WEIGHT - LOW_WEIGHT)) / (FLAP_WINDOW - 2);
  }
  return (weighted * 100) / (FLAP_WINDOW - 1);
}

/** Whether a check is flapping after a sample, given whether it was and the new percentage. */
export function flappingAfter(wasFlapping: boolean, percent: number): boolean {
  if (percent >= FLAP_HIGH_THRESHOLD_PCT) return true;
  if (percent <= FLAP_LOW_THRESHOLD_PCT) return false;
  return wasFlapping;
}

export function flappingMessage(percent: number): string {
  return `flapping (${Math.round(percent)}% state change over the last ${FLAP_WINDOW} checks)`;
}
