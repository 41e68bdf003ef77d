import { is, SQL } from 'drizzle-orm';
import { insertChunks, type Statement } from './client.js';
import { rowStatements } from './prepared-rows.js';
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

const INSERT_EVENT_SQL = 'insert into events (ts, type, subject_kind, subject_id, subject_key, severity, drill_run_id, actor, data) values (?, ?, ?, ?, ?, ?, ?, ?, ?)';
type EventRow = ReturnType<typeof eventRow>;

/**
 * Many events, in order (ids follow it): one prepared insert per row where the driver prepares
 * statements and no subject is a sub-select (store/prepared-rows.ts), else as few multi-row
 * inserts as the driver allows.
 */
export function recordEvents(ctx: WriteContext, specs: readonly EventSpec[]): Statement[] {
  const rows = specs.map((spec) => eventRow(ctx, spec));
  // Nine columns, plus a parameter for a sub-selected subject or drill run.
  const multiRow = (all: readonly EventRow[]) => insertChunks(ctx.db, all, 11).map((chunk) => ctx.db.insert(events).values(chunk));
  if (rows.some((r) => is(r.subjectId, SQL) || is(r.drillRunId, SQL))) return multiRow(rows);
  return rowStatements(ctx.db, INSERT_EVENT_SQL, rows, eventParams, multiRow);
}

function eventParams(r: EventRow): unknown[] {
  return [r.ts, r.type, r.subjectKind, r.subjectId, r.subjectKey, r.severity, r.drillRunId, r.actor, JSON.stringify(r.data)];
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
