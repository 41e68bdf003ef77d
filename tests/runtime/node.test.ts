// Starts the real server process, as `npm start` does, and talks to it over loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventoryDocument } from '../../src/core/services/inventory/document.js';
import { freePort } from '../support/free-port.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO = path.join(ROOT, 'seeds/demo.yaml');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

const FALLBACK_SEED = `assets:
  - key: gs-a
    kind: ground_station
    name: Station A
  - key: gs-b
    kind: ground_station
    name: Station B
functions:
  - key: contact
    name: Contact
    tier: MEF
    rtoSeconds: 60
    mtdSeconds: 600
    groups:
      - name: stations
        k: 1
        members: [{ assetKey: gs-a }, { assetKey: gs-b }]
`;

const TOKEN_PATTERN = /\bcw_[A-Za-z0-9_-]{20,}/g;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-node-'));
const children = new Set<ChildProcess>();

/** The seed the server loads: the demo when it exists (the default), else a small fixture. */
const seedEnv: Record<string, string> = fs.existsSync(DEMO) ? {} : { COOPWATCH_SEED: path.join(dir, 'seed.yaml') };
const seedSource = (fs.existsSync(DEMO) ? fs.readFileSync(DEMO, 'utf8') : FALLBACK_SEED).replaceAll('${DEMO_FLEET_URL}', 'http://127.0.0.1:1');
/** The probe agents' vantages the seed declares: the demo starts an agent, with its own token, for each. */
const DEMO_AGENTS = parseInventoryDocument(seedSource).document.vantages.map((v) => v.key);
const seededAssets = parseInventoryDocument(seedSource).document.assets.length;


