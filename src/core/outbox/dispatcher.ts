import { and, asc, eq, gt, lt, lte, sql } from 'drizzle-orm';
import { commitAtomically, type Db, type Statement } from '../store/client.js';
import { assets, events, incidents, missionFunctions, webhookAttempts, webhookDeliveries, webhooks, type EventRow, type WebhookRow } from '../store/schema/index.js';
import { SYSTEM_ACTOR } from '../domain/roles.js';
import { severityAtLeast } from '../domain/severity.js';
import { recordEvent } from '../store/events.js';
import { eventFields } from '../domain/events.js';
import { formatEvent, pingEvent } from './formats/index.js';
import { standardWebhookHeaders } from './signing.js';
import { idsIn, textIn } from '../store/ids.js';
import { forEachConcurrently } from '../domain/pool.js';
import { partnerPushMessage } from '../sharing/push.js';

export interface SendResult {
  status: number;
  headers: Record<string, string>;
  bodySnippet: string;
  latencyMs: number;
}
/** What became of one attempt: done (delivered, failed for good or skipped), or to retry after a wait. */
export type AttemptOutcome = { done: true } | { done: false; retryInMs: number };
export type Send = (request: { url: string; headers: Record<string, string>; body: string }) => Promise<SendResult>;

export interface DispatcherOptions {
  db: Db;
  send: Send;
  now?: () => number;
  /** Seconds to wait before each retry after the first attempt (the Standard Webhooks example schedule). */
  retryScheduleSeconds?: number[];
  concurrency?: number;
  publicUrl?: string;
  random?: () => number;
}

export const DEFAULT_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400];
const FAN_OUT_BATCH = 1000;
const MAX_RETRY_AFTER_SECONDS = 86_400;
/** How long a delivery waits, past the one before it for the same subject, before it is tried again. */
const IN_LINE_WAIT_MS = 1_000;
const ACTOR = { ...SYSTEM_ACTOR, name: 'webhooks' };

/** Parses a schedule like "5s,5m,30m,2h" into seconds. */
export function parseRetrySchedule(text: string): number[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$/.exec(part);
    if (!match) throw new Error(`"${part}" is not a duration like 30s, 5m, 2h`);
    const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
    return Number(match[1]) * unit;
  });
}

/**
 * Deliveries of one asset's (or incident's, function's) events go out in order. An incident event
 * that does not name its asset (acknowledged, updated) is ordered with that asset's events, so an
 * acknowledgement never overtakes the trigger it acknowledges.
 */
function orderingKey(event: EventRow, incidentAssetKeys: ReadonlyMap<string, string>): string {
  const data = eventFields(event.data);
  if (typeof data.assetKey === 'string') return `asset:${data.assetKey}`;
  if (typeof data.incidentRef === 'string' && incidentAssetKeys.has(data.incidentRef)) return `asset:${incidentAssetKeys.get(data.incidentRef)}`;
  if (typeof data.functionKey === 'string') return `function:${data.functionKey}`;
  if (typeof data.incidentRef === 'string') return `incident:${data.incidentRef}`;
  return `${event.subjectKind}:${event.subjectKey ?? event.subjectId ?? event.id}`;
}

/**
 * The webhook outbox. The events table is the queue: `fanOut` turns events past each
 * subscription's cursor into deliveries and moves the cursor in the same transaction, so an
 * event is never lost nor queued twice, whatever crashes. `deliverDue` sends what is due,
 * signed, oldest first per ordering key, and records every attempt.
 */
