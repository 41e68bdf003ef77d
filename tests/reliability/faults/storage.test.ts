// The disk fills up while the service runs under load (checks every second, an admin creating
// assets every 100 ms). The database lives on a small tmpfs, which a ballast file then fills
// (ENOSPC → SQLITE_FULL); the ballast is removed later. /healthz says so (503, database.writable
// false, the reason), the log says so once, reads keep being served, writes are refused with 503
// and never acknowledged, every write that was acknowledged is there afterwards, and the service
// takes writes again once space returns. Needs permission to mount (root with CAP_SYS_ADMIN, as
// on this machine); skipped where mounting is not allowed.
// A read-only filesystem is tested at start (the service stopped, the filesystem remounted
// read-only, the service started again): it serves a read-only copy and says so. Not covered: a
// database turning read-only while open. The kernel refuses to remount a filesystem read-only
// while the service holds the file open for writing, root ignores chmod, and in WAL mode a file
// moved away while open goes on taking writes. SQLITE_READONLY* errors take the same path as
// SQLITE_FULL (src/core/store/storage-health.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTargetServer } from '../../support/target-server.js';
import { tally } from '../tally.js';
import { api, integrityCheck, inventoryYaml, killAll, sleep, startService, waitFor, type Service } from './harness.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-storage-'));
const mountPoint = path.join(dir, 'small-disk');
fs.mkdirSync(mountPoint);
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  // not allowed here: the disk-full case is skipped
}

