import { and, asc, desc, eq, max, sql } from 'drizzle-orm';
import { checkDestinationUrl } from '../outbox/destination.js';
import { routingKeyProblem } from '../outbox/formats/index.js';
import type { WebhookCreateInput, WebhookPatchInput } from '../outbox/schemas.js';
import { generateWebhookSecret } from '../outbox/signing.js';
import { commitAtomically, type Db } from '../store/client.js';
import { events, webhookAttempts, webhookDeliveries, webhooks, type WebhookDeliveryRow, type WebhookRow } from '../store/schema/index.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { idsIn } from '../store/ids.js';
import { SECRET_MASK, type SecretsIn } from './secrets.js';

/** A subscription as the API shows it: its secret and routing key masked, except right after they are created (the secret also when rotated). */
export function webhookView(row: WebhookRow, secrets: SecretsIn = 'masked') {
  const shown = secrets === 'shown';
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events,
    format: row.format,
    includeDrills: row.includeDrills,
    filters: row.filters,
    hasRoutingKey: row.routingKey !== null,
    routingKey: row.routingKey !== null && !shown ? SECRET_MASK : row.routingKey,
    secret: shown ? row.secret : SECRET_MASK,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    rotatingUntil: isoTime(row.previousSecretExpiresAt),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

export interface WebhookPolicy {
  /** Whether private and loopback destinations are allowed (COOPWATCH_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

export function checkUrl(url: string, policy: WebhookPolicy) {
  const verdict = checkDestinationUrl(url, { allowPrivate: policy.allowPrivate });
  if (!verdict.ok) throw new InvalidInputError([{ path: 'url', message: verdict.reason, location: 'body' }]);
}

async function loadWebhook(db: Db, id: number): Promise<WebhookRow> {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id));
  if (!row) throw new NotFoundError('webhook', id);
  return row;
}

export async function listWebhooks(ctx: ServiceContext) {
  authorize(ctx.actor, 'manageIntegrations');
  return (await ctx.db.select().from(webhooks).orderBy(asc(webhooks.id))).map((row) => webhookView(row));
}

export async function getWebhook(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'manageIntegrations');
  return webhookView(await loadWebhook(ctx.db, id));
}

/** New subscriptions receive events from now on; the secret is in this answer only. */
export async function createWebhook(ctx: ServiceContext, input: WebhookCreateInput, policy: WebhookPolicy) {
  authorize(ctx.actor, 'manageIntegrations');
  checkUrl(input.url, policy);
  const secret = input.secret ?? generateWebhookSecret();
  const now = ctx.now();
  const [latest] = await ctx.db.select({ id: max(events.id) }).from(events);
  await commitAtomically(ctx.db, [
    ctx.db.insert(webhooks).values({
      name: input.name ?? new URL(input.url).host, url: input.url, events: input.events, filters: input.filters, format: input.format, secret,
      routingKey: input.routingKey ?? null, includeDrills: input.includeDrills, enabled: input.enabled, cursorEventId: latest?.id ?? 0,
      createdAt: now, updatedAt: now,
    }),
    // Inside the batch the newest subscription is the one just inserted.
    recordEvent(ctx, { type: 'webhook.created', subjectKind: 'webhook', subjectId: sql`(select max(id) from webhooks)`, data: { url: input.url, format: input.format } }),
  ]);
  const [row] = await ctx.db.select().from(webhooks).orderBy(desc(webhooks.id)).limit(1);
  return webhookView(row!, 'shown');
}

export async function updateWebhook(ctx: ServiceContext, id: number, patch: WebhookPatchInput, policy: WebhookPolicy) {
  authorize(ctx.actor, 'manageIntegrations');
  const row = await loadWebhook(ctx.db, id);
  if (patch.url) checkUrl(patch.url, policy);
  const format = patch.format ?? row.format;
  // The masked routing key sent back keeps the stored one.
  const routingKey = patch.routingKey === undefined || patch.routingKey === SECRET_MASK ? row.routingKey : patch.routingKey;
  // Checked when the key or the format changes: a stored key of another length still lets its subscription be renamed or switched off.
  const keyProblem = format === 'pagerduty' && (routingKey !== row.routingKey || format !== row.format || !routingKey) ? routingKeyProblem(routingKey) : null;
  if (keyProblem) throw new InvalidInputError([{ path: 'routingKey', message: keyProblem, location: 'body' }]);
  const now = ctx.now();
  const rotation = patch.rotateSecret
    ? { secret: generateWebhookSecret(), previousSecret: row.secret, previousSecretExpiresAt: now + (patch.graceHours ?? 24) * 3_600_000 }
    : {};
  const { rotateSecret: _r, graceHours: _g, ...fields } = patch;
  // Re-enabled after being switched off (or after a 410): start from now, not from the backlog.
  const [latest] = patch.enabled && !row.enabled ? await ctx.db.select({ id: max(events.id) }).from(events) : [];
  const resume = latest ? { cursorEventId: latest.id ?? row.cursorEventId } : {};
  await commitAtomically(ctx.db, [
    ctx.db
      .update(webhooks)
      .set({ ...fields, routingKey, ...rotation, ...resume, ...(patch.enabled ? { disabledReason: null } : {}), updatedAt: now })
      .where(eq(webhooks.id, id)),
    recordEvent(ctx, { type: 'webhook.updated', subjectKind: 'webhook', subjectId: id, data: { changed: Object.keys(patch) } }),
  ]);
  const updated = await loadWebhook(ctx.db, id);
  return { ...webhookView(updated), ...(patch.rotateSecret ? { secret: updated.secret } : {}) };
}

export async function deleteWebhook(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'manageIntegrations');
  await loadWebhook(ctx.db, id);
  await commitAtomically(ctx.db, [
    ctx.db.delete(webhooks).where(eq(webhooks.id, id)),
    recordEvent(ctx, { type: 'webhook.deleted', subjectKind: 'webhook', subjectId: id }),
  ]);
}

export function deliveryView(row: WebhookDeliveryRow, attempts: Array<typeof webhookAttempts.$inferSelect>) {
  return {
    id: row.id,
    eventId: row.eventId,
    messageId: row.messageId,
    status: row.status,
    attempts: attempts.map((a) => ({
      at: isoTime(a.at), statusCode: a.statusCode, latencyMs: a.latencyMs, error: a.error, responseSnippet: a.responseSnippet, nextRetryAt: isoTime(a.nextRetryAt),
    })),
    nextAttemptAt: row.status === 'pending' ? isoTime(row.nextAttemptAt) : null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    createdAt: isoTime(row.createdAt),
    completedAt: isoTime(row.completedAt),
  };
}

/** Newest first, each with every attempt. */
export async function listDeliveries(ctx: ServiceContext, webhookId: number, limit: number) {
  authorize(ctx.actor, 'manageIntegrations');
  await loadWebhook(ctx.db, webhookId);
  const rows = await ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhookId)).orderBy(desc(webhookDeliveries.id)).limit(limit);
  const attempts = rows.length
    ? await ctx.db.select().from(webhookAttempts).where(idsIn(webhookAttempts.deliveryId, rows.map((r) => r.id))).orderBy(asc(webhookAttempts.id))
    : [];
  return rows.map((row) => deliveryView(row, attempts.filter((a) => a.deliveryId === row.id)));
}

