import type { Statement } from '../store/client.js';
import type { WriteContext } from '../store/context.js';
import { recordEvent } from '../store/events.js';
import type { DrillRunRow } from '../store/schema/index.js';
import { SYSTEM_ACTOR } from '../domain/roles.js';
import type { DrillStepData, DrillStepType } from '../domain/events.js';

/** Who the runner's own writes are recorded as. */
export const DRILL_ACTOR = { ...SYSTEM_ACTOR, name: 'drill-runner' };

/** A drill step's event: marked with the run, so it never pages anyone as a real outage. */
export function drillEvent(ctx: WriteContext, type: DrillStepType, row: DrillRunRow, drillKey: string | null, data: DrillStepData): Statement {
  return recordEvent(ctx, {
    type,
    subjectKind: 'drill_run',
    subjectId: row.id,
    subjectKey: drillKey,
    severity: type === 'rto.breached' || type === 'drill.aborted' ? 'minor' : 'info',
    drillRunId: row.id,
    data: { drillId: row.drillId, drillKey, runId: row.id, ...data },
  });
}
