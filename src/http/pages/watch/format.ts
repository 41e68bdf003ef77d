// Times as the watch floor shows them: clock times in UTC, and how far off they are.

export const clock = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;
export const dayAndClock = (ms: number, now: number) => {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? clock(ms) : `${iso.slice(5, 10)} ${iso.slice(11, 16)} UTC`;
};
export const isoTimeOf = (ms: number) => new Date(ms).toISOString();
/** A pass time without the zone (the column says UTC); the date only when it is not today. */
export const passTime = (ms: number, now: number) => dayAndClock(ms, now).replace(' UTC', '');

export function relative(ms: number, now: number): string {
  const minutes = Math.round((ms - now) / 60_000);
  if (Math.abs(minutes) < 1) return 'now';
  const span = Math.abs(minutes) >= 120 ? `${Math.round(Math.abs(minutes) / 60)} h` : `${Math.abs(minutes)} min`;
  return minutes > 0 ? `in ${span}` : `${span} ago`;
}
