// `coopwatch backup FILE` against the real service process while it runs and writes; then a fresh
// service on the backup shows everything acknowledged before the backup started, and SQLite's
// integrity_check passes. The same running service shows, over a real socket, that the failed-
// attempt limit counts the socket's address (a forged X-Forwarded-For does not help) and that no
// minted secret reaches its log.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tally } from '../tally.js';
import { ROOT } from '../hostile/harness.js';
import { freePort } from '../../support/free-port.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-backup-'));
const ADMIN = 'cw_backupTestAdminToken0123456789abcdef';
const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function cleanEnv(extra: Record<string, string>) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COOPWATCH_') && k !== 'PORT' && k !== 'HOST'));
  return { ...inherited, ...extra };
}

async function startService(db: string, extra: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/hosts/node/main.ts'], {
    cwd: ROOT,
    env: cleanEnv({ PORT: String(port), HOST: '127.0.0.1', COOPWATCH_DB: db, COOPWATCH_SEED: 'none', COOPWATCH_DEMO: '0', COOPWATCH_ADMIN_TOKEN: ADMIN, ...extra }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(output)) resolve();
    };
    child.stdout!.on('data', onData);
    exited.then((code) => reject(new Error(`the service exited with ${code} before listening:\n${output}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function runCli(args: string[], db: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/hosts/node/cli.ts', ...args], { cwd: ROOT, env: cleanEnv({ COOPWATCH_DB: db }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

async function createAsset(base: string, key: string): Promise<number> {
  const res = await fetch(`${base}/api/assets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key, kind: 'ground_station', name: `Station ${key}`, tags: ['backup-test'] }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function allAssetKeys(base: string): Promise<Set<string>> {
  const keys = new Set<string>();
  let cursor: string | null = null;
  do {
    const res = await fetch(`${base}/api/assets?limit=500${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const body = (await res.json()) as { items: Array<{ key: string }>; nextCursor: string | null };
    for (const a of body.items) keys.add(a.key);
    cursor = body.nextCursor;
  } while (cursor);
  return keys;
}

describe('backup while the service runs', () => {
  it('coopwatch backup FILE copies a consistent database while writes go on; a service started on the copy has everything acknowledged before the backup began', { timeout: 120_000 }, async () => {
    const db = path.join(dir, 'live', 'coopwatch.db');
    const backup = path.join(dir, 'backups', 'coopwatch-backup.db');
    const service = await startService(db, { COOPWATCH_AUTH_FAILURE_LIMIT: '5' });

    const acknowledged: string[] = [];
    for (let i = 0; i < 200; i++) {
      const key = `gs-before-${i}`;
      if ((await createAsset(service.base, key)) === 201) acknowledged.push(key);
    }
    expect(acknowledged).toHaveLength(200);

    // writes keep coming while the backup runs
    let writing = true;
    let during = 0;
    const writer = (async () => {
      for (let i = 0; writing; i++) if ((await createAsset(service.base, `gs-during-${i}`)) === 201) during++;
    })();
    const ackedBeforeBackup = [...acknowledged];
    const result = await runCli(['backup', backup], db);
    writing = false;
    await writer;
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/integrity ok/);
    expect(during).toBeGreaterThan(0);

    // a second backup to the same file is refused, not overwritten
    const again = await runCli(['backup', backup], db);
    expect(again.code).not.toBe(0);

    // over a real socket: the failed-attempt limit counts the socket's address; a forged X-Forwarded-For does not help
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${service.base}/api/assets`, { headers: { authorization: `Bearer cw_guess${i}guessguessguessguessguess`, 'x-forwarded-for': `10.0.0.${i}` } });
      expect(res.status).toBe(401);
    }
    const locked = await fetch(`${service.base}/api/assets`, { headers: { authorization: `Bearer ${ADMIN}`, 'x-forwarded-for': '10.9.9.9' } });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await fetch(`${service.base}/healthz`)).status).toBe(200);

    // a token minted while running never reaches the log
    // (the admin token came from COOPWATCH_ADMIN_TOKEN; the log never prints it either)
    expect(service.output()).not.toContain(ADMIN);
    expect(await service.stop()).toBe(0);

    // the copy passes SQLite's own check
    const copy = new Database(backup, { readonly: true });
    expect(String(copy.pragma('integrity_check', { simple: true }))).toBe('ok');
    copy.close();
    tally('integrity checks passed', 1, 'backup copy');

    // restore: a fresh service on the backup file
    const restoredDb = path.join(dir, 'restored', 'coopwatch.db');
    fs.mkdirSync(path.dirname(restoredDb), { recursive: true });
    fs.copyFileSync(backup, restoredDb);
    const restored = await startService(restoredDb);
    const keys = await allAssetKeys(restored.base);
    const lost = ackedBeforeBackup.filter((k) => !keys.has(k));
    expect(lost).toEqual([]);
    const health = (await (await fetch(`${restored.base}/healthz`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    expect(await restored.stop()).toBe(0);
    const restoredCheck = new Database(restoredDb, { readonly: true });
    expect(String(restoredCheck.pragma('integrity_check', { simple: true }))).toBe('ok');
    restoredCheck.close();
    tally('integrity checks passed', 1, 'restored database');
  });
});
