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
type SyncClient = { transaction<T>(fn: () => T): () => T };

/**
 * Runs the statements all-or-nothing. D1 has no interactive transactions, only batches, so
 * writes are planned up front (later statements find earlier rows by key through sub-selects)
 * and committed here in one go.
 */
export async function commitAtomically(db: Db, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  const batching = db as unknown as Partial<BatchingDb>;
  if (typeof batching.batch === 'function') {
    await batching.batch(statements as [Statement, ...Statement[]]);
    return;
  }
  const client = (db as unknown as { $client: SyncClient }).$client;
  client.transaction(() => {
    for (const statement of statements) (statement as unknown as SyncRunnable).run();
  })();
}

/**
 * A raw SQL statement to commit later with `commitAtomically`. drizzle runs `db.run(sql)` at
 * once on the synchronous driver, so there it is wrapped to run when the batch does.
 */
export function deferredSql(db: Db, query: SQL): Statement {
  if (typeof (db as unknown as Partial<BatchingDb>).batch === 'function') return db.run(query) as unknown as Statement;
  return { run: () => db.run(query) } as unknown as Statement;
}
