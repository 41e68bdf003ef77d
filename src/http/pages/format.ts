// Times as every page shows them: UTC, to the minute (or second), and days.

const pad = (n: number) => String(n).padStart(2, '0');

/** "2025-03-01 14:05 UTC" from ms or an ISO string; null → "—". */
export function utc(at: number | string | null | undefined): string {
  if (at === null || at === undefined) return '—';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** "2025-03-01 14:05:09 UTC": step logs want seconds. */
export function utcSeconds(at: number | string | null | undefined): string {
  if (at === null || at === undefined) return '—';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '—';
  return `${utc(d.getTime()).slice(0, 16)}:${pad(d.getUTCSeconds())} UTC`;
}

/** "2025-03-01" */
export function day(at: number | string): string {
  const d = new Date(at);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
