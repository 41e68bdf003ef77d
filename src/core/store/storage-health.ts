// Whether the database can still be written: a full disk, a read-only or vanished file, an I/O
// error. The Node runtime's SQLite client reports every failed statement and every committed
// write here (src/hosts/node/sqlite.ts); /healthz and the logs read it. Runtime-neutral: on D1 nothing
// registers one and /healthz reports what its own query saw.

export interface StorageHealth {
  /** False from the first write that failed for a storage reason until the next write that commits. */
  writable: boolean;
  /** In words, e.g. "disk full (SQLITE_FULL: database or disk is full)"; null while writable. */
  problem: string | null;
  /** The SQLite error code of the last storage failure. */
  code: string | null;
  /** When writes started failing (ms since the epoch); null while writable. */
  since: number | null;
  /** Statements that failed for a storage reason since the service started. */
  failures: number;
}

/** The storage reason behind an SQLite error, or null when the error is not about storage. */
export function storageProblem(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const message = err instanceof Error ? err.message : String(err);
  const reason = (() => {
    if (code === 'SQLITE_FULL') return 'disk full';
    if (code === 'SQLITE_READONLY_DBMOVED') return 'the database file was moved or deleted while open';
    if (code.startsWith('SQLITE_READONLY')) return 'the database is read-only';
    if (code.startsWith('SQLITE_IOERR')) return 'I/O error';
    if (code.startsWith('SQLITE_CANTOPEN')) return 'the database file cannot be opened';
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'the database file is corrupt';
    return null;
  })();
  return reason && `${reason} (${code}: ${message})`;
}

export type StorageChange = (health: StorageHealth, previous: StorageHealth) => void;

/** Tracks the database's writability from what its statements did. */
export class StorageStatus {
  private state: StorageHealth = { writable: true, problem: null, code: null, since: null, failures: 0 };
  private readonly listeners: StorageChange[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  snapshot(): StorageHealth {
    return { ...this.state };
  }

  onChange(listener: StorageChange): void {
    this.listeners.push(listener);
  }

  /** A statement failed: records it when the reason is storage. */
  failed(err: unknown): void {
    const problem = storageProblem(err);
    if (!problem) return;
    const previous = this.state;
    const code = String((err as { code?: unknown }).code);
    this.state = { writable: false, problem, code, since: previous.writable ? this.now() : previous.since, failures: previous.failures + 1 };
    if (previous.writable || previous.code !== code) this.emit(previous);
  }

  /** Writes committed on this connection since the service started. */
  writes = 0;

  /** A write committed: the database takes writes (again). */
  committed(): void {
    this.writes++;
    if (this.state.writable) return;
    const previous = this.state;
    this.state = { writable: true, problem: null, code: null, since: null, failures: previous.failures };
    this.emit(previous);
  }

  private emit(previous: StorageHealth): void {
    for (const listener of this.listeners) {
      try {
        listener(this.snapshot(), previous);
      } catch {
        // a listener's failure is not the database's
      }
    }
  }
}

const registry = new WeakMap<object, StorageStatus>();

/** Attaches a status to a database handle (the drizzle object services receive). */
export function registerStorageStatus(db: object, status: StorageStatus): void {
  registry.set(db, status);
}

/** The writability of this database handle, when its runtime tracks it. */
export function storageHealthOf(db: object): StorageHealth | undefined {
  return registry.get(db)?.snapshot();
}
