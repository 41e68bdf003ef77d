import { isNull } from 'drizzle-orm';
import type { Statement } from '../store/client.js';
import type { WriteContext } from '../store/context.js';
import { recordEvent } from '../store/events.js';
import { partners } from '../store/schema/index.js';
import { countriesLost, type MaybeMarking, type SharedKind } from '../domain/marking.js';
import { derivedIncidentChanges } from './incident-marking.js';

export interface MarkingChange {
  kind: SharedKind;
  key: string;
  before: MaybeMarking;
  after: MaybeMarking;
}

/**
 * A marking made more restrictive stops the item crossing at once (every feed reads the current
 * marking); the partners' countries that held it are also told to drop it, by these events, which
 * commit with the change.
 */
export async function retractionStatements(ctx: WriteContext, changes: readonly MarkingChange[]): Promise<Statement[]> {
  if (changes.length === 0) return [];
  const rows = await ctx.db.selectDistinct({ country: partners.country }).from(partners).where(isNull(partners.revokedAt));
  return changes.flatMap((change) => {
    const countries = countriesLost(change.before, change.after, rows.map((r) => r.country));
    if (countries.length === 0) return [];
    return [
      recordEvent(ctx, {
        type: 'sharing.retracted',
        subjectKind: 'sharing',
        subjectKey: change.key,
        data: { itemKind: change.kind, itemKey: change.key, countries: countries.sort() },
      }),
    ];
  });
}

/** The marking changes between stored items and a file's items of the same keys (the apply file). */
export function markingChanges(kind: SharedKind, before: ReadonlyArray<{ key: string; marking?: MaybeMarking }>, after: ReadonlyArray<{ key: string; marking?: MaybeMarking }>): MarkingChange[] {
  const stored = new Map(before.map((item) => [item.key, item.marking]));
  return after.flatMap((item) => (stored.has(item.key) ? [{ kind, key: item.key, before: stored.get(item.key), after: item.marking }] : []));
}

/** An asset's or function's marking change, with the incidents whose derived marking follows it. */
export async function itemRetractions(ctx: WriteContext, item: { kind: 'asset' | 'function'; id: number; key: string; before: MaybeMarking; after: MaybeMarking }): Promise<Statement[]> {
  if (JSON.stringify(item.before ?? null) === JSON.stringify(item.after ?? null)) return [];
  const incidents = await derivedIncidentChanges(ctx.db, { kind: item.kind, id: item.id, marking: item.after });
  return retractionStatements(ctx, [{ kind: item.kind, key: item.key, before: item.before, after: item.after }, ...incidents]);
}
