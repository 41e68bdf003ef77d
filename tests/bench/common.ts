// Shared by the benchmark modules: child processes, statistics, temporary databases and bulk seeding.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { openSqlite, WRITER_PAGE_CACHE_KIB, type SqliteHandle } from '../../src/hosts/node/sqlite.js';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

/** One row of the printed table (and of the JSON). */
export interface Figure {
  bench: string;
  figure: string;
  value: number | null;
  unit: string;
  /** Human-readable target, e.g. "≥ 10000" or "< 50 ms"; null when the figure is informational. */
  target: string | null;
  /** true / false against the target; null when informational or not measurable. */
  pass: boolean | null;
  /** The same run's ceiling, and the ratio of value to it. */
  ceiling?: number | null;
  ratio?: number | null;
  note?: string;
}

export interface BenchContext {
  quick: boolean;
  /** Where temporary databases go; removed at the end. */
  tmp: string;
  log(message: string): void;
}

/** The nearest-rank percentile. */
export function pct(values: ArrayLike<number>, p: number): number | null {
  if (!values.length) return null;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function round(value: number | null, digits = 1): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** CPU milliseconds this process used since `from` (a `process.cpuUsage()`), all threads. */
export function cpuSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fresh database file (migrated) in its own folder under ctx.tmp. */
export function tempDatabase(tmp: string, name: string): SqliteHandle & { dir: string } {
  const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  return { ...openSqlite(path.join(dir, 'coopwatch.db'), { checkpointThread: true, pageCacheKiB: WRITER_PAGE_CACHE_KIB }), dir };
}

export function rawClient(handle: SqliteHandle): Database.Database {
  return (handle.db as unknown as { $client: Database.Database }).$client;
}

/** Total bytes of the database file and its WAL. */
export function fileBytes(file: string): number {
  let total = 0;
  for (const f of [file, `${file}-wal`]) {
    try {
      total += fs.statSync(f).size;
    } catch {
      /* absent */
    }
  }
  return total;
}

/** Bytes a table and its indexes take on disk (SQLite's dbstat: pages, including free space in them). */
export function tableBytes(client: Database.Database, table: string): number {
  const names = [table, ...(client.prepare(`select name from sqlite_master where type = 'index' and tbl_name = ?`).all(table) as Array<{ name: string }>).map((r) => r.name)];
  let total = 0;
  for (const name of names) {
    const row = client.prepare(`select coalesce(sum(pgsize), 0) as bytes from dbstat where name = ?`).get(name) as { bytes: number };
    total += row.bytes;
  }
  return total;
}

export interface SeedOptions {
  assets: number;
  /** One HTTP check per asset, with this URL (id substituted); none when absent. */
  checkUrl?: (assetId: number, index: number) => string;
  intervalSeconds?: number;
  timeoutMs?: number;
  failureThreshold?: number;
  successThreshold?: number;
  kinds?: readonly string[];
}

/**
 * Bulk inventory straight into the tables (the API would take minutes for 100k): assets with
 * realistic attributes and one HTTP check each, shaped exactly as the check service stores them.
 */
export function seedFleet(client: Database.Database, options: SeedOptions): { assetIds: number[]; checkIds: number[] } {
  const now = Date.now();
  const kinds = options.kinds ?? ['ground_station', 'cloud_region', 'service', 'mission_ops_center'];
  const insertAsset = client.prepare(
    `insert into assets (key, kind, name, lat, lon, region, operator, vendor, model, firmware, criticality, tags, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertCheck = client.prepare(
    `insert into checks (key, asset_id, kind, enabled, interval_seconds, timeout_ms, failure_threshold, success_threshold, settings, created_at, updated_at)
     values (?, ?, 'http', 1, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const assetIds: number[] = [];
  const checkIds: number[] = [];
  client.transaction(() => {
    for (let i = 0; i < options.assets; i++) {
      const kind = kinds[i % kinds.length]!;
      const info = insertAsset.run(
        `bench-asset-${i}`, kind, `Bench asset ${i}`, ((i * 7.3) % 160) - 80, ((i * 13.7) % 340) - 170, `region-${i % 12}`,
        `operator-${i % 5}`, `vendor-${i % 7}`, `model-${i % 3}`, `fw-${i % 4}`, ['low', 'medium', 'high', 'critical'][i % 4], JSON.stringify([`tag-${i % 10}`]), now, now,
      );
      const assetId = Number(info.lastInsertRowid);
      assetIds.push(assetId);
      if (options.checkUrl) {
        const settings = { url: options.checkUrl(assetId, i), method: 'GET', headers: {}, conditions: [], maxRedirects: 0, maxBodyBytes: 65_536 };
        const c = insertCheck.run(
          `bench-check-${i}`, assetId, options.intervalSeconds ?? 60, options.timeoutMs ?? 5_000, options.failureThreshold ?? 3, options.successThreshold ?? 2,
          JSON.stringify(settings), now, now,
        );
        checkIds.push(Number(c.lastInsertRowid));
      }
    }
  })();
  return { assetIds, checkIds };
}

// ---- child processes --------------------------------------------------------------------------

export interface Child {
  process: ChildProcess;
  /** Sends a message and waits for the reply carrying the same `id`. */
  ask<T = any>(message: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Waits for the first message of a type. */
  next<T = any>(type: string, timeoutMs?: number): Promise<T>;
  kill(): Promise<void>;
}

let messageSeq = 0;

/** BENCH_NODE_FLAGS: V8/Node flags to compare (e.g. `--max-semi-space-size=32`), space-separated, for the process under test. */
export const BENCH_NODE_FLAGS = process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : [];

/** Forks a TypeScript module under tsx with an IPC channel. */
export function forkModule(file: string, args: string[] = [], execArgv: string[] = []): Child {
  const child = fork(path.join(BENCH_DIR, file), args, {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const waiters = new Map<string, { resolve(v: any): void; reject(e: Error): void }>();
  const queued: any[] = [];
  const typeWaiters: Array<{ type: string; resolve(v: any): void }> = [];
  child.on('message', (msg: any) => {
    if (msg && msg.replyTo !== undefined) {
      const waiter = waiters.get(String(msg.replyTo));
      if (waiter) {
        waiters.delete(String(msg.replyTo));
        if (msg.error) waiter.reject(new Error(msg.error));
        else waiter.resolve(msg);
      }
      return;
    }
    const i = typeWaiters.findIndex((w) => w.type === msg?.type);
    if (i >= 0) typeWaiters.splice(i, 1)[0]!.resolve(msg);
    else queued.push(msg);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code) => {
    for (const w of waiters.values()) w.reject(new Error(`${file} exited (${code}) before answering`));
    waiters.clear();
  });
  const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
    Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${file}: timed out waiting for ${what}`)), ms).unref())]);
  return {
    process: child,
    ask(message, timeoutMs = 600_000) {
      const id = String(++messageSeq);
      const p = new Promise<any>((resolve, reject) => waiters.set(id, { resolve, reject }));
      child.send({ ...message, id });
      return withTimeout(p, timeoutMs, String(message.type));
    },
    next(type, timeoutMs = 600_000) {
      const i = queued.findIndex((m) => m?.type === type);
      if (i >= 0) return Promise.resolve(queued.splice(i, 1)[0]);
      return withTimeout(new Promise((resolve) => typeWaiters.push({ type, resolve })), timeoutMs, type);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        // Disconnecting lets it exit by itself (and write a CPU profile when asked); then signals.
        if (child.connected) child.disconnect();
        const term = setTimeout(() => child.kill('SIGTERM'), 10_000);
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(term);
        clearTimeout(kill);
      }
    },
  };
}

/** In a child: answers requests from the parent with `handler`. */
export function serveParent(handler: (message: any) => Promise<Record<string, unknown> | void>): void {
  process.on('message', async (message: any) => {
    try {
      const result = (await handler(message)) ?? {};
      process.send!({ ...result, replyTo: message.id });
    } catch (err) {
      process.send!({ replyTo: message.id, error: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
