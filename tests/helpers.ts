import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/http/app.js';
import { openSqlite, type SqliteHandle } from '../src/hosts/node/sqlite.js';
import type { Role } from '../src/core/domain/enums.js';
import { SYSTEM_ACTOR } from '../src/core/domain/roles.js';
import type { ServiceContext } from '../src/core/services/context.js';
import { mintToken } from '../src/core/services/tokens.js';
import { expect } from 'vitest';

export interface TestApp {
  sqlite: SqliteHandle;
  ctx: ServiceContext;
  app: ReturnType<typeof createApp>;
  tokens: Record<Role, string>;
  dir: string;
  /** Calls the app the way a client would; `token` defaults to the admin token. */
  call(method: string, url: string, options?: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): void;
}

/** A fresh app on a real SQLite file in a temporary folder, with one token per role. */
export async function createTestApp(): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-test-'));
  const sqlite = openSqlite(path.join(dir, 'coopwatch.db'));
  const ctx: ServiceContext = { db: sqlite.db, actor: SYSTEM_ACTOR, now: Date.now };
  const tokens = {} as Record<Role, string>;
  for (const role of ['viewer', 'officer', 'planner', 'admin'] as const) {
    tokens[role] = (await mintToken(ctx, { name: `test-${role}`, role })).secret;
  }
  const app = createApp({ database: () => sqlite.db });
  return {
    sqlite,
    ctx,
    app,
    tokens,
    dir,
    call: clientFor(app, tokens),
    close() {
      sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A client for an app, the way a client would call it; `token` defaults to the token of `as` (admin). */
export function clientFor(app: ReturnType<typeof createApp>, tokens: Record<Role, string>, as: Role = 'admin'): TestApp['call'] {
  return async (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? tokens[as] : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(url, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };
}

/** Row counts of every table: compare before and after to prove a refused request wrote nothing. */
export function tableCounts(sqlite: SqliteHandle): Record<string, number> {
  const client = (sqlite.db as unknown as { $client: import('better-sqlite3').Database }).$client;
  const tables = client.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'`).all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (client.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n]));
}

/** The raw better-sqlite3 connection under the drizzle handle, for reading rows directly. */
export function rawClient(sqlite: SqliteHandle): import('better-sqlite3').Database {
  return (sqlite.db as unknown as { $client: import('better-sqlite3').Database }).$client;
}

/** Asserts the one error shape `{ error: { code, message, details } }` and returns the error. */
export function expectErrorShape(
  res: { status: number; body: any },
  status: number,
): { code: string; message: string; details: Array<{ path: string; message: string; line?: number; column?: number; location?: string }> } {
  if (res.status !== status) throw new Error(`expected status ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  const error = res.body?.error;
  if (!error || typeof error.code !== 'string' || !error.code || typeof error.message !== 'string' || !error.message || !Array.isArray(error.details)) {
    throw new Error(`not the error shape: ${JSON.stringify(res.body)}`);
  }
  return error;
}

/** Runs a request that must be refused: the error shape, the status, and not a row written. */
export async function refusedWithoutWrites(t: TestApp, method: string, url: string, options: Parameters<TestApp['call']>[2], status: number) {
  const before = tableCounts(t.sqlite);
  const res = await t.call(method, url, options);
  const error = expectErrorShape(res, status);
  expect(tableCounts(t.sqlite)).toEqual(before);
  return { res, error, paths: errorPaths(res) };
}

/** The paths named in an error's details. */
export function errorPaths(res: { body: any }): string[] {
  return (res.body?.error?.details ?? []).map((d: { path: string }) => d.path);
}

/** Polls until `probe` returns something truthy; fails with the last value seen at the deadline. */
export async function waitFor<T>(what: string, probe: () => Promise<T> | T, timeoutMs = 10_000, pollMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The body of an API answer that must have the given status; otherwise fails with the answer. */
export async function ok<T = any>(res: Promise<{ status: number; body: any; text: string }>, status = 200): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
  return r.body as T;
}
