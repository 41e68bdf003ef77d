import { describe, expect, it } from 'vitest';
import {
  EMPTY_FLAP_HISTORY, FLAP_HIGH_THRESHOLD_PCT, FLAP_LOW_THRESHOLD_PCT, FLAP_WINDOW, flappingAfter, percentStateChange, recordSample,
} from '../../src/core/domain/flapping.js';

const history = (samples: boolean[]) => samples.reduce(recordSample, EMPTY_FLAP_HISTORY);

/** Nagios' loop as written (a 21-entry ring, filled with the first state), for comparison. */
function nagiosPercent(samples: boolean[]): number {
  const ring: boolean[] = Array.from({ length: FLAP_WINDOW }, () => samples[0]!);
  let index = 0;
  for (const s of samples) {
    ring[index] = s;
    index = (index + 1) % FLAP_WINDOW;
  }
  let changes = 0;
  let last = ring[index]!;
  for (let x = 1, y = (index + 1) % FLAP_WINDOW; x < FLAP_WINDOW; x++, y = (y + 1) % FLAP_WINDOW) {
    if (ring[y] !== last) changes += ((x - 1) * (1.25 - 0.75)) / (FLAP_WINDOW - 2) + 0.75;
    last = ring[y]!;
  }
  return (changes * 100) / (FLAP_WINDOW - 1);
}

describe('flap detection (Nagios percent state change)', () => {
  it('starts steady: the first sample fills the window, failing or not', () => {
    expect(percentStateChange(EMPTY_FLAP_HISTORY)).toBe(0);
    expect(percentStateChange(history([true]))).toBe(0);
    expect(percentStateChange(history([false]))).toBe(0);
  });

  it('weighs the newest change 1.25 and the oldest 0.75, out of 20 transitions', () => {
    const steady = Array.from({ length: FLAP_WINDOW }, () => false);
    expect(percentStateChange(history([...steady, true]))).toBeCloseTo(6.25, 10);
    // the change 20 samples back is the oldest transition in the window
    expect(percentStateChange(history([...steady, true, ...Array.from({ length: 19 }, () => true)]))).toBeCloseTo(3.75, 10);
    // and 21 back it has left the window
    expect(percentStateChange(history([...steady, true, ...Array.from({ length: 20 }, () => true)]))).toBe(0);
  });

  it('reads 100 % for strict alternation across the window', () => {
    expect(percentStateChange(history(Array.from({ length: 30 }, (_, i) => i % 2 === 0)))).toBeCloseTo(100, 10);
  });

  it('agrees with Nagios\' ring-buffer loop on random histories', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 200; run++) {
      const samples = Array.from({ length: 1 + Math.floor(random() * 60) }, () => random() < 0.3);
      expect(percentStateChange(history(samples))).toBeCloseTo(nagiosPercent(samples), 10);
    }
  });

  it('starts at the high threshold, stops at the low one, and holds in between', () => {
    expect([FLAP_LOW_THRESHOLD_PCT, FLAP_HIGH_THRESHOLD_PCT]).toEqual([5, 20]);
    expect(flappingAfter(false, 20)).toBe(true);
    expect(flappingAfter(false, 19.9)).toBe(false);
    expect(flappingAfter(true, 5.1)).toBe(true);
    expect(flappingAfter(true, 5)).toBe(false);
    expect(flappingAfter(false, 12)).toBe(false);
  });

  it('fits one small integer and ignores bits its caller keeps above it', () => {
    const h = history(Array.from({ length: 50 }, (_, i) => i % 3 === 0));
    expect(h).toBeLessThan(2 ** 22);
    expect(percentStateChange(recordSample(h | (5 << 22), true))).toBe(percentStateChange(recordSample(h, true)));
  });
});
