// The probe agent's disk buffer, on a real directory: order, whole files, the bound, pickup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool } from '../../src/hosts/node/probe-agent/spool.js';

let dir: string;
const files = () => fs.readdirSync(dir).sort();
const batch = (id: string, results: number) => JSON.stringify({ batchId: id, results: Array.from({ length: results }, (_, i) => ({ checkId: 1, at: i })) });

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-spool-test-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the probe agent spool', () => {
  it('keeps batches in the order they were sealed, in files whose names sort that way', async () => {
    const spool = await Spool.open({ dir, maxResults: 1_000 });
    // Appended without waiting: the writes still land in call order.
    await Promise.all(Array.from({ length: 12 }, (_, i) => spool.append(batch(`b${i}`, i + 1), i + 1)));

    expect(spool.batches).toBe(12);
    expect(spool.results).toBe(78);
    expect(files()).toHaveLength(12);
    expect(files().map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).batchId)).toEqual(Array.from({ length: 12 }, (_, i) => `b${i}`));

    const oldest = spool.oldest()!;
    expect(await spool.read(oldest)).toBe(batch('b0', 1));
    await spool.remove(oldest);
    expect(JSON.parse(await spool.read(spool.oldest()!)).batchId).toBe('b1');
    expect(files()).toHaveLength(11);
    expect(spool.results).toBe(77);
  });

  it('writes each batch whole: no temporary file remains, and one a crash left behind is removed on open', async () => {
    const spool = await Spool.open({ dir, maxResults: 1_000 });
    await spool.append(batch('whole', 3), 3);
    expect(files()).toEqual([expect.stringMatching(/^\d{12}-3\.batch\.json$/)]);

    fs.writeFileSync(path.join(dir, '000000000001-5.batch.json.tmp'), '{"batchId":"cut sh');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'an operator’s file');
    const reopened = await Spool.open({ dir, maxResults: 1_000 });
    expect(files()).toEqual([expect.stringMatching(/^000000000000-3\.batch\.json$/), 'notes.txt']);
    expect(reopened.results).toBe(3);
  });

  it('drops the oldest batches past the bound and says how many results went', async () => {
    const drops: number[] = [];
    const spool = await Spool.open({ dir, maxResults: 10, onDrop: (n) => drops.push(n) });
    await spool.append(batch('a', 4), 4);
    await spool.append(batch('b', 4), 4);
    await spool.append(batch('c', 4), 4);

    expect(drops).toEqual([4]);
    expect(spool.results).toBe(8);
    expect(JSON.parse(await spool.read(spool.oldest()!)).batchId).toBe('b');
    expect(files()).toHaveLength(2);
  });

  it('never drops the batch being uploaded', async () => {
    const drops: number[] = [];
    const spool = await Spool.open({ dir, maxResults: 10, onDrop: (n) => drops.push(n) });
    await spool.append(batch('a', 4), 4);
    await spool.append(batch('b', 4), 4);
    const sending = spool.oldest()!;
    spool.claim(sending);
    await spool.append(batch('c', 4), 4);

    expect(drops).toEqual([4]);
    expect(spool.oldest()).toBe(sending);
    const left = files().map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).batchId);
    expect(left).toEqual(['a', 'c']);
  });

  it('picks up an earlier run’s batches first, numbers new ones after them, and holds them to the bound', async () => {
    const earlier = await Spool.open({ dir, maxResults: 1_000 });
    for (const id of ['e0', 'e1', 'e2']) await earlier.append(batch(id, 5), 5);

    const drops: number[] = [];
    const spool = await Spool.open({ dir, maxResults: 12, onDrop: (n) => drops.push(n) });
    expect(drops).toEqual([5]);
    expect(spool.results).toBe(10);
    await spool.append(batch('n0', 2), 2);

    const order: string[] = [];
    for (let entry = spool.oldest(); entry; entry = spool.oldest()) {
      order.push(JSON.parse(await spool.read(entry)).batchId);
      await spool.remove(entry);
    }
    expect(order).toEqual(['e1', 'e2', 'n0']);
    expect(files()).toEqual([]);
  });

  it('sets a batch the server will never take aside, where a restart does not pick it up', async () => {
    const spool = await Spool.open({ dir, maxResults: 1_000 });
    await spool.append(batch('bad', 2), 2);
    const kept = await spool.setAside(spool.oldest()!);

    expect(spool.results).toBe(0);
    expect(files()).toEqual([kept]);
    const reopened = await Spool.open({ dir, maxResults: 1_000 });
    expect(reopened.results).toBe(0);
    await reopened.append(batch('next', 2), 2);
    expect(reopened.oldest()!.file.slice(0, 12)).not.toBe(kept.slice(0, 12)); // nor its number: setting that aside would overwrite it
    expect(JSON.parse(await reopened.read(reopened.oldest()!)).batchId).toBe('next');
  });
});
