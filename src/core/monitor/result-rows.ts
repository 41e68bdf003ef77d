// The hot write: raw check results, thousands a second. Where the driver prepares statements
// (better-sqlite3 on Node) one prepared statement, kept per connection, runs once per row inside the
// batch's transaction: no SQL is built or prepared per batch. Elsewhere (D1) the rows go through
// drizzle as multi-row inserts split to the driver's parameter limit. Both store the same rows.
import { storeCapabilitiesOf, type PreparedStatement, type StoreCapabilities } from '../store/capabilities.js';
import { insertChunks, type Db, type Statement } from '../store/client.js';
import { checkResults } from '../store/schema/index.js';

/** Columns per row, in order: check_id, ts, status, latency_ms, jitter_ms, loss_pct. */
export const RESULT_COLUMNS = 6;

const INSERT_RESULT_SQL = 'insert into check_results (check_id, ts, status, latency_ms, jitter_ms, loss_pct) values (?, ?, ?, ?, ?, ?)';

const prepared = new WeakMap<StoreCapabilities, PreparedStatement>();

/** The connection's prepared insert, when the driver is a synchronous one that has them. */
function preparedInsert(db: Db): PreparedStatement | null {
  const capabilities = storeCapabilitiesOf(db);
  if (!capabilities.prepare) return null;
  let statement = prepared.get(capabilities);
  if (!statement) {
    statement = capabilities.prepare(INSERT_RESULT_SQL);
    prepared.set(capabilities, statement);
  }
  return statement;
}

/**
 * Statements that insert the rows held flat in `values` (RESULT_COLUMNS per row), to be committed
 * with the rest of the batch by `commitAtomically`.
 */
export function resultInsertStatements(db: Db, values: ReadonlyArray<number | null>): Statement[] {
  const count = values.length / RESULT_COLUMNS;
  if (count === 0) return [];
  const insert = preparedInsert(db);
  if (insert) {
    return [{
      run: () => {
        for (let i = 0; i < values.length; i += RESULT_COLUMNS) {
          insert.run(values[i]!, values[i + 1]!, values[i + 2]!, values[i + 3]!, values[i + 4]!, values[i + 5]!);
        }
      },
    } as unknown as Statement];
  }
  const rows: Array<typeof checkResults.$inferInsert> = [];
  for (let i = 0; i < values.length; i += RESULT_COLUMNS) {
    rows.push({ checkId: values[i]!, ts: values[i + 1]!, status: values[i + 2]!, latencyMs: values[i + 3]!, jitterMs: values[i + 4]!, lossPct: values[i + 5]! });
  }
  return insertChunks(db, rows, RESULT_COLUMNS).map((chunk) => db.insert(checkResults).values(chunk) as unknown as Statement);
}
