import { nextCronTime } from '../../../core/domain/schedules.js';

/** The next `count` scheduled occurrences after `now`; none for an invalid stored expression. */
export function upcoming(cron: string, timezone: string | null, now: number, count: number): number[] {
  const out: number[] = [];
  let after = now;
  try {
    for (let i = 0; i < count; i++) {
      const next = nextCronTime(cron, timezone, after);
      if (next === null) break;
      out.push(next);
      after = next;
    }
  } catch {
    // an invalid stored expression shows no occurrences
  }
  return out;
}
