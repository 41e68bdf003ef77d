import type { BatchItem } from 'drizzle-orm/batch';
import type { SQL } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import * as schema from './schema/index.js';

export { schema };

/**
 * The database handle every service receives: drizzle over better-sqlite3 on Node, over D1 on
 * Workers. Both accept `await` on every query.
 */
export type Db = BaseSQLiteDatabase<'sync' | 'async', unknown, typeof schema>;

export type Statement = BatchItem<'sqlite'>;

type SyncRunnable = { run(): unknown };
type BatchingDb = { batch(statements: readonly [Statement, ...Statement[]]): Promise<unknown> };
type Preparable = { _prepare(): { getQuery(): { sql: string; params: unknown[] } } };
type D1Client = {
  prepare(sql: string): { bind(...values: unknown[]): unknown };
  batch(statements: unknown[]): Promise<unknown>;
};
type SyncClient = { transaction<T>(fn: () => T): () => T };

/**
 * Runs the statements all-or-nothing. D1 has no interactive transactions, only batches, so
 * writes are planned up front (later statements find earlier rows by key through sub-selects)
 * and committed here in one go.
 */
export async function commitAtomically(db: Db, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  if (isBatching(db)) {
    // Bound straight onto D1 rather than through drizzle's batch, which cannot bind a raw
    // query's parameters (deferredSql with values fails there).
    const d1 = (db as unknown as { $client: D1Client }).$client;
    await d1.batch(statements.map((statement) => {
      const { sql: text, params } = (statement as unknown as Preparable)._prepare().getQuery();
      return d1.prepare(text).bind(...params);
    }));
    return;
  }
  const client = (db as unknown as { $client: SyncClient }).$client;
  client.transaction(() => {
    for (const statement of statements) (statement as unknown as SyncRunnable).run();
  })();
}

/**
 * Splits rows for multi-row inserts so each statement binds no more parameters than the driver
 * allows: 100 on D1, SQLite's 32,766 on better-sqlite3 (at most 1,000 rows either way).
 */
export function insertChunks<T>(db: Db, rows: readonly T[], paramsPerRow: number): T[][] {
  const limit = isBatching(db) ? 100 : 32_766;
  const size = Math.max(1, Math.min(1000, Math.floor(limit / paramsPerRow)));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

function isBatching(db: Db): boolean {
  return typeof (db as unknown as Partial<BatchingDb>).batch === 'function';
}

/**
 * A raw SQL statement to commit later with `commitAtomically`. drizzle runs `db.run(sql)` at
 * once on the synchronous driver, so there it is wrapped to run when the batch does.
 */
export function deferredSql(db: Db, query: SQL): Statement {
  if (isBatching(db)) return db.run(query) as unknown as Statement;
  return { run: () => db.run(query) } as unknown as Statement;
}
