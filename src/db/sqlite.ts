// Node only: the embedded SQLite database. Imported by the Node runtime, the CLI and tests.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { schema, type Db } from './client.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface SqliteHandle {
  db: Db;
  close(): void;
  file: string;
}

/** Opens (creating if needed) the database file and brings its schema up to date. */
export function openSqlite(file: string): SqliteHandle {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const client = new Database(file);
  client.pragma('journal_mode = WAL');
  client.pragma('synchronous = NORMAL');
  client.pragma('foreign_keys = ON');
  client.pragma('busy_timeout = 5000');
  const orm = drizzle(client, { schema });
  migrate(orm, { migrationsFolder: MIGRATIONS_DIR });
  return { db: orm as unknown as Db, close: () => client.close(), file };
}

/** SQLite's own verdict on the file; 'ok' when healthy. */
export function integrityCheck(db: Db): string {
  const client = (db as unknown as { $client: Database.Database }).$client;
  return String(client.pragma('quick_check', { simple: true }));
}
