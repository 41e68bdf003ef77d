// The store capabilities of better-sqlite3: a synchronous client, so a batch is one transaction
// run at once, statements can be prepared once and kept, and whether the database changed is
// cheap to tell (see changeStamp).
import type Database from 'better-sqlite3';
import type { StoreCapabilities } from '../../core/store/capabilities.js';
import type { Db, Statement } from '../../core/store/client.js';
import type { StorageStatus } from '../../core/store/storage-health.js';

/** SQLite's limit on bound parameters per statement. */
const MAX_BOUND_PARAMETERS = 32_766;
const STAMP_SQL = "select total_changes() || ':' || data_version from pragma_data_version";
/** Another process's writes (the CLI's apply, say) may go unseen this long; this process's never are. */
const OTHER_WRITERS_CHECK_MS = 250;

type SyncRunnable = { run(): unknown };

export function sqliteCapabilities(client: Database.Database, db: Db, storage: StorageStatus): StoreCapabilities {
  let stampStatement: Database.Statement | undefined;
  let otherWriters: { at: number; stamp: unknown } | undefined;
  return {
    maxBoundParameters: MAX_BOUND_PARAMETERS,
    // IMMEDIATE takes the write lock at BEGIN, waiting out another connection's write (the CLI's
    // apply, say) with busy_timeout. A deferred transaction whose first statement reads
    // would instead fail with SQLITE_BUSY_SNAPSHOT if that connection committed in between.
    async commitAtomically(statements) {
      client.transaction(() => {
        for (const statement of statements) (statement as unknown as SyncRunnable).run();
      }).immediate();
    },
    // drizzle runs `db.run(sql)` at once on this driver, so it is wrapped to run when the batch does.
    deferSql: (query) => ({ run: () => db.run(query) }) as unknown as Statement,
    prepare: (sql) => client.prepare(sql),
    /**
     * This connection's committed writes (counted by the client as they happen, no query) and
     * SQLite's data_version, which moves when another connection commits and is read at most
     * every OTHER_WRITERS_CHECK_MS.
     */
    changeStamp() {
      const now = Date.now();
      if (!otherWriters || now - otherWriters.at >= OTHER_WRITERS_CHECK_MS || now < otherWriters.at) {
        stampStatement ??= client.prepare(STAMP_SQL).pluck();
        otherWriters = { at: now, stamp: stampStatement.get() };
      }
      return `${storage.writes}/${String(otherWriters.stamp)}`;
    },
  };
}
