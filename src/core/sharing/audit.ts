import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { insertChunks, type Db, type Statement } from '../store/client.js';
import { partners, sharingAudit } from '../store/schema/index.js';
import type { Marking, SharedKind } from '../domain/marking.js';
import { isoTime } from '../domain/time.js';

export const SHARING_CHANNELS = ['feed', 'taxii', 'push'] as const;
export type SharingChannel = (typeof SHARING_CHANNELS)[number];

export interface Crossing {
  kind: SharedKind;
  key: string;
  marking: Marking | null;
  eventId?: number;
  /** A retraction notice rather than the item itself. */
  retracted?: boolean;
}

/** The rows that log what crossed to a partner, to commit with nothing else (a read's audit trail). */
export function auditStatements(db: Db, partnerId: number, channel: SharingChannel, at: number, crossings: readonly Crossing[]): Statement[] {
  const rows = crossings.map((c) => ({
    at, partnerId, channel, action: c.retracted ? 'retracted' : 'sent', itemKind: c.kind, itemKey: c.key, eventId: c.eventId ?? null, marking: c.marking,
  }));
  return insertChunks(db, rows, 9).map((chunk) => db.insert(sharingAudit).values(chunk));
}

/** Newest first; `before`: an audit id, to page back. */
export async function readAudit(db: Db, query: { partner?: string; before?: number; limit: number }) {
  const filters: SQL[] = [];
  if (query.partner) filters.push(eq(partners.key, query.partner));
  if (query.before) filters.push(lt(sharingAudit.id, query.before));
  const rows = await db
    .select({ a: sharingAudit, partner: partners.key, country: partners.country })
    .from(sharingAudit)
    .innerJoin(partners, eq(partners.id, sharingAudit.partnerId))
    .where(and(...filters))
    .orderBy(desc(sharingAudit.id))
    .limit(query.limit);
  return rows.map(({ a, partner, country }) => ({
    id: a.id, at: isoTime(a.at)!, partner, country, channel: a.channel, action: a.action,
    item: { kind: a.itemKind, key: a.itemKey }, eventId: a.eventId, marking: a.marking,
  }));
}
