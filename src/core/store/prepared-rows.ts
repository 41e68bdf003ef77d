// Many rows of one fixed shape, written inside a batch. Where the driver prepares statements
// (better-sqlite3 on Node), one statement per SQL text, kept per connection, runs once per row
// inside the batch's transaction: building and preparing a 1,000-row INSERT through drizzle costs
// more than running it (a start's burst of first states: 100,000 check states, asset states and
// events). Elsewhere (D1) the caller's drizzle multi-row statements are used.
import { storeCapabilitiesOf, type PreparedStatement, type StoreCapabilities } from './capabilities.js';
import type { Db, Statement } from './client.js';

const prepared = new WeakMap<StoreCapabilities, Map<string, PreparedStatement>>();

/** The connection's prepared statement for `sqlText`, when the driver is a synchronous one that has them. */
export function preparedStatement(db: Db, sqlText: string): PreparedStatement | null {
  const capabilities = storeCapabilitiesOf(db);
  if (!capabilities.prepare) return null;
  let statements = prepared.get(capabilities);
  if (!statements) prepared.set(capabilities, (statements = new Map()));
  let statement = statements.get(sqlText);
  if (!statement) statements.set(sqlText, (statement = capabilities.prepare(sqlText)));
  return statement;
}

/**
 * The statements writing `rows`: `sqlText` run once per row (its parameters from `params`) where
 * statements can be prepared, else `fallback(rows)`.
 */
export function rowStatements<R>(db: Db, sqlText: string, rows: readonly R[], params: (row: R) => unknown[], fallback: (rows: readonly R[]) => Statement[]): Statement[] {
  if (rows.length === 0) return [];
  const statement = preparedStatement(db, sqlText);
  if (!statement) return fallback(rows);
  return [{
    run: () => {
      for (const row of rows) statement.run(...params(row));
    },
  } as unknown as Statement];
}
