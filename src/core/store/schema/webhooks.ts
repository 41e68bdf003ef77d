import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { SEVERITIES } from '../../domain/enums.js';

export const WEBHOOK_FORMATS = ['standard', 'slack', 'teams', 'pagerduty'] as const;

/** Where alerts go. The outbox position (`cursorEventId`) moves with the deliveries it creates. */
export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  url: text('url').notNull(),
  events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
  filters: text('filters', { mode: 'json' })
    .$type<{ assetIds: number[]; functionIds: number[]; tags: string[]; minSeverity: (typeof SEVERITIES)[number] }>()
    .notNull(),
  format: text('format', { enum: WEBHOOK_FORMATS }).notNull(),
  secret: text('secret').notNull(),
  /** During a rotation the old secret signs too, until `previousSecretExpiresAt`. */
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: integer('previous_secret_expires_at'),
  /** PagerDuty: the integration's routing key. */
  routingKey: text('routing_key'),
  includeDrills: integer('include_drills', { mode: 'boolean' }).notNull().default(false),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  disabledReason: text('disabled_reason'),
  cursorEventId: integer('cursor_event_id').notNull(),
  /** Set for a partner's push subscription: what it sends is that partner's shared feed (sharing/push.ts), never the raw event. */
  partnerId: integer('partner_id'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    webhookId: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    /** Null for a test ping. */
    eventId: integer('event_id'),
    /** The `webhook-id` header: the same on every attempt, the receiver's idempotency key. */
    messageId: text('message_id').notNull(),
    /** Deliveries with the same key go out in event order (one asset's events, one incident's). */
    orderingKey: text('ordering_key').notNull(),
    status: text('status', { enum: ['pending', 'succeeded', 'failed', 'skipped'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    completedAt: integer('completed_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_message_uq').on(t.webhookId, t.messageId),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_order_idx').on(t.webhookId, t.orderingKey, t.id),
  ],
);

export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms'),
    error: text('error'),
    responseSnippet: text('response_snippet'),
    nextRetryAt: integer('next_retry_at'),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.id)],
);

/**
 * Alertmanager and Grafana alerts by fingerprint: an asset's external check is down while any
 * fires. `startsAt`/`endsAt` (ms; `endsAt` only once resolved) order notifications that arrive
 * out of order; `clipped` names the fields cut to fit (null when none was).
 */
export const externalAlerts = sqliteTable(
  'external_alerts',
  {
    fingerprint: text('fingerprint').primaryKey(),
    assetId: integer('asset_id').notNull(),
    alertName: text('alert_name').notNull(),
    status: text('status', { enum: ['firing', 'resolved'] }).notNull(),
    summary: text('summary'),
    startsAt: integer('starts_at'),
    endsAt: integer('ends_at'),
    clipped: text('clipped', { mode: 'json' }).$type<string[]>(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('external_alerts_asset_idx').on(t.assetId, t.status)],
);

export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
