import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * `column in (…)` for a list of ids, written into the statement rather than bound: D1 binds at
 * most 100 parameters per query and lists of assets, components or members can be longer. Only
 * integers are ever written (ids from the database or validated as integers), so nothing can be
 * injected. Use it instead of drizzle's `inArray` for every list of ids.
 */
export function idsIn(column: SQLiteColumn | SQL, ids: readonly number[]): SQL {
  if (!ids.length) return sql`0`;
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new Error(`not an id: ${id}`);
  return sql`${column} in (${sql.raw(ids.join(', '))})`;
}

/** `column in (…)` for a list of strings of any length: bound as one JSON array parameter. */
export function textIn(column: SQLiteColumn | SQL, values: readonly string[]): SQL {
  if (!values.length) return sql`0`;
  return sql`${column} in (select value from json_each(${JSON.stringify(values)}))`;
}