export class WebhookDispatcher {
  private readonly now: () => number;
  private readonly schedule: number[];

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
    this.schedule = options.retryScheduleSeconds ?? DEFAULT_RETRY_SCHEDULE_SECONDS;
  }

  /** Queues the deliveries of new events; answers their ids. */
  async fanOut(): Promise<number[]> {
    const { db } = this.options;
    const subscriptions = await db.select().from(webhooks).where(eq(webhooks.enabled, true));
    const queued: number[] = [];
    for (const sub of subscriptions) {
      const batch = await db.select().from(events).where(gt(events.id, sub.cursorEventId)).orderBy(asc(events.id)).limit(FAN_OUT_BATCH);
      if (!batch.length) continue;
      const matching = await this.matching(sub, batch);
      const incidentAssetKeys = await this.incidentAssetKeys(matching);
      const now = this.now();
      // One event is one message: its webhook-id is the same for every subscription (as Svix does).
      const statements: Statement[] = matching.map((event) =>
        db.insert(webhookDeliveries).values({
          webhookId: sub.id, eventId: event.id, messageId: `msg_${event.id}`, orderingKey: orderingKey(event, incidentAssetKeys), status: 'pending', nextAttemptAt: now, createdAt: now,
        }).onConflictDoNothing(),
      );
      statements.push(db.update(webhooks).set({ cursorEventId: batch[batch.length - 1]!.id }).where(and(eq(webhooks.id, sub.id), eq(webhooks.cursorEventId, sub.cursorEventId))));
      await commitAtomically(db, statements);
      if (!matching.length) continue;
      const rows = await db.select({ id: webhookDeliveries.id }).from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.webhookId, sub.id), idsIn(webhookDeliveries.eventId, matching.map((e) => e.id))));
      queued.push(...rows.map((r) => r.id));
    }
    return queued;
  }

  /** The asset key of each incident named (by ref only, without its asset) in these events. */
  private async incidentAssetKeys(batch: EventRow[]): Promise<Map<string, string>> {
    const refs = [
      ...new Set(
        batch.flatMap((e) => {
          const data = eventFields(e.data);
          return typeof data.incidentRef === 'string' && typeof data.assetKey !== 'string' ? [data.incidentRef] : [];
        }),
      ),
    ];
    if (!refs.length) return new Map();
    const rows = await this.options.db
      .select({ ref: incidents.ref, assetKey: assets.key })
      .from(incidents)
      .innerJoin(assets, eq(incidents.assetId, assets.id))
      .where(textIn(incidents.ref, refs));
    return new Map(rows.map((r) => [r.ref, r.assetKey]));
  }

  private async matching(sub: WebhookRow, batch: EventRow[]): Promise<EventRow[]> {
    const { filters } = sub;
    const candidates = batch.filter(
      (e) => sub.events.includes(e.type) && (sub.includeDrills || e.drillRunId === null) && severityAtLeast(e.severity, filters.minSeverity),
    );
    if (!candidates.length || (!filters.assetIds.length && !filters.functionIds.length && !filters.tags.length)) return candidates;
    const { db } = this.options;
    const assetRows = await db.select({ id: assets.id, key: assets.key, tags: assets.tags }).from(assets);
    const functionRows = await db.select({ id: missionFunctions.id, key: missionFunctions.key }).from(missionFunctions);
    const assetByKey = new Map(assetRows.map((a) => [a.key, a]));
    const functionIdByKey = new Map(functionRows.map((f) => [f.key, f.id]));
    return candidates.filter((e) => {
      const data = eventFields(e.data);
      const asset = data.assetKey ? assetByKey.get(data.assetKey) : undefined;
      const functionIds = [data.functionKey, ...(data.functionKeys ?? [])].flatMap((k) => (k && functionIdByKey.has(k) ? [functionIdByKey.get(k)!] : []));
      if (filters.assetIds.length && !(asset && filters.assetIds.includes(asset.id))) return false;
      if (filters.functionIds.length && !functionIds.some((id) => filters.functionIds.includes(id))) return false;
      if (filters.tags.length && !(asset && filters.tags.some((t) => asset.tags.includes(t)))) return false;
      return true;
    });
  }

  /** Sends every delivery that is due and first in line for its ordering key. */
  async deliverDue(limit = 200): Promise<number> {
    const { db } = this.options;
    const now = this.now();
    const due = await db
      .select()
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.status, 'pending'),
          lte(webhookDeliveries.nextAttemptAt, now),
          sql`not exists (select 1 from webhook_deliveries earlier where earlier.webhook_id = ${webhookDeliveries.webhookId}
                and earlier.ordering_key = ${webhookDeliveries.orderingKey} and earlier.status = 'pending' and earlier.id < ${webhookDeliveries.id})`,
        ),
      )
      .orderBy(asc(webhookDeliveries.id))
      .limit(limit);
    if (!due.length) return 0;
    const subs = new Map((await db.select().from(webhooks).where(idsIn(webhooks.id, [...new Set(due.map((d) => d.webhookId))]))).map((w) => [w.id, w]));
    const eventIds = due.flatMap((d) => (d.eventId === null ? [] : [d.eventId]));
    const eventRows = new Map((eventIds.length ? await db.select().from(events).where(idsIn(events.id, eventIds)) : []).map((e) => [e.id, e]));
    await forEachConcurrently(due, this.options.concurrency ?? 16, async (d) => {
      const sub = subs.get(d.webhookId);
      if (sub) await this.attempt(d, sub, d.eventId === null ? null : (eventRows.get(d.eventId) ?? null));
    });
    return due.length;
  }

  /**
   * One attempt at one delivery, by id, for a host whose queue carries the ids (Workers). A row
   * no longer pending is done (nothing is sent twice); one not yet due answers how long to wait.
   */
  async attemptById(deliveryId: number): Promise<AttemptOutcome> {
    const { db } = this.options;
    const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    if (!delivery || delivery.status !== 'pending') return { done: true };
    const early = (delivery.nextAttemptAt ?? 0) - this.now();
    if (early > 0) return { done: false, retryInMs: early };
    // Second in line for its subject: it waits until the one before it is done, as deliverDue's do.
    const [earlier] = await db
      .select({ nextAttemptAt: webhookDeliveries.nextAttemptAt })
      .from(webhookDeliveries)
      .where(and(
        eq(webhookDeliveries.webhookId, delivery.webhookId), eq(webhookDeliveries.orderingKey, delivery.orderingKey),
        eq(webhookDeliveries.status, 'pending'), lt(webhookDeliveries.id, delivery.id),
      ))
      .orderBy(asc(webhookDeliveries.id))
      .limit(1);
    if (earlier) return { done: false, retryInMs: Math.max(IN_LINE_WAIT_MS, (earlier.nextAttemptAt ?? 0) - this.now() + IN_LINE_WAIT_MS) };
    const [sub] = await db.select().from(webhooks).where(eq(webhooks.id, delivery.webhookId));
    if (!sub) return { done: true };
    const [event] = delivery.eventId === null ? [] : await db.select().from(events).where(eq(events.id, delivery.eventId));
    const nextRetryAt = await this.attempt(delivery, sub, event ?? null);
    return nextRetryAt === null ? { done: true } : { done: false, retryInMs: Math.max(0, nextRetryAt - this.now()) };
  }

  /**
   * Pending deliveries due longer ago than `graceMs`, for a host whose queue carries the ids: their
   * message was lost (an enqueue that failed after the row was written). Each is due again now, so
   * the next call finds it only if this message goes missing too.
   */
  async takeOverdue(graceMs: number, limit = 100): Promise<number[]> {
    const { db } = this.options;
    const now = this.now();
    const rows = await db.select({ id: webhookDeliveries.id }).from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now - graceMs)))
      .orderBy(asc(webhookDeliveries.id)).limit(limit);
    const ids = rows.map((r) => r.id);
    if (ids.length) await db.update(webhookDeliveries).set({ nextAttemptAt: now }).where(idsIn(webhookDeliveries.id, ids));
    return ids;
  }

  /** Gives up on a delivery still pending (a host's dead-letter queue): it reads as failed, to redeliver by hand. */
  async giveUp(deliveryId: number, reason: string): Promise<void> {
    const { db } = this.options;
    await db.update(webhookDeliveries)
      .set({ status: 'failed', completedAt: this.now(), nextAttemptAt: null, lastError: reason })
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, 'pending')));
  }

  /** Sends, records the attempt and the delivery's new state; answers when to retry, or null when done. */
  private async attempt(delivery: typeof webhookDeliveries.$inferSelect, sub: WebhookRow, event: EventRow | null): Promise<number | null> {
    const { db } = this.options;
    const now = this.now();
    const complete = (status: 'succeeded' | 'failed' | 'skipped', extra: Partial<typeof webhookDeliveries.$inferInsert> = {}) =>
      db.update(webhookDeliveries).set({ status, completedAt: now, nextAttemptAt: null, ...extra }).where(eq(webhookDeliveries.id, delivery.id));

    if (!sub.enabled) {
      await commitAtomically(db, [complete('failed', { lastError: `subscription disabled: ${sub.disabledReason ?? 'by an admin'}` })]);
      return null;
    }
    // A delivery of no event is a test ping: a message of the subscription's own format that says it is a test.
    const message = delivery.eventId === null ? pingEvent(sub.id, delivery.messageId, now) : event;
    // A partner's push sends that partner's shared feed item, decided now (sharing/push.ts).
    const push = sub.partnerId !== null && event ? await partnerPushMessage(db, sub.partnerId, event, now) : null;
    const payload = push ? push.payload : message && formatEvent(sub.format, message, { publicUrl: this.options.publicUrl, routingKey: sub.routingKey ?? undefined });
    if (!payload) {
      const why = push && !push.payload ? push.withheld : `nothing to send for ${message?.type ?? `the missing event ${delivery.eventId}`} in the ${sub.format} format`;
      await commitAtomically(db, [complete('skipped', { lastError: why })]);
      return null;
    }
    const secrets = sub.previousSecret && (sub.previousSecretExpiresAt ?? 0) > now ? [sub.secret, sub.previousSecret] : [sub.secret];
    const headers = { ...(await standardWebhookHeaders(delivery.messageId, Math.floor(now / 1000), payload.body, secrets)), 'content-type': payload.contentType };

    let statusCode: number | null = null;
    let error: string | null = null;
    let latencyMs: number | null = null;
    let snippet: string | null = null;
    let retryAfter: number | null = null;
    try {
      const res = await this.options.send({ url: sub.url, headers, body: payload.body });
      statusCode = res.status;
      latencyMs = Math.round(res.latencyMs);
      snippet = res.bodySnippet.slice(0, 500);
      if (res.status === 429 || res.status === 503) retryAfter = parseRetryAfter(res.headers['retry-after'], now);
      if (res.status >= 300 && res.status < 400) error = `redirect to ${res.headers.location ?? '?'} not followed`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }

    const attemptNumber = delivery.attempts + 1;
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    // Only the first 410 of a pass disables the subscription (and records it): deliveries of other
    // ordering keys to the same endpoint may be answered 410 in the same pass.
    const gone = statusCode === 410;
    const disableNow = gone && sub.enabled;
    if (gone) sub.enabled = false;
    const exhausted = attemptNumber > this.schedule.length;
    const nextRetryAt = ok || gone || exhausted ? null : now + this.backoff(attemptNumber, retryAfter);
    const statements: Statement[] = [
      db.insert(webhookAttempts).values({ deliveryId: delivery.id, at: now, statusCode, latencyMs, error, responseSnippet: snippet, nextRetryAt }),
      ...(push?.audit ?? []),
    ];
    const common = { attempts: attemptNumber, lastStatusCode: statusCode, lastError: error };
    if (ok) statements.push(complete('succeeded', common));
    else if (gone) {
      statements.push(complete('failed', { ...common, lastError: 'the endpoint answered 410 Gone: subscription disabled' }));
      if (disableNow) statements.push(
        db.update(webhooks).set({ enabled: false, disabledReason: 'the endpoint answered 410 Gone', updatedAt: now }).where(eq(webhooks.id, sub.id)),
        recordEvent({ db, actor: ACTOR, now: () => now }, { type: 'webhook.disabled', subjectKind: 'webhook', subjectId: sub.id, severity: 'minor', data: { reason: '410 Gone', url: sub.url } }),
      );
    } else if (exhausted) statements.push(complete('failed', common));
    else statements.push(db.update(webhookDeliveries).set({ ...common, nextAttemptAt: nextRetryAt }).where(eq(webhookDeliveries.id, delivery.id)));
    await commitAtomically(db, statements);
    return nextRetryAt;
  }

  /** The wait before attempt n+1: the schedule with ±10 % jitter, or what the receiver asked for. */
  private backoff(attemptNumber: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return retryAfterMs;
    const base = this.schedule[Math.min(attemptNumber - 1, this.schedule.length - 1)]! * 1000;
    const jitter = 1 + ((this.options.random ?? Math.random)() * 0.2 - 0.1);
    return Math.round(base * jitter);
  }
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; capped at a day. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - now) / 1000;
  if (!Number.isFinite(seconds)) return null;
  return Math.round(Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS) * 1000);
}
