import { describe, expect, it } from 'vitest';
import type { ObservedStatus } from '../../checks/types.js';
import { advanceCheckState, applyIdle, initialCheckState, type CheckState, type Thresholds } from '../../src/core/monitor/check-state.js';

const T0 = 1_700_000_000_000;

/** Feeds observations one second apart; returns the state after each and which ones confirmed a change. */
function feed(statuses: ObservedStatus[], thresholds: Thresholds, start: CheckState = initialCheckState(T0)) {
  let state = start;
  const trail: Array<{ status: CheckState['status']; changed: boolean }> = [];
  statuses.forEach((status, i) => {
    const result = advanceCheckState(state, { status, message: status === 'up' ? null : `${status} #${i}`, at: T0 + (i + 1) * 1000 }, thresholds);
    state = result.state;
    trail.push({ status: state.status, changed: result.changed });
  });
  return { state, trail, statuses: trail.map((s) => s.status) };
}

const upState = (thresholds: Thresholds) => feed(['up'], thresholds).state;

describe('flap control', () => {
  const t3of2: Thresholds = { failureThreshold: 3, successThreshold: 2 };

  it('takes the first up at once from unknown (nothing to alert about)', () => {
    const { trail } = feed(['up'], t3of2);
    expect(trail).toEqual([{ status: 'up', changed: true }]);
  });

  it('goes down only after failureThreshold failures in a row, dated by the failure that confirmed it', () => {
    const { statuses, state, trail } = feed(['down', 'down', 'down'], t3of2, upState(t3of2));
    expect(statuses).toEqual(['up', 'up', 'down']);
    expect(trail.filter((s) => s.changed)).toHaveLength(1);
    expect(state.since).toBe(T0 + 3000);
    // the outage began at the first failure of the streak
    expect(state.streakStartedAt).toBe(T0 + 1000);
    expect(state.message).toBe('down #2');
  });

  it('also needs the failure threshold from unknown before going down', () => {
    expect(feed(['down', 'down', 'down'], t3of2).statuses).toEqual(['unknown', 'unknown', 'down']);
  });

  it('comes back up only after successThreshold successes in a row', () => {
    const down = feed(['down', 'down', 'down'], t3of2, upState(t3of2)).state;
    const { statuses, state } = feed(['up', 'up'], t3of2, down);
    expect(statuses).toEqual(['down', 'up']);
    expect(state.message).toBeNull();
  });

  it('a single success in a failure streak resets the count', () => {
    const { statuses } = feed(['down', 'down', 'up', 'down', 'down', 'down'], t3of2, upState(t3of2));
    expect(statuses).toEqual(['up', 'up', 'up', 'up', 'up', 'down']);
  });

  it('a flapping target (alternating) never confirms up or down by streak: it turns flapping, once, and back when it steadies', () => {
    const thresholds = { failureThreshold: 2, successThreshold: 2 };
    const flapping = Array.from({ length: 20 }, (_, i): ObservedStatus => (i % 2 ? 'up' : 'down'));
    const fromUp = feed(flapping, thresholds, upState(t3of2));
    expect(fromUp.trail.filter((s) => s.changed).map((s) => s.status)).toEqual(['flapping']);
    expect(fromUp.statuses.filter((s) => s !== 'up' && s !== 'flapping')).toEqual([]);
    expect(fromUp.state.message).toMatch(/^flapping \(\d+% state change over the last 21 checks\)$/);
    const steadyUp = feed(Array.from({ length: 25 }, (): ObservedStatus => 'up'), thresholds, fromUp.state);
    expect(steadyUp.trail.filter((s) => s.changed).map((s) => s.status)).toEqual(['up']);
    expect(steadyUp.state.message).toBeNull();

    const down = feed(['down', 'down'], thresholds, upState(t3of2)).state;
    const fromDown = feed(flapping.map((s) => (s === 'up' ? 'down' : 'up')), thresholds, down);
    expect(fromDown.trail.filter((s) => s.changed).map((s) => s.status)).toEqual(['flapping']);
    const steadyDown = feed(Array.from({ length: 25 }, (): ObservedStatus => 'down'), thresholds, fromDown.state);
    expect(steadyDown.trail.filter((s) => s.changed).map((s) => s.status)).toEqual(['down']);
  });

  it('degraded is its own state, confirmed by the failure threshold, and distinct from down', () => {
    const { statuses } = feed(['degraded', 'degraded', 'degraded'], t3of2, upState(t3of2));
    expect(statuses).toEqual(['up', 'up', 'degraded']);
    // a mix of degraded and down is neither streak: nothing is confirmed
    const mixed = feed(['degraded', 'down', 'degraded', 'down'], { failureThreshold: 2, successThreshold: 2 }, upState(t3of2));
    expect(mixed.statuses).toEqual(['up', 'up', 'up', 'up']);
  });

  it('moves from degraded to down (and back) after the failure threshold, not the success threshold', () => {
    const degraded = feed(['degraded', 'degraded'], { failureThreshold: 2, successThreshold: 5 }, upState(t3of2)).state;
    expect(degraded.status).toBe('degraded');
    const down = feed(['down', 'down'], { failureThreshold: 2, successThreshold: 5 }, degraded);
    expect(down.statuses).toEqual(['degraded', 'down']);
    const back = feed(['degraded', 'degraded'], { failureThreshold: 2, successThreshold: 5 }, down.state);
    expect(back.statuses).toEqual(['down', 'degraded']);
  });

  it('keeps the message of the confirmed status while an unconfirmed streak runs', () => {
    const down = feed(['down', 'down'], { failureThreshold: 2, successThreshold: 3 }, upState(t3of2)).state;
    expect(down.message).toBe('down #1');
    const recovering = feed(['up', 'up'], { failureThreshold: 2, successThreshold: 3 }, down).state;
    expect(recovering.status).toBe('down');
    expect(recovering.message).toBe('down #1');
    // a further failure while down refreshes the reason
    const still = feed(['down'], { failureThreshold: 2, successThreshold: 3 }, down).state;
    expect(still.message).toBe('down #0');
  });

  it('counts flapping between down and not down: up and degraded alternating is not flapping', () => {
    const alternating = Array.from({ length: 30 }, (_, i): ObservedStatus => (i % 2 ? 'up' : 'degraded'));
    expect(feed(alternating, { failureThreshold: 1, successThreshold: 1 }, upState(t3of2)).statuses).not.toContain('flapping');
    const failing = Array.from({ length: 30 }, (_, i): ObservedStatus => (i % 2 ? 'degraded' : 'down'));
    expect(feed(failing, { failureThreshold: 1, successThreshold: 1 }, upState(t3of2)).statuses).toContain('flapping');
  });

  it('an idle contact check leaves flapping and starts its history afresh for the next pass', () => {
    const thresholds = { failureThreshold: 2, successThreshold: 2 };
    const flapping = feed(Array.from({ length: 10 }, (_, i): ObservedStatus => (i % 2 ? 'up' : 'down')), thresholds, upState(t3of2)).state;
    expect(flapping.status).toBe('flapping');
    const idle = { ...flapping };
    expect(applyIdle(idle, T0 + 60_000, null)).toBe(true);
    expect(idle.status).toBe('idle');
    // The next pass: one failure then up, as after a fresh start, not flapping on the old history.
    expect(feed(['down', 'up', 'up'], thresholds, idle).statuses).toEqual(['idle', 'up', 'up']);
  });

  it('thresholds of 1 follow every observation', () => {
    const { statuses } = feed(['up', 'down', 'up', 'degraded', 'up'], { failureThreshold: 1, successThreshold: 1 });
    expect(statuses).toEqual(['up', 'down', 'up', 'degraded', 'up']);
  });
});
