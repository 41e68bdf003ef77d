// The real service as a child process (`node --import tsx src/hosts/node/main.ts`, no wrapper, so
// `kill -9` hits the process that holds the database), on 127.0.0.1, a free port and a temporary
// database file; plus what the fault tests share: an API client, polling, RSS sampling and direct
// reads of the database file between runs.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
export { freePort } from '../../support/free-port.js';
import { freePort } from '../../support/free-port.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FULL = process.env.COOPWATCH_RELIABILITY === 'full';
export const ADMIN = 'cw_reliability_faults_admin_secret_0123456789';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));


export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value as T;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await sleep(everyMs);
  }
}

export interface Service {
  child: ChildProcess;
  pid: number;
  base: string;
  port: number;
  /** When the "listening" line came (Date.now()). */
  listeningAt: number;
  output(): string;
  /** Resident set size in MiB, from /proc (null once the process is gone). */
  rssMiB(): number | null;
  kill9(): Promise<void>;
  stop(): Promise<number | null>;
  readonly exited: boolean;
}

const live = new Set<ChildProcess>();

/** Starts the service; `env` is added to a clean environment (no COOPWATCH_* leaks in). */
export async function startService(env: Record<string, string>, options: { port?: number; execArgv?: string[] } = {}): Promise<Service> {
  const port = options.port ?? (await freePort());
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COOPWATCH_') && k !== 'PORT' && k !== 'HOST'));
  const child = spawn(process.execPath, ['--import', 'tsx', ...(options.execArgv ?? []), 'src/hosts/node/main.ts'], {
    cwd: ROOT,
    env: {
      ...inherited, PORT: String(port), HOST: '127.0.0.1', COOPWATCH_DEMO: '0', COOPWATCH_ADMIN_TOKEN: ADMIN, COOPWATCH_SEED: 'none',
      COOPWATCH_WEBHOOK_ALLOW_PRIVATE: '1', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  let exited = false;
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      live.delete(child);
      resolve(code);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 30 s:\n${output}`)), 30_000);
    const onData = () => {
      if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(output)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code} before listening:\n${output}`));
    });
  });
  const listeningAt = Date.now();
  return {
    child,
    pid: child.pid!,
    base: `http://127.0.0.1:${port}`,
    port,
    listeningAt,
    output: () => output,
    get exited() {
      return exited;
    },
    rssMiB: () => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
        return Number.isFinite(kb) ? kb / 1024 : null;
      } catch {
        return null;
      }
    },
    kill9: async () => {
      if (exited) return;
      child.kill('SIGKILL');
      await exit;
    },
    stop: async () => {
      if (exited) return child.exitCode;
      child.kill('SIGTERM');
      return exit;
    },
  };
}

/** Kills every service a test left running (afterAll). */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...live].map(async (child) => {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }),
  );
}

export interface ApiResult {
  status: number;
  body: any;
}

/** The admin's API client for one service. */
export function api(base: string, token = ADMIN) {
  return async (method: string, url: string, body?: unknown, timeoutMs = 10_000): Promise<ApiResult> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  };
}

/** Samples a service's RSS every `everyMs`; `peak` and the samples in order. */
export function sampleRss(rss: () => number | null, everyMs = 500) {
  const samples: number[] = [];
  const timer = setInterval(() => {
    const value = rss();
    if (value !== null) samples.push(value);
  }, everyMs);
  return {
    samples,
    get peak() {
      return samples.length ? Math.max(...samples) : 0;
    },
    stop: () => clearInterval(timer),
  };
}

/** Opens the database file while no service runs (recovering its WAL, as the next start would). */
export function withDatabase<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    return read(db);
  } finally {
    db.close();
  }
}

/** SQLite's full integrity check of the file; 'ok' when healthy. */
export function integrityCheck(file: string): string {
  return withDatabase(file, (db) => (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; '));
}

/** A read-only look at the database while the service runs (WAL readers never block the writer). */
export function peek<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return read(db);
  } finally {
    db.close();
  }
}

/** An inventory document: each asset with one HTTP check (interval 1 s) against its own URL. */
export function inventoryYaml(assets: Array<{ key: string; kind?: string; url: string }>, functions: Array<{ key: string; k: number; members: string[] }>, check: { intervalSeconds?: number; timeoutMs?: number } = {}): string {
  const lines = ['assets:'];
  for (const a of assets) lines.push(`  - key: ${a.key}`, `    kind: ${a.kind ?? 'ground_station'}`, `    name: ${a.key}`, '    criticality: high');
  lines.push(functions.length ? 'functions:' : 'functions: []');
  for (const f of functions) {
    lines.push(`  - key: ${f.key}`, `    name: ${f.key}`, '    tier: MEF', '    rtoSeconds: 600', '    mtdSeconds: 3600', '    groups:', '      - name: members', `        k: ${f.k}`, '        members:');
    for (const m of f.members) lines.push(`          - assetKey: ${m}`);
  }
  lines.push('checks:');
  for (const a of assets) {
    lines.push(
      `  - key: ${a.key}-health`, `    assetKey: ${a.key}`, '    kind: http', `    intervalSeconds: ${check.intervalSeconds ?? 1}`, `    timeoutMs: ${check.timeoutMs ?? 800}`,
      '    failureThreshold: 1', '    successThreshold: 1', '    http:', `      url: "${a.url}"`, '      expectStatus: 200',
    );
  }
  return `${lines.join('\n')}\n`;
}
