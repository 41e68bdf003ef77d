import { utc } from '../format.js';
import { DAY_MS } from '../../../core/domain/time.js';
// Formatting for the planner's pages: durations, times, and words for states (never colour alone).

/** A duration for people: "850 ms", "12.3 s", "4 min 10 s", "3 h 20 min", "2 d 4 h"; null → "—". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a < 1_000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1_000).toFixed(a < 10_000 ? 1 : 0)} s`;
  const s = Math.round(a / 1_000);
  if (s < 3_600) return `${sign}${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  if (m < 48 * 60) return `${sign}${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
  const h = Math.round(m / 60);
  return `${sign}${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

export const durationSeconds = (s: number | null | undefined) => duration(s === null || s === undefined ? null : s * 1_000);

/** Short axis labels: "30 s", "5 min", "2 h", "3 d". */
export function shortDuration(ms: number): string {
  if (ms <= 0) return '0';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${+(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)} min`;
  if (ms < 172_800_000) return `${+(ms / 3_600_000).toFixed(1)} h`;
  return `${+(ms / DAY_MS).toFixed(1)} d`;
}

/** The wall-clock time in a time zone: "2025-03-03 03:00 Asia/Tokyo". */
export function zoned(ms: number, timezone: string | null): string {
  if (!timezone) return utc(ms);
  try {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timezone}`;
  } catch {
    return utc(ms);
  }
}

/** "in 3 d 4 h" / "5 min ago". */
export function relative(ms: number, now: number): string {
  const delta = ms - now;
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}

export const REDUNDANCY_WORDS: Record<string, string> = {
  // coopwatch's redundancy labels, in the continuity words of the planner's glossary.
  N: 'every member up',
  'N-1': 'members lost, a spare left (N+1 or better)',
  SPOF: 'SPOF: no spare left (N)',
  none: 'below what it needs (lost)',
};

export const FAULT_TYPE_WORDS: Record<string, string> = { crustal: 'crustal', interplate: 'plate interface', intraslab: 'intraslab' };
