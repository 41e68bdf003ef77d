// Node only: the embedded SQLite database. Imported by the Node runtime, the CLI and tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { schema, type Db } from '../../core/store/client.js';
import { registerStoreCapabilities } from '../../core/store/capabilities.js';
import { registerStorageStatus, StorageStatus, storageProblem } from '../../core/store/storage-health.js';
import { sqliteCapabilities } from './sqlite-capabilities.js';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../drizzle', import.meta.url));

export interface SqliteHandle {
  db: Db;
  close(): void;
  file: string;
  /** Whether writes still commit (a full disk, a read-only or moved file…), from what statements did. */
  storage: StorageStatus;
  /** Opened as a read-only copy because the file could not be opened for writing: nothing can be written. */
  readOnly: boolean;
  /** WAL checkpoints on a thread of their own (openSqlite's `checkpointThread`). */
  checkpointer?: WalCheckpointer;
}

export interface OpenSqliteOptions {
  /** Checkpoint the WAL on a thread of its own rather than inside commits (wal-checkpointer.ts): for a long-running writer. */
  checkpointThread?: boolean;
  /** The connection's page cache in KiB (default: SQLite's 2 MiB); the service's writer takes WRITER_PAGE_CACHE_KIB. */
  pageCacheKiB?: number;
  log?: (message: string) => void;
}

/**
 * The service's writer connection's page cache, in KiB (SQLite's default is 2 MiB). A batch of first states at
 * 100,000 checks (a start on a fleet that never ran, or one cause taking thousands of checks down)
 * dirties about 1,100 pages a commit, scattered over check_states, asset_states and the events'
 * subject index; with the default cache the transaction spills them and reads them back. The
 * first interval's planning and commits took 4.7–5.4 s of CPU with 2 MiB and 3.5–3.9 s with this
 * (`node --import tsx tests/bench/commit-batches.ts 100000 10 due thread [2000]`). SQLite
 * allocates cache pages only as they are used. Readers that pass over pages once (the rollup
 * reader) keep the default: a cache this size would only hold pages they never read again.
 */
export const WRITER_PAGE_CACHE_KIB = 64 * 1024;

/**
 * Opens (creating if needed) the database file and brings its schema up to date. When the file
 * exists but cannot be opened for writing (a read-only filesystem), it serves a read-only copy
 * taken now instead, with `storage` saying so: reads go on, writes are refused.
 */
export function openSqlite(file: string, options: OpenSqliteOptions = {}): SqliteHandle {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const storage = new StorageStatus();
  let client: Database.Database;
  try {
    client = new Database(file);
    client.pragma('journal_mode = WAL');
  } catch (err) {
    if (!storageProblem(err) || file === ':memory:' || !fs.existsSync(file)) throw err;
    return openReadOnlyCopy(file, err, storage);
  }
  watchStorage(client, storage);
  client.pragma('synchronous = NORMAL');
  client.pragma('foreign_keys = ON');
  client.pragma('busy_timeout = 5000');
  if (options.pageCacheKiB) client.pragma(`cache_size = -${options.pageCacheKiB}`);
  const orm = drizzle(client, { schema });
  migrate(orm, { migrationsFolder: MIGRATIONS_DIR });
  const checkpointer = options.checkpointThread && file !== ':memory:' ? startWalCheckpointer(client, file, { log: options.log }) : undefined;
  const close = () => {
    // Closed while the thread's connection is open, this one is not the last to close and would
    // leave the WAL unmerged: merge it here, as SQLite does on the last close. (The service stops
    // the thread first, so SQLite also removes the WAL and -shm files.)
    if (checkpointer?.running) {
      try {
        client.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // a full or read-only disk: the WAL stays, and the next open recovers it
      }
    }
    void checkpointer?.stop();
    client.close();
  };
  return { db: register(client, orm as unknown as Db, storage), close, file, storage, readOnly: false, ...(checkpointer ? { checkpointer } : {}) };
}

/**
 * SQLite cannot open a WAL database on a read-only filesystem (it must create the -shm file), so
 * the file and its WAL are copied to a temporary folder and opened read-only there.
 */
