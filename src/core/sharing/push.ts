// Pushing the shared feed to a partner's coopwatch, through the webhook outbox (its one sender,
// signing, retries and ordering). A partner registered with a push URL gets a subscription row
// bound to it (webhooks.partnerId); each delivery carries what GET /api/sharing/feed would give
// that partner for the event, decided when it is sent (the marking then, the partner not revoked),
// and is logged in the sharing audit like a feed read. The body is a Standard Webhooks envelope
// `{ type, timestamp, data: <the feed item> }`; the receiver is services/allied-push.ts.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Statement } from '../store/client.js';
import { partners, type EventRow } from '../store/schema/index.js';
import { isValidWebhookSecret } from '../outbox/signing.js';
import { auditStatements } from './audit.js';
import { drillKeysOfRuns, loadSharingDirectory } from './directory.js';
import { sharedEvent, type SharedEvent } from './release.js';

/** The secret both sides of a push pairing hold (a Standard Webhooks `whsec_` secret). */
export const pushSecretSchema = z
  .string()
  .max(200)
  .refine(isValidWebhookSecret, 'must be "whsec_" followed by base64 of 24 to 64 random bytes');

/** The Standard Webhooks envelope of one pushed feed item. */
export const pushEnvelope = (item: SharedEvent) => ({ type: item.type, timestamp: item.at, data: item });

export type PartnerPush =
  | { payload: { body: string; contentType: string }; audit: Statement[] }
  | { payload: null; withheld: string; audit: [] };

/** What a partner's push subscription sends for this event now, or why nothing goes. */
export async function partnerPushMessage(db: Db, partnerId: number, event: EventRow, now: number): Promise<PartnerPush> {
  const [partner] = await db.select().from(partners).where(eq(partners.id, partnerId));
  if (!partner || partner.revokedAt !== null) return { payload: null, withheld: 'the partner is revoked: nothing is pushed to it', audit: [] };
  const dir = await loadSharingDirectory(db);
  const runs = event.drillRunId === null ? new Map<number, string>() : await drillKeysOfRuns(db, [event.drillRunId]);
  const item = sharedEvent(dir, event, partner.country, (id) => runs.get(id));
  if (!item) return { payload: null, withheld: `not released to ${partner.country}: not pushed`, audit: [] };
  const crossing = { ...item.subject, marking: item.marking, eventId: item.id, retracted: item.type === 'sharing.retracted' };
  return {
    payload: { body: JSON.stringify(pushEnvelope(item)), contentType: 'application/json' },
    audit: auditStatements(db, partner.id, 'push', now, [crossing]),
  };
}
