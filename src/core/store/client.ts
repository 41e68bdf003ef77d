import type { BatchItem } from 'drizzle-orm/batch';
import type { SQL } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { storeCapabilitiesOf } from './capabilities.js';
import * as schema from './schema/index.js';

export { schema };

/**
 * The database handle every service receives: drizzle over better-sqlite3 on Node, over D1 on
 * Workers. Both accept `await` on every query.
 */
export type Db = BaseSQLiteDatabase<'sync' | 'async', unknown, typeof schema>;

export type Statement = BatchItem<'sqlite'>;

/**
 * Runs the statements all-or-nothing. D1 has no interactive transactions, only batches, so
 * writes are planned up front (later statements find earlier rows by key through sub-selects)
 * and committed here in one go.
 */
export async function commitAtomically(db: Db, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  await storeCapabilitiesOf(db).commitAtomically(statements);
}

/**
 * Splits rows for multi-row inserts so each statement binds no more parameters than the driver
 * allows (at most 1,000 rows either way).
 */
export function insertChunks<T>(db: Db, rows: readonly T[], paramsPerRow: number): T[][] {
  const limit = storeCapabilitiesOf(db).maxBoundParameters;
  const size = Math.max(1, Math.min(1000, Math.floor(limit / paramsPerRow)));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** A raw SQL statement to commit later with `commitAtomically`. */
export function deferredSql(db: Db, query: SQL): Statement {
  return storeCapabilitiesOf(db).deferSql(query);
}
