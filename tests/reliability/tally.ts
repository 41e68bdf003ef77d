import fs from 'node:fs';
import path from 'node:path';

/**
 * What the reliability suite counts, gathered across test files (each runs in its own worker)
 * in one JSON-lines file and printed as a table when the run ends.
 */
export const TALLY_FILE = path.resolve('test-results', 'reliability-tally.jsonl');

export type TallyFigure =
  | 'faults injected'
  | 'restarts'
  | 'events before'
  | 'events after'
  | 'deliveries lost'
  | 'fuzz cases'
  | '5xx seen'
  | 'client connection errors'
  | 'partial writes'
  | 'integrity checks passed'
  | 'integrity checks failed'
  | 'role × route cases'
  | 'peak RSS MiB'
  | 'drills in flight at a kill'
  | 'drill recoveries recorded as real'
  | 'scheduler resumed within (s)'
  | 'misbehaving targets'
  | 'disk faults';

/** Adds to a figure ('peak RSS MiB' and 'scheduler resumed within (s)' keep the largest value instead). */
export function tally(figure: TallyFigure, value: number, detail?: string): void {
  fs.mkdirSync(path.dirname(TALLY_FILE), { recursive: true });
  fs.appendFileSync(TALLY_FILE, `${JSON.stringify({ figure, value, detail: detail ?? null })}\n`);
}

export function readTally(): Map<TallyFigure, number> {
  const totals = new Map<TallyFigure, number>();
  if (!fs.existsSync(TALLY_FILE)) return totals;
  for (const line of fs.readFileSync(TALLY_FILE, 'utf8').split('\n')) {
    if (!line) continue;
    const { figure, value } = JSON.parse(line) as { figure: TallyFigure; value: number };
    const previous = totals.get(figure);
    totals.set(figure, figure === 'peak RSS MiB' || figure === 'scheduler resumed within (s)' ? Math.max(previous ?? 0, value) : (previous ?? 0) + value);
  }
  return totals;
}
