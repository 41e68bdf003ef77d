import { assessFunctions, type FunctionGraphNode } from '../domain/impact.js';
import type { AssetImpact } from './impact.js';

/** Hours after the scenario starts: down from `fromHours` until `untilHours` (null: the scenario names no end). */
export interface OutageWindow {
  fromHours: number;
  untilHours: number | null;
}

/** When a down asset is down: from when its backup runs out (0 without one) until it recovers. */
export function assetDownWindow(impact: AssetImpact): OutageWindow | null {
  if (impact.impact !== 'down') return null;
  return { fromHours: impact.downAfterHours ?? 0, untilHours: impact.recoveryHours };
}

/**
 * When each function is lost through the k-of-n graph, given when each asset is down: from the
 * first moment a group falls below k until the last. Assets run out of backup at different
 * hours, so a 1-of-2 group whose members hold 24 h and 48 h of backup in a 60 h blackout is lost
 * from 48 h to 60 h, not from the start. Functions never lost get null.
 */
export function functionLossWindows(functions: readonly FunctionGraphNode[], windows: ReadonlyMap<number, OutageWindow>): Map<number, OutageWindow | null> {
  const breakpoints = [...new Set([0, ...[...windows.values()].flatMap((w) => (w.untilHours === null ? [w.fromHours] : [w.fromHours, w.untilHours]))])].sort((a, b) => a - b);
  const result = new Map<number, OutageWindow | null>(functions.map((f) => [f.id, null]));
  breakpoints.forEach((at, i) => {
    const down = (id: number) => {
      const w = windows.get(id);
      return w !== undefined && w.fromHours <= at && (w.untilHours === null || at < w.untilHours);
    };
    const segmentEnd = breakpoints[i + 1] ?? null;
    for (const [id, outcome] of assessFunctions(functions, (id) => !down(id))) {
      if (outcome.status !== 'lost') continue;
      const seen = result.get(id);
      result.set(id, { fromHours: seen?.fromHours ?? at, untilHours: segmentEnd });
    }
  });
  return result;
}

/** "from 48 h to 60 h", "from the start until 60 h", "from 12 h, with no end given". */
export function describeWindow(w: OutageWindow): string {
  const from = w.fromHours === 0 ? 'from the start' : `from ${w.fromHours} h`;
  return w.untilHours === null ? `${from}, with no end given` : `${from} ${w.fromHours === 0 ? 'until' : 'to'} ${w.untilHours} h`;
}
