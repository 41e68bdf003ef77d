import type { SQL } from 'drizzle-orm';
import { insertChunks, type Statement } from './client.js';
import { events } from './schema/index.js';
import type { Severity } from '../domain/enums.js';
import type { EventPayload, EventSubjectOf, EventType } from '../domain/events.js';
import type { WriteContext } from './context.js';

/** An event of type T as its producer states it; the catalog fixes its subject kind and payload. */
type EventSpecOf<T extends EventType> = {
  type: T;
  subjectKind: EventSubjectOf<T>;
  /** A number, or a sub-select when the subject row is written in the same batch. */
  subjectId?: number | SQL | null;
  subjectKey?: string | null;
  severity?: Severity;
  drillRunId?: number | SQL | null;
} & ({} extends EventPayload<T> ? { data?: EventPayload<T> } : { data: EventPayload<T> });

/** Any event the catalog lists (src/core/domain/events.ts): a type it does not list, or the wrong data, does not compile. */
export type EventSpec = { [T in EventType]: EventSpecOf<T> }[EventType];

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