function openReadOnlyCopy(file: string, cause: unknown, storage: StorageStatus): SqliteHandle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-readonly-'));
  const copy = path.join(dir, path.basename(file));
  fs.copyFileSync(file, copy);
  if (fs.existsSync(`${file}-wal`)) fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
  const client = new Database(copy, { readonly: true, fileMustExist: true });
  watchStorage(client, storage);
  const code = String((cause as { code?: unknown }).code);
  storage.failed(Object.assign(new Error(`${file} cannot be opened for writing (${code}); serving a read-only copy taken at ${new Date().toISOString()}`), { code: 'SQLITE_READONLY' }));
  const orm = drizzle(client, { schema });
  const close = () => {
    client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { db: register(client, orm as unknown as Db, storage), close, file, storage, readOnly: true };
}

/** Attaches what core reads through the handle: its storage status and the driver's capabilities. */
function register(client: Database.Database, db: Db, storage: StorageStatus): Db {
  registerStorageStatus(db, storage);
  registerStoreCapabilities(db, sqliteCapabilities(client, db, storage));
  return db;
}

type Method = (...args: unknown[]) => unknown;

/**
 * Reports to `storage` every statement that fails for a storage reason and every write that
 * commits (an autocommit write, or a transaction's commit), so a full disk or a read-only file is
 * known from the first write it refuses until the first one that gets through again.
 */
function watchStorage(client: Database.Database, storage: StorageStatus): void {
  const settle = <T>(work: () => T, wrote: boolean): T => {
    let result: T;
    try {
      result = work();
    } catch (err) {
      storage.failed(err);
      throw err;
    }
    if (wrote && !client.inTransaction) storage.committed();
    return result;
  };
  const prepare = client.prepare.bind(client) as (source: string) => Database.Statement;
  (client as unknown as { prepare: (source: string) => Database.Statement }).prepare = (source: string) => {
    const statement = settle(() => prepare(source), false);
    const writes = !statement.readonly;
    const target = statement as unknown as Record<string, Method>;
    for (const name of ['run', 'get', 'all', 'iterate']) {
      const original = target[name]!;
      target[name] = function (this: unknown, ...args: unknown[]) {
        return settle(() => original.apply(this, args), writes);
      };
    }
    return statement;
  };
  const transaction = client.transaction.bind(client);
  (client as unknown as { transaction: (fn: Method) => Method }).transaction = (fn: Method) => {
    const wrapped = transaction(fn as (...args: unknown[]) => unknown) as unknown as Method & Record<string, Method>;
    const run = (variant: Method) =>
      function (this: unknown, ...args: unknown[]) {
        return settle(() => variant.apply(this, args), true);
      };
    const result = run(wrapped) as Method & Record<string, unknown>;
    for (const name of ['deferred', 'immediate', 'exclusive']) result[name] = run(wrapped[name]!);
    result.default = result;
    return result;
  };
  client.exec = ((exec) => (source: string) => settle(() => exec(source), true))(client.exec.bind(client)) as typeof client.exec;
}

/** SQLite's own verdict on the file; 'ok' when healthy. */
export function integrityCheck(db: Db): string {
  const client = (db as unknown as { $client: Database.Database }).$client;
  return String(client.pragma('quick_check', { simple: true }));
}

/**
 * Copies a live database file to `target` with SQLite's online backup API: a consistent snapshot
 * taken page by page while the service keeps reading and writing (WAL), then checked with
 * integrity_check. Refuses to overwrite an existing file.
 */
export async function backupDatabase(source: string, target: string): Promise<{ pages: number; integrity: string }> {
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  if (fs.existsSync(target)) throw new Error(`${target} exists; choose a new file`);
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const client = new Database(source, { fileMustExist: true });
  try {
    client.pragma('busy_timeout = 5000');
    const { totalPages } = await client.backup(target);
    const copy = new Database(target, { readonly: true });
    try {
      return { pages: totalPages, integrity: String(copy.pragma('integrity_check', { simple: true })) };
    } finally {
      copy.close();
    }
  } catch (err) {
    fs.rmSync(target, { force: true });
    throw err;
  } finally {
    client.close();
  }
}
