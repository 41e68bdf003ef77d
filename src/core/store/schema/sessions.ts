import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { apiTokens } from './tokens.js';

/** Browser sessions, opened by signing in with an API token; they end with the token. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    tokenId: integer('token_id')
      .notNull()
      .references(() => apiTokens.id, { onDelete: 'cascade' }),
    /** Forms carry this; a request without it (CSRF) is refused. */
    csrf: text('csrf').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_token_idx').on(t.tokenId)],
);

/** Instance-wide secrets generated on first use (e.g. the session cookie signing key). */
export const appSecrets = sqliteTable('app_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: integer('created_at').notNull(),
});