interface Server {
  child: ChildProcess;
  base: string;
  output: () => string;
  stop: () => Promise<number | null>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const demoPort = await freePort();
  // Only what this test sets: nothing from the outer environment's COOPWATCH_* leaks in.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COOPWATCH_') && k !== 'PORT' && k !== 'HOST'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/hosts/node/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, PORT: String(port), HOST: '127.0.0.1', COOPWATCH_DEMO_PORT: String(demoPort), ...seedEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  exited.then(() => children.delete(child));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 20 s:\n${output}`)), 20_000);
    const onData = () => {
      if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${output}`));
    });
  });

  return {
    child,
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function get(base: string, url: string, token?: string) {
  const res = await fetch(base + url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function assetKeys(base: string, token: string): Promise<string[]> {
  const res = await get(base, '/api/assets?limit=500', token);
  expect(res.status).toBe(200);
  expect(res.body.nextCursor).toBeNull();
  return res.body.items.map((a: { key: string }) => a.key);
}

beforeAll(() => {
  if (seedEnv.COOPWATCH_SEED) fs.writeFileSync(seedEnv.COOPWATCH_SEED, FALLBACK_SEED);
});

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

describe('node server: first start, restart on the same database', () => {
  const db = path.join(dir, 'first', 'coopwatch.db');
  let first: Server;
  let token: string;

  beforeAll(async () => {
    first = await startServer({ COOPWATCH_DB: db });
  }, 30_000);

  it('prints one admin token on the first start, and it works', async () => {
    const printed = first.output().match(TOKEN_PATTERN) ?? [];
    expect(printed).toHaveLength(1);
    token = printed[0]!;
    const tokens = await get(first.base, '/api/tokens', token);
    expect(tokens.status).toBe(200);
    // Beside it, the demo's probe agents' tokens, each bound to its vantage.
    expect(tokens.body.items).toEqual([
      expect.objectContaining({ role: 'admin', revokedAt: null }),
      ...DEMO_AGENTS.map((vantage) => expect.objectContaining({ name: `demo-agent-${vantage}`, role: 'probe', vantage, revokedAt: null })),
    ]);
  });

  it('logs where to sign in and the status page, as full URLs', async () => {
    expect(first.output()).toContain(`sign in at ${first.base}/login`);
    const slugs = parseInventoryDocument(seedSource).document.statusPages.map((page) => page.key);
    const slug = slugs.includes('public') ? 'public' : slugs[0];
    if (slug) expect(first.output()).toContain(`status page ${first.base}/status/${slug}`);
    else expect(first.output()).not.toContain('status page');
  });

  it('loads the seed into the empty database', async () => {
    const keys = await assetKeys(first.base, token);
    expect(keys).toHaveLength(seededAssets);
    expect(keys).toEqual(parseInventoryDocument(seedSource).document.assets.map((a) => a.key));
  });

  it('answers /healthz without a token, with the package version and the database ok', async () => {
    const res = await get(first.base, '/healthz');
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(PKG.version);
    expect(res.body.status).toBe('ok');
    expect(res.body.database.status).toBe('ok');
  });

  it('refuses the API without a token (401)', async () => {
    expect((await get(first.base, '/api/assets')).status).toBe(401);
  });

  it('stops cleanly on SIGTERM, and a restart prints no token, keeps the old one and does not seed again', async () => {
    expect(await first.stop()).toBe(0);
    const second = await startServer({ COOPWATCH_DB: db });
    try {
      expect(second.output().match(TOKEN_PATTERN)).toBeNull();
      expect(second.output()).not.toContain('admin token');
      expect(await assetKeys(second.base, token)).toHaveLength(seededAssets);
      // The demo agents' kept tokens are used again: no new ones, none revoked.
      expect((await get(second.base, '/api/tokens', token)).body.items).toHaveLength(1 + DEMO_AGENTS.length);
      expect((await get(second.base, '/api/tokens', token)).body.items.every((t: { revokedAt: string | null }) => t.revokedAt === null)).toBe(true);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 30_000);
});

describe('node server with COOPWATCH_ADMIN_TOKEN', () => {
  it('uses that token on a fresh database and prints no secret', async () => {
    const configured = 'cw_configured_admin_secret_for_tests_0123456789';
    const server = await startServer({ COOPWATCH_DB: path.join(dir, 'configured', 'coopwatch.db'), COOPWATCH_ADMIN_TOKEN: configured });
    try {
      expect(server.output()).not.toContain(configured);
      expect(server.output().match(TOKEN_PATTERN)).toBeNull();
      expect((await get(server.base, '/api/assets', configured)).status).toBe(200);
      expect((await get(server.base, '/api/tokens', configured)).body.items.filter((t: { role: string }) => t.role !== 'probe')).toEqual([expect.objectContaining({ role: 'admin' })]);
      expect((await get(server.base, '/api/assets', 'cw_some_other_secret_that_is_long')).status).toBe(401);
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('refuses to start with a COOPWATCH_ADMIN_TOKEN shorter than 16 characters', async () => {
    await expect(startServer({ COOPWATCH_DB: path.join(dir, 'short', 'coopwatch.db'), COOPWATCH_ADMIN_TOKEN: 'short' })).rejects.toThrow(
      /exited with 1[\s\S]*COOPWATCH_ADMIN_TOKEN/,
    );
  }, 30_000);
});

describe('npm start on the demo seed is a living system', () => {
  it.skipIf(!fs.existsSync(DEMO))('the demo fleet answers the seeded checks; a fault injected through /api/demo takes an asset down and opens an incident, restoring it resolves it', async () => {
    const admin = 'cw_living_system_admin_secret_0123456789';
    const server = await startServer({ COOPWATCH_DB: path.join(dir, 'living', 'coopwatch.db'), COOPWATCH_ADMIN_TOKEN: admin });
    const post = (url: string, body: unknown) =>
      fetch(server.base + url, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${server.output()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    try {
      const cloud = await waitFor('a cloud region to come up', async () => {
        const res = await get(server.base, '/api/assets?kind=cloud_region', admin);
        return res.body.items.find((a: { status: string }) => a.status === 'up') as { id: number; key: string } | undefined;
      });
      // Tighten the seeded 10 s schedule so the test does not wait on it.
      const checks = (await get(server.base, `/api/checks?assetId=${cloud.id}`, admin)).body.items as Array<{ id: number }>;
      for (const check of checks) {
        const res = await fetch(`${server.base}/api/checks/${check.id}`, {
          method: 'PATCH', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ intervalSeconds: 1 }),
        });
        expect(res.status).toBe(200);
      }
      expect((await post(`/api/demo/assets/${cloud.key}/fault`, { mode: 'down' })).status).toBe(200);
      const incident = await waitFor('an incident for the failed region', async () => {
        const res = await get(server.base, '/api/incidents?state=open', admin);
        return res.body.items.find((i: { assetId: number }) => i.assetId === cloud.id) as { id: number } | undefined;
      });
      expect((await get(server.base, `/api/assets/${cloud.id}`, admin)).body.status).toBe('down');
      expect((await post(`/api/demo/assets/${cloud.key}/fault`, { mode: 'healthy' })).status).toBe(200);
      const resolved = await waitFor('the incident to resolve', async () => {
        const res = await get(server.base, `/api/incidents/${incident.id}`, admin);
        return res.body.state === 'resolved' ? res.body : undefined;
      });
      expect(resolved.ttrMs).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  }, 150_000);
});
