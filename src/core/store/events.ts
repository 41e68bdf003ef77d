import type { SQL } from 'drizzle-orm';
import { insertChunks, type Statement } from './client.js';
import { events } from './schema/index.js';
import type { Severity } from '../domain/enums.js';
import type { WriteContext } from './context.js';

export interface EventSpec {
  type: string;
  subjectKind: string;
  /** A number, or a sub-select when the subject row is written in the same batch. */
  subjectId?: number | SQL | null;
  subjectKey?: string | null;
  severity?: Severity;
  drillRunId?: number | SQL | null;
  data?: Record<string, unknown>;
}

/** The insert that records an event; commit it in the same batch as the change it describes. */
export function recordEvent(ctx: WriteContext, spec: EventSpec): Statement {
  return ctx.db.insert(events).values(eventRow(ctx, spec));
}

/** Many events in as few multi-row inserts as the driver allows, in order (ids follow it). */
export function recordEvents(ctx: WriteContext, specs: readonly EventSpec[]): Statement[] {
  // Nine columns, plus a parameter for a sub-selected subject or drill run.
  return insertChunks(ctx.db, specs.map((spec) => eventRow(ctx, spec)), 11).map((rows) => ctx.db.insert(events).values(rows));
}

function eventRow(ctx: WriteContext, spec: EventSpec) {
  return {
    ts: ctx.now(),
    type: spec.type,
    subjectKind: spec.subjectKind,
    subjectId: spec.subjectId ?? null,
    subjectKey: spec.subjectKey ?? null,
    severity: spec.severity ?? 'info',
    drillRunId: spec.drillRunId ?? null,
    actor: ctx.actor.name,
    data: spec.data ?? {},
  };
}
