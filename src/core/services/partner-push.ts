// Pairing a partner for pushes: its coopwatch's push URL (POST /api/sharing/push there) and the
// secret both sides hold. It becomes a subscription of the webhook outbox bound to the partner
// (sharing/push.ts decides what each delivery carries), receiving events from now on; the
// partner's pull of the feed fills anything before that or lost on the way.
import { and, eq, isNotNull, max, sql } from 'drizzle-orm';
import { z } from 'zod';
import { generateWebhookSecret } from '../outbox/signing.js';
import { commitAtomically } from '../store/client.js';
import { recordEvent } from '../store/events.js';
import { events, partners, webhooks } from '../store/schema/index.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { SHARED_EVENT_TYPES } from '../sharing/release.js';
import { pushSecretSchema } from '../sharing/push.js';
import type { ServiceContext } from './context.js';
import { checkUrl, type WebhookPolicy } from './webhooks.js';

export const partnerPushInputSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  /** Omitted: one is made, and shown in this answer only (give it to the partner's allied source). */
  secret: pushSecretSchema.optional(),
});
export type PartnerPushInput = z.infer<typeof partnerPushInputSchema>;

async function livePartner(ctx: ServiceContext, key: string) {
  const [row] = await ctx.db.select().from(partners).where(eq(partners.key, key));
  if (!row) throw new NotFoundError('partner', key);
  if (row.revokedAt !== null) throw new ConflictError(`The partner "${key}" is revoked: nothing is pushed to it`);
  return row;
}

const pushSubscription = (partnerId: number) => and(isNotNull(webhooks.partnerId), eq(webhooks.partnerId, partnerId));

/** Starts (or re-points) pushing the partner's shared feed to `url`, signed with the secret. */
export async function setPartnerPush(ctx: ServiceContext, key: string, input: PartnerPushInput, policy: WebhookPolicy) {
  authorize(ctx.actor, 'manageSharing');
  const partner = await livePartner(ctx, key);
  checkUrl(input.url, policy);
  const secret = input.secret ?? generateWebhookSecret();
  const now = ctx.now();
  const [latest] = await ctx.db.select({ id: max(events.id) }).from(events);
  await commitAtomically(ctx.db, [
    ctx.db.delete(webhooks).where(pushSubscription(partner.id)),
    ctx.db.insert(webhooks).values({
      name: `push to partner ${key}`, url: input.url, events: [...SHARED_EVENT_TYPES], format: 'standard', secret, includeDrills: true,
      filters: { assetIds: [], functionIds: [], tags: [], minSeverity: 'info' }, enabled: true, cursorEventId: latest?.id ?? 0,
      partnerId: partner.id, createdAt: now, updatedAt: now,
    }),
    recordEvent(ctx, { type: 'webhook.created', subjectKind: 'webhook', subjectId: sql`(select max(id) from webhooks)`, data: { url: input.url, format: 'standard' } }),
  ]);
  return { partner: key, url: input.url, secret };
}

/** Stops pushing to the partner; deliveries not yet sent are dropped (its pull still reads the feed). */
export async function stopPartnerPush(ctx: ServiceContext, key: string) {
  authorize(ctx.actor, 'manageSharing');
  const [partner] = await ctx.db.select({ id: partners.id }).from(partners).where(eq(partners.key, key));
  if (!partner) throw new NotFoundError('partner', key);
  const [sub] = await ctx.db.select({ id: webhooks.id }).from(webhooks).where(pushSubscription(partner.id));
  if (!sub) throw new NotFoundError('push subscription of partner', key);
  await commitAtomically(ctx.db, [
    ctx.db.delete(webhooks).where(eq(webhooks.id, sub.id)),
    recordEvent(ctx, { type: 'webhook.deleted', subjectKind: 'webhook', subjectId: sub.id }),
  ]);
}
