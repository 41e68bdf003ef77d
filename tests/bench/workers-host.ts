// The Workers host run locally for the workers bench: the bundle `wrangler deploy --dry-run` builds,
// served by `wrangler dev --no-bundle` (workerd) as a child process with its own persist directory,
// D1 migrated first; the CPU of its workerd processes read from /proc; and the files it persists
// (D1, each Durable Object's SQLite) found for reading. A prebuilt bundle, because `wrangler dev`
// on the sources rebuilds (and restarts every Durable Object) whenever a file it imports changes,
// and other work changes those files during a run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, sleep } from './common.js';

const ROOT = path.resolve(BENCH_DIR, '../..');
const WRANGLER = path.join(ROOT, 'node_modules/.bin/wrangler');
// Offline and quiet: no metrics, no request.cf lookup (there is no network here).
const WRANGLER_ENV = { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
const CLK_TCK = 100;

export interface LocalWorker {
  url: string;
  persistDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function wrangler(args: string[]): void {
  const run = spawnSync(WRANGLER, args, { cwd: ROOT, env: WRANGLER_ENV, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed: ${run.stderr || run.stdout}`);
}

/** Builds the bundle, applies the migrations to a fresh local D1, then starts `wrangler dev` and waits for /healthz. */
export async function startLocalWorker(dir: string, port: number, vars: Record<string, string>): Promise<LocalWorker> {
  const persistDir = path.join(dir, 'state');
  const bundleDir = path.join(dir, 'bundle');
  wrangler(['deploy', '--dry-run', '--outdir', bundleDir]);
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir]);
  const args = ['dev', path.join(bundleDir, 'main.js'), '--config', 'wrangler.toml', '--no-bundle', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistDir, '--show-interactive-dev-session=false'];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const log = fs.openSync(path.join(dir, 'wrangler.log'), 'a');
  // Its own process group, so stopping it stops workerd too.
  const child = spawn(WRANGLER, args, { cwd: ROOT, env: WRANGLER_ENV, stdio: ['ignore', log, log], detached: true });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid!, 'SIGTERM');
    const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev did not answer /healthz; see ${path.join(dir, 'wrangler.log')}`);
    }
    await sleep(500);
  }
  return { url, persistDir, child, stop };
}

/** The workerd processes under a process (wrangler's runtime and its proxy). */
export function workerdPids(rootPid: number): number[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      parents.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const isUnder = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === rootPid) return true;
    return false;
  };
  return [...names].filter(([pid, name]) => name === 'workerd' && isUnder(pid)).map(([pid]) => pid);
}

/** User + system CPU milliseconds of the processes (their threads included). */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* exited */
    }
  }
  return (ticks * 1000) / CLK_TCK;
}

/** The local D1 database file and each Durable Object's SQLite file of a class, under the persist dir. */
export function persistedFiles(persistDir: string): { d1: string; shards: string[] } {
  const sqliteIn = (dir: string) =>
    fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite').map((f) => path.join(dir, f)) : [];
  const [d1] = sqliteIn(path.join(persistDir, 'v3/d1/miniflare-D1DatabaseObject'));
  if (!d1) throw new Error(`no local D1 file under ${persistDir}`);
  return { d1, shards: sqliteIn(path.join(persistDir, 'v3/do/coopwatch-CheckShard')) };
}
