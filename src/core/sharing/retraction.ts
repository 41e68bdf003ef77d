import { isNull } from 'drizzle-orm';
import type { Statement } from '../store/client.js';
import type { WriteContext } from '../store/context.js';
import { recordEvent } from '../store/events.js';
import { partners } from '../store/schema/index.js';
import { countriesLost, type MaybeMarking, type SharedKind } from '../domain/marking.js';

export interface MarkingChange {
  kind: SharedKind;
  key: string;
  before: MaybeMarking;
  after: MaybeMarking;
}

/**
 * A marking made more restrictive stops the item crossing at once (every feed reads the current
 * marking); the partners' countries that held it are also told to drop it, by this event, which
 * commits with the change.
 */
export async function retractionStatements(ctx: WriteContext, change: MarkingChange): Promise<Statement[]> {
  const rows = await ctx.db.selectDistinct({ country: partners.country }).from(partners).where(isNull(partners.revokedAt));
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
}
