import { Cron } from 'croner';

/** Cron arithmetic (no timers): the next occurrence strictly after `afterMs`. */
export function nextCronTime(expression: string, timezone: string | null, afterMs: number): number | null {
  const next = new Cron(expression, { timezone: timezone ?? undefined, paused: true }).nextRun(new Date(afterMs));
  return next ? next.getTime() : null;
}

export type MaintenanceWindowTimes = { cron: string | null; timezone: string | null; durationMinutes: number | null; startsAt: number | null; endsAt: number | null };

/** One occurrence of a maintenance window: `[start, end)`, ms. */
export interface WindowOccurrence {
  start: number;
  end: number;
}

/**
 * The occurrence of a maintenance window, one-off or recurring, that covers `nowMs` (`current`)
 * and the one that comes after `nowMs` (`next`; a recurring window's next cron time, a one-off
 * window that has not begun). A recurring window without a positive duration has neither.
 */
export function windowOccurrences(w: MaintenanceWindowTimes, nowMs: number): { current: WindowOccurrence | null; next: WindowOccurrence | null } {
  if (w.cron) {
    const duration = (w.durationMinutes ?? 0) * 60_000;
    if (duration <= 0) return { current: null, next: null };
    const at = (start: number | null) => (start !== null ? { start, end: start + duration } : null);
    const current = nextCronTime(w.cron, w.timezone, nowMs - duration - 1);
    return {
      current: current !== null && current <= nowMs ? at(current) : null,
      // Computed only when asked for: the monitor needs only `current`, on every tick.
      get next() {
        return at(nextCronTime(w.cron!, w.timezone, nowMs));
      },
    };
  }
  if (w.startsAt === null || w.endsAt === null) return { current: null, next: null };
  const window = { start: w.startsAt, end: w.endsAt };
  return { current: w.startsAt <= nowMs && nowMs < w.endsAt ? window : null, next: w.startsAt > nowMs && w.endsAt > nowMs ? window : null };
}

/** Whether a maintenance window, one-off or recurring, is in force at `nowMs`. */
export function maintenanceActive(w: MaintenanceWindowTimes, nowMs: number): boolean {
  return windowOccurrences(w, nowMs).current !== null;
}
