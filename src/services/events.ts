import type { SQL } from 'drizzle-orm';
import type { Statement } from '../db/client.js';
import { events } from '../db/schema/index.js';
import type { Severity } from '../domain/enums.js';
import type { ServiceContext } from './context.js';

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
export function recordEvent(ctx: ServiceContext, spec: EventSpec): Statement {
  return ctx.db.insert(events).values({
    ts: ctx.now(),
    type: spec.type,
    subjectKind: spec.subjectKind,
    subjectId: spec.subjectId ?? null,
    subjectKey: spec.subjectKey ?? null,
    severity: spec.severity ?? 'info',
    drillRunId: spec.drillRunId ?? null,
    actor: ctx.actor.name,
    data: spec.data ?? {},
  });
}
