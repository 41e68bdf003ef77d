import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqlite, type SqliteHandle } from '../../src/hosts/node/sqlite.js';

const handles: SqliteHandle[] = [];
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
});

function open(checkpointThread: boolean) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-wal-'));
  const file = path.join(dir, 'coopwatch.db');
  const handle = openSqlite(file, { checkpointThread });
  handles.push(handle);
  const client = (handle.db as unknown as { $client: Database.Database }).$client;
  client.exec('create table filler (id integer primary key, body blob)');
  const insert = client.prepare('insert into filler (body) values (?)');
  /** Commits `mb` megabytes in 256 KB transactions 40 ms apart, as a busy monitor would (it commits every 100 ms). */
  const write = async (mb: number) => {
    for (let i = 0; i < mb * 4; i++) {
      client.transaction(() => {
        for (let j = 0; j < 64; j++) insert.run(Buffer.alloc(4096, i));
      })();
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  };
  const walBytes = () => fs.statSync(`${file}-wal`).size;
  return { handle, client, write, walBytes };
}

describe('WAL checkpoints on their own thread', () => {
  it('keep the WAL small while commits never checkpoint; without them it grows with every commit', async () => {
    const threaded = open(true);
    // Commits checkpoint only as a safety valve, far beyond SQLite's 1,000 pages.
    expect(threaded.client.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(10_000);
    // The WAL file keeps the size it reached before the first pass: on a busy machine the thread can
    // take seconds to load, and the writes start once it has run.
    await vi.waitFor(() => expect(threaded.handle.checkpointer?.last).not.toBeNull(), { timeout: 15_000 });
    await threaded.write(24);
    await vi.waitFor(() => expect(threaded.handle.checkpointer?.last?.checkpointed).toBeGreaterThan(0));
    // The WAL is reused from its start once the thread has copied it: it stays far below what was written.
    expect(threaded.walBytes()).toBeLessThan(10 * 1024 * 1024);

    // The same writes with automatic checkpoints off and no thread: every frame stays in the WAL.
    const bare = open(false);
    bare.client.pragma('wal_autocheckpoint = 0');
    await bare.write(24);
    expect(bare.walBytes()).toBeGreaterThan(24 * 1024 * 1024);
  });

  it('hands checkpoints back to SQLite if the thread stops', async () => {
    const { handle, client } = open(true);
    expect(handle.checkpointer?.running).toBe(true);
    await handle.checkpointer!.stop();
    expect(handle.checkpointer?.running).toBe(false);
    expect(client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
