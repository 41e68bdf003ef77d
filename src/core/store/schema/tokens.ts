import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { ROLES } from '../../domain/enums.js';

/** API tokens. Only a SHA-256 hash of the secret is kept; the secret is shown once. */
export const apiTokens = sqliteTable('api_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  /** The first characters of the secret, so a person can tell tokens apart. */
  prefix: text('prefix').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at'),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
  /** A `probe` token's vantage: the only assignment it reads and results it posts. */
  vantageId: integer('vantage_id'),
  /** A `partner` token's partner: it reads only what is released to that partner's country. */
  partnerId: integer('partner_id'),
});

export type ApiTokenRow = typeof apiTokens.$inferSelect;