/** Sends a delivery again, with the same webhook-id, as soon as the dispatcher gets to it. */
export async function redeliver(ctx: ServiceContext, webhookId: number, deliveryId: number) {
  authorize(ctx.actor, 'manageIntegrations');
  const [row] = await ctx.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.webhookId, webhookId)));
  if (!row) throw new NotFoundError(`delivery of webhook ${webhookId}`, deliveryId);
  if (row.status === 'pending') throw new ConflictError('The delivery is still pending; it will be attempted on its schedule');
  await commitAtomically(ctx.db, [
    // A redelivery gets the whole retry schedule again.
    ctx.db.update(webhookDeliveries).set({ status: 'pending', attempts: 0, nextAttemptAt: ctx.now(), completedAt: null }).where(eq(webhookDeliveries.id, deliveryId)),
    recordEvent(ctx, { type: 'webhook.redelivery_requested', subjectKind: 'webhook', subjectId: webhookId, data: { deliveryId } }),
  ]);
  const attempts = await ctx.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, deliveryId));
  const [updated] = await ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
  return deliveryView(updated!, attempts);
}

/** Queues a ping to the subscription; it goes out at once through the normal delivery path. */
export async function queuePing(ctx: ServiceContext, webhookId: number) {
  authorize(ctx.actor, 'manageIntegrations');
  await loadWebhook(ctx.db, webhookId);
  const now = ctx.now();
  const messageId = `msg_ping_${crypto.randomUUID()}`;
  await ctx.db.insert(webhookDeliveries).values({ webhookId, eventId: null, messageId, orderingKey: messageId, status: 'pending', nextAttemptAt: now, createdAt: now });
  const [row] = await ctx.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.messageId, messageId)));
  return row!;
}
