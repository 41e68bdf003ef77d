import type { DrillRunRow } from '../store/schema/index.js';
import { isoTime } from '../domain/time.js';

export function runView(row: DrillRunRow) {
  const ms = (at: number | null) => (at === null || row.startedAt === null ? null : at - row.startedAt);
  return {
    id: row.id,
    drillId: row.drillId,
    status: row.status,
    verdict: row.verdict,
    trigger: row.trigger,
    targetAssetIds: row.targetAssetIds,
    functionIds: row.functionIds,
    startedAt: isoTime(row.startedAt),
    detectedAt: isoTime(row.detectedAt),
    failoverCompletedAt: isoTime(row.failoverCompletedAt),
    restoredAt: isoTime(row.restoredAt),
    finishedAt: isoTime(row.finishedAt),
    ttdMs: ms(row.detectedAt),
    ttfMs: ms(row.failoverCompletedAt),
    ttrMs: ms(row.restoredAt),
    rtoMet: row.rtoMet,
    abortReason: row.abortReason,
    /** Per function the run took below full strength, what it measured; a function not listed was not exercised. */
    functions: row.functionOutcomes,
    steps: row.steps.map((s) => ({ at: isoTime(s.at), step: s.step, detail: s.detail })),
  };
}
export type RunView = ReturnType<typeof runView>;
