import { Cron } from 'croner';

/** Cron arithmetic (no timers): the next occurrence strictly after `afterMs`. */
export function nextCronTime(expression: string, timezone: string | null, afterMs: number): number | null {
  const next = new Cron(expression, { timezone: timezone ?? undefined, paused: true }).nextRun(new Date(afterMs));
  return next ? next.getTime() : null;
}

/** Whether an occurrence of a recurring window lasting `durationMs` covers `nowMs`. */
export function recurringWindowActive(expression: string, timezone: string | null, durationMs: number, nowMs: number): boolean {
  const start = nextCronTime(expression, timezone, nowMs - durationMs - 1);
  return start !== null && start <= nowMs;
}

/** Whether a maintenance window, one-off or recurring, is in force at `nowMs`. */
export function maintenanceActive(
  w: { cron: string | null; timezone: string | null; durationMinutes: number | null; startsAt: number | null; endsAt: number | null },
  nowMs: number,
): boolean {
  if (w.cron) return recurringWindowActive(w.cron, w.timezone, (w.durationMinutes ?? 0) * 60_000, nowMs);
  return w.startsAt !== null && w.endsAt !== null && w.startsAt <= nowMs && nowMs < w.endsAt;
}
