// What the watch floor's live stream reads: the newest event id, and the events after a cursor
// that the floor may see, each in the small wire form the page patches itself with.
import { asc, gt, max } from 'drizzle-orm';
import type { Db } from '../../store/client.js';
import { events, type EventRow } from '../../store/schema/index.js';
import { eventFields, STREAMED_SUBJECTS } from '../../domain/events.js';

export async function latestEventId(db: Db): Promise<number> {
  const [row] = await db.select({ id: max(events.id) }).from(events);
  return row?.id ?? 0;
}

/** The wire form of an event: enough to patch the page, no free text beyond the subject's key. */
export function liveEventView(row: Pick<EventRow, 'id' | 'ts' | 'type' | 'subjectKind' | 'subjectKey' | 'severity' | 'drillRunId' | 'data'>) {
  const data = eventFields(row.data);
  const stateChange = row.type.startsWith('asset.') || row.type.startsWith('function.') || row.type.startsWith('redundancy.');
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    id: row.id,
    ts: row.ts,
    type: row.type,
    subjectKind: row.subjectKind,
    subjectKey: row.subjectKey,
    severity: row.severity,
    drillRunId: row.drillRunId,
    ...(stateChange && text(data.status) ? { status: text(data.status) } : {}),
    ...(stateChange && text(data.previous) ? { previous: text(data.previous) } : {}),
    ...(text(data.redundancy) ? { redundancy: text(data.redundancy) } : {}),
  };
}
export type LiveEvent = ReturnType<typeof liveEventView>;

export interface LiveEventBatch {
  /** The events the watch floor may see (token and webhook events, say, are not streamed). */
  events: LiveEvent[];
  /** The id of the last row read, shown or not: the cursor to read on from. */
  readTo: number;
  /** As many rows as asked for were read: more may be waiting. */
  full: boolean;
}

/** Up to `limit` rows after `cursor`, oldest first. */
export async function liveEventsAfter(db: Db, cursor: number, limit: number): Promise<LiveEventBatch> {
  const rows = await db.select().from(events).where(gt(events.id, cursor)).orderBy(asc(events.id)).limit(limit);
  return {
    events: rows.filter((row) => STREAMED_SUBJECTS.has(row.subjectKind)).map(liveEventView),
    readTo: rows.at(-1)?.id ?? cursor,
    full: rows.length === limit,
  };
}