afterAll(async () => {
  await killAll();
  if (mounted) execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Load and bookkeeping around one service: assets created every 100 ms, reads, what was acknowledged. */
function workload(service: Service) {
  const call = api(service.base);
  const acknowledged: string[] = [];
  const refused: number[] = [];
  let readsOk = 0;
  let readsFailed = 0;
  let n = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const key = `load-${n++}`;
      // A sizeable description, so the database grows steadily.
      const res = await call('POST', '/api/assets', { key, kind: 'ground_station', name: key, description: 'x'.repeat(2_000) }).catch(() => null);
      if (res?.status === 201) acknowledged.push(key);
      else if (res) refused.push(res.status);
      const read = await call('GET', '/api/assets?limit=5').catch(() => null);
      if (read?.status === 200) readsOk++;
      else readsFailed++;
      await sleep(100);
    }
  })();
  return {
    acknowledged, refused,
    get readsOk() {
      return readsOk;
    },
    get readsFailed() {
      return readsFailed;
    },
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

const health = async (service: Service) => {
  const res = await fetch(`${service.base}/healthz`);
  return { status: res.status, body: (await res.json()) as { status: string; database: { writable: boolean; problem?: string } } };
};

async function expectAllPresent(service: Service, keys: string[]) {
  const present = new Set<string>();
  let cursor: string | null = null;
  do {
    const res = await api(service.base)('GET', `/api/assets?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    for (const a of res.body.items as Array<{ key: string }>) present.add(a.key);
    cursor = res.body.nextCursor;
  } while (cursor);
  expect(keys.filter((k) => !present.has(k))).toEqual([]);
}

describe('the database cannot be written', () => {
  it.skipIf(!mounted)('disk full: says so, keeps serving reads, loses nothing it acknowledged, and recovers when space returns', async () => {
    const target = await startTargetServer('healthy');
    const seed = path.join(dir, 'seed.yaml');
    fs.writeFileSync(seed, inventoryYaml(['a', 'b', 'c', 'd'].map((k) => ({ key: `gs-${k}`, url: `${target.url}/health` })), []));
    const file = path.join(mountPoint, 'coopwatch.db');
    const service = await startService({ COOPWATCH_DB: file, COOPWATCH_SEED: seed });
    expect((await health(service)).body.database.writable).toBe(true);
    const load = workload(service);
    await sleep(1_000);

    // Fill the disk.
    const ballast = path.join(mountPoint, 'ballast');
    const fd = fs.openSync(ballast, 'w');
    const chunk = Buffer.alloc(256 * 1024, 1);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    // Top it up now and then: the service cannot free space, but the last partial chunk may leave a few bytes.
    const full = await waitFor('/healthz to report the full disk', async () => {
      try {
        fs.writeSync(fd, Buffer.alloc(4096, 1));
      } catch {
        // full
      }
      const h = await health(service);
      return h.status === 503 && !h.body.database.writable ? h : undefined;
    }, 30_000, 200);
    fs.closeSync(fd);
    expect(full.body.status).toBe('degraded');
    expect(full.body.database.problem).toMatch(/disk full/);
    await waitFor('the log to say so', () => /the database cannot be written: disk full/.test(service.output()), 5_000);
    const readsBefore = load.readsOk;
    const refusedBefore = load.refused.length;
    await sleep(1_500);
    // Reads are served; writes are refused, with 503.
    expect(load.readsOk).toBeGreaterThan(readsBefore);
    expect(load.refused.length).toBeGreaterThan(refusedBefore);
    expect(new Set(load.refused)).toEqual(new Set([503]));

    // Space returns.
    fs.rmSync(ballast);
    await waitFor('/healthz to report the database writable again', async () => (await health(service)).status === 200, 30_000, 200);
    await waitFor('the log to say so', () => /the database takes writes again/.test(service.output()), 5_000);
    const acknowledgedBefore = load.acknowledged.length;
    await waitFor('writes acknowledged again', () => load.acknowledged.length > acknowledgedBefore, 10_000);
    await load.stop();
    expect(load.readsFailed).toBe(0);
    await expectAllPresent(service, load.acknowledged);
    expect(await service.stop()).toBe(0);
    expect(integrityCheck(file)).toBe('ok');
    tally('faults injected', 1, 'disk full');
    tally('disk faults', 1);
    tally('integrity checks passed', 1);
    await target.close();
  }, 120_000);

  it.skipIf(!mounted)('read-only filesystem at start: serves what was stored, says so, refuses writes with 503', async () => {
    const roMount = path.join(dir, 'read-only-disk');
    fs.mkdirSync(roMount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', roMount], { stdio: 'ignore' });
    try {
      const file = path.join(roMount, 'coopwatch.db');
      const first = await startService({ COOPWATCH_DB: file, COOPWATCH_SEED: 'none', COOPWATCH_MONITOR: '1' });
      const call = api(first.base);
      for (const key of ['gs-ro-1', 'gs-ro-2']) expect((await call('POST', '/api/assets', { key, kind: 'ground_station', name: key })).status).toBe(201);
      expect(await first.stop()).toBe(0);
      // A clean stop leaves one file: the WAL merged and removed with its -shm (the checkpoint
      // thread's connection closed first). A -shm left behind would let a read-only mount open "writable".
      expect(fs.readdirSync(roMount).filter((f) => f.startsWith('coopwatch.db'))).toEqual(['coopwatch.db']);

      execFileSync('mount', ['-o', 'remount,ro', roMount], { stdio: 'ignore' });
      const service = await startService({ COOPWATCH_DB: file, COOPWATCH_SEED: 'none' });
      const h = await health(service);
      expect(h.status).toBe(503);
      expect(h.body.database).toMatchObject({ writable: false, problem: expect.stringMatching(/read-only copy/) });
      expect(service.output()).toMatch(/Serving reads only/);
      const read = await api(service.base)('GET', '/api/assets');
      expect(read.status).toBe(200);
      expect(read.body.items.map((a: { key: string }) => a.key)).toEqual(['gs-ro-1', 'gs-ro-2']);
      const write = await api(service.base)('POST', '/api/assets', { key: 'gs-ro-3', kind: 'ground_station', name: 'x' });
      expect(write.status).toBe(503);
      expect(write.body.error.code).toBe('unavailable');
      expect(await service.stop()).toBe(0);
      tally('faults injected', 1, 'read-only filesystem');
      tally('disk faults', 1);
    } finally {
      execFileSync('umount', ['-l', roMount], { stdio: 'ignore' });
    }
  }, 60_000);
});
