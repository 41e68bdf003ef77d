// The port for what a database driver can do beyond drizzle's common API. The host that opens the
// database fills it in and registers it with the handle (src/hosts/node/sqlite-capabilities.ts,
// src/hosts/workers/d1.ts); core looks it up by the handle it was given, never at the driver.
import type { SQL } from 'drizzle-orm';
import type { Db, Statement } from './client.js';

/** A statement prepared once on a synchronous driver, run as many times as needed. */
export interface PreparedStatement {
  run(...params: unknown[]): unknown;
}

export interface StoreCapabilities {
  /** Runs the statements all-or-nothing: one transaction on SQLite, one batch on D1. */
  commitAtomically(statements: readonly Statement[]): Promise<void>;
  /** The most parameters one statement may bind (D1: 100; SQLite: 32,766). */
  maxBoundParameters: number;
  /** A raw SQL statement that runs only when `commitAtomically` commits it. */
  deferSql(query: SQL): Statement;
  /** Prepares a statement that runs synchronously inside `commitAtomically`; only synchronous drivers have it. */
  prepare?(sql: string): PreparedStatement;
  /**
   * A value that changes whenever the database's content may have; only where the driver can
   * tell cheaply (a synchronous SQLite client). Compared with `===`.
   */
  changeStamp?(): unknown;
}

const registry = new WeakMap<object, StoreCapabilities>();

/** Called by the host that opened `db`. */
export function registerStoreCapabilities(db: Db, capabilities: StoreCapabilities): void {
  registry.set(db, capabilities);
}

export function storeCapabilitiesOf(db: Db): StoreCapabilities {
  const capabilities = registry.get(db);
  if (!capabilities) throw new Error('This database handle was not opened by a host: no store capabilities are registered for it');
  return capabilities;
}
