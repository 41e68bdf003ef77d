// The hot write: raw check results, thousands a second, held flat (no object per result). Where the
// driver prepares statements the connection's prepared insert runs once per row (see
// store/prepared-rows.ts); elsewhere (D1) the rows go through drizzle as multi-row inserts split to
// the driver's parameter limit. Both store the same rows.
import { preparedStatement } from '../store/prepared-rows.js';
import { insertChunks, type Db, type Statement } from '../store/client.js';
import { checkResults } from '../store/schema/index.js';

/** Columns per row, in order: check_id, ts, status, latency_ms, jitter_ms, loss_pct, vantage_id. */
export const RESULT_COLUMNS = 7;

const INSERT_RESULT_SQL = 'insert into check_results (check_id, ts, status, latency_ms, jitter_ms, loss_pct, vantage_id) values (?, ?, ?, ?, ?, ?, ?)';

/**
 * Statements that insert the rows held flat in `values` (RESULT_COLUMNS per row), to be committed
 * with the rest of the batch by `commitAtomically`.
 */
export function resultInsertStatements(db: Db, values: ReadonlyArray<number | null>): Statement[] {
  const count = values.length / RESULT_COLUMNS;
  if (count === 0) return [];
  const insert = preparedStatement(db, INSERT_RESULT_SQL);
  if (insert) {
    return [{
      run: () => {
        for (let i = 0; i < values.length; i += RESULT_COLUMNS) {
          insert.run(values[i]!, values[i + 1]!, values[i + 2]!, values[i + 3]!, values[i + 4]!, values[i + 5]!, values[i + 6]!);
        }
      },
    } as unknown as Statement];
  }
  const rows: Array<typeof checkResults.$inferInsert> = [];
  for (let i = 0; i < values.length; i += RESULT_COLUMNS) {
    rows.push({ checkId: values[i]!, ts: values[i + 1]!, status: values[i + 2]!, latencyMs: values[i + 3]!, jitterMs: values[i + 4]!, lossPct: values[i + 5]!, vantageId: values[i + 6]! });
  }
  return insertChunks(db, rows, RESULT_COLUMNS).map((chunk) => db.insert(checkResults).values(chunk) as unknown as Statement);
}
