import { isNull } from 'drizzle-orm';
import type { Db, Statement } from '../store/client.js';
import { textIn } from '../store/ids.js';
import type { WriteContext } from '../store/context.js';
import { recordEvent } from '../store/events.js';
import { assets, missionFunctions, partners } from '../store/schema/index.js';
import { countriesLost, type MaybeMarking, type SharedKind } from '../domain/marking.js';
import { derivedIncidentChanges, type PendingMarking } from './incident-marking.js';

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

/**
 * The retractions of stored items' marking changes, with those of the incidents whose derived
 * marking follows a changed asset or function: the one way every path (the API, the apply file)
 * retracts, to commit with the changes.
 */
export async function itemRetractions(ctx: WriteContext, changes: readonly MarkingChange[]): Promise<Statement[]> {
  const real = changes.filter((c) => JSON.stringify(c.before ?? null) !== JSON.stringify(c.after ?? null));
  if (!real.length) return [];
  const incidents = await derivedIncidentChanges(ctx.db, await pendingMarkings(ctx.db, real));
  return retractionStatements(ctx, [...real, ...incidents]);
}

/** The assets' and functions' changes by id, as the incidents' derived markings read them. */
async function pendingMarkings(db: Db, changes: readonly MarkingChange[]): Promise<PendingMarking[]> {
  const keys = (kind: SharedKind) => changes.flatMap((c) => (c.kind === kind ? [c.key] : []));
  const assetIds = await db.select({ id: assets.id, key: assets.key }).from(assets).where(textIn(assets.key, keys('asset')));
  const functionIds = await db.select({ id: missionFunctions.id, key: missionFunctions.key }).from(missionFunctions).where(textIn(missionFunctions.key, keys('function')));
  const idOf = { asset: new Map(assetIds.map((r) => [r.key, r.id])), function: new Map(functionIds.map((r) => [r.key, r.id])) };
  return changes.flatMap((c) => {
    if (c.kind !== 'asset' && c.kind !== 'function') return [];
    const id = idOf[c.kind].get(c.key);
    return id === undefined ? [] : [{ kind: c.kind, id, marking: c.after }];
  });
}
