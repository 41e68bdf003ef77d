import { describe, expect, it } from 'vitest';
import { maintenanceActive, windowOccurrences } from '../../src/core/domain/schedules.js';

const H = 3_600_000;
const MONDAY_0200 = Date.UTC(2030, 0, 7, 2); // 2030-01-07 is a Monday
const recurring = { cron: '0 2 * * 1', timezone: 'UTC', durationMinutes: 120, startsAt: null, endsAt: null };
const oneOff = (startsAt: number, endsAt: number) => ({ cron: null, timezone: null, durationMinutes: null, startsAt, endsAt });

describe('windowOccurrences', () => {
  it('gives a recurring window’s current occurrence while it runs, and the next one after it', () => {
    const during = windowOccurrences(recurring, MONDAY_0200 + H);
    expect(during.current).toEqual({ start: MONDAY_0200, end: MONDAY_0200 + 2 * H });
    expect(during.next).toEqual({ start: MONDAY_0200 + 7 * 24 * H, end: MONDAY_0200 + 7 * 24 * H + 2 * H });
    const after = windowOccurrences(recurring, MONDAY_0200 + 2 * H + 60_000);
    expect(after.current).toBeNull();
    expect(after.next?.start).toBe(MONDAY_0200 + 7 * 24 * H);
  });

  it('reads a recurring window’s cron in its time zone', () => {
    const tokyo = windowOccurrences({ ...recurring, timezone: 'Asia/Tokyo' }, MONDAY_0200 - 24 * H);
    expect(tokyo.next?.start).toBe(MONDAY_0200 - 9 * H);
  });

  it('gives a one-off window as next before it starts, current while it runs, and neither after', () => {
    const w = oneOff(MONDAY_0200, MONDAY_0200 + H);
    expect(windowOccurrences(w, MONDAY_0200 - 1)).toEqual({ current: null, next: { start: MONDAY_0200, end: MONDAY_0200 + H } });
    expect(windowOccurrences(w, MONDAY_0200)).toEqual({ current: { start: MONDAY_0200, end: MONDAY_0200 + H }, next: null });
    expect(windowOccurrences(w, MONDAY_0200 + H)).toEqual({ current: null, next: null });
  });

  it('maintenanceActive is whether there is a current occurrence', () => {
    expect(maintenanceActive(recurring, MONDAY_0200)).toBe(true);
    expect(maintenanceActive(recurring, MONDAY_0200 + 2 * H + 60_000)).toBe(false);
    expect(maintenanceActive(oneOff(MONDAY_0200, MONDAY_0200 + H), MONDAY_0200 + H - 1)).toBe(true);
  });
});
