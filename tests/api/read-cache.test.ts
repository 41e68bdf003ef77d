// The cache behind hot public reads: reused while nothing changed, recomputed after any write —
// this process's at once, another process's (a second connection) within a quarter second.
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedRead } from '../../src/core/services/read-models/read-cache.js';
import { createTestApp, ok, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

describe('cachedRead', () => {
  it('reuses an answer until this process writes, then recomputes at once', async () => {
    let computed = 0;
    const read = () => cachedRead(t.sqlite.db, 'k1', 1_000_000, async () => ++computed);
    expect(await read()).toBe(1);
    expect(await read()).toBe(1);
    await ok(t.call('POST', '/api/assets', { body: { key: 'gs-cache-1', kind: 'ground_station', name: 'x' } }), 201);
    expect(await read()).toBe(2);
    expect(await read()).toBe(2);
  });

  it('sees a write by another connection within a quarter second', async () => {
    let computed = 0;
    const read = () => cachedRead(t.sqlite.db, 'k2', 1_000_000, async () => ++computed);
    expect(await read()).toBe(1);
    const other = new Database(path.join(t.dir, 'coopwatch.db'));
    other.prepare("update assets set name = 'changed elsewhere' where key = 'gs-cache-1'").run();
    other.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await read()).toBe(2);
  });

  it('does not reuse an answer into the next second', async () => {
    let computed = 0;
    expect(await cachedRead(t.sqlite.db, 'k3', 2_000_000, async () => ++computed)).toBe(1);
    expect(await cachedRead(t.sqlite.db, 'k3', 2_000_999, async () => ++computed)).toBe(1);
    expect(await cachedRead(t.sqlite.db, 'k3', 2_001_000, async () => ++computed)).toBe(2);
  });
});
