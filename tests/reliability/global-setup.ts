import fs from 'node:fs';
import { readTally, TALLY_FILE } from './tally.js';

export function setup(): void {
  fs.rmSync(TALLY_FILE, { force: true });
}

/** Prints the reliability summary once every file has run (only when reliability tests ran). */
export function teardown(): void {
  const totals = readTally();
  if (!totals.size) return;
  const width = Math.max(...[...totals.keys()].map((k) => k.length));
  const lines = ['', 'Reliability summary', '-'.repeat(width + 12)];
  for (const [figure, value] of totals) lines.push(`${figure.padEnd(width)}  ${String(Math.round(value * 10) / 10).padStart(10)}`);
  console.log(lines.join('\n'));
}
