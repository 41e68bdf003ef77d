// What the tests with real coopwatch processes share: a temporary folder for their databases
// (every process killed and the folder removed after the file's tests), an HTTP target whose
// paths fail one by one, and an asset on the owner with a check on that target.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { killAll, type api } from '../reliability/faults/harness.js';

export function instancesDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(async () => {
    await killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** An HTTP target whose paths fail one by one. */
export async function startTarget() {
  const failing = new Set<string>();
  const server = http.createServer((req, res) => res.writeHead(failing.has(req.url ?? '') ? 503 : 200).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { base, fail: (p: string) => failing.add(p), heal: (p: string) => failing.delete(p), close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A ground station (firmware `fw-<key>`, which must never cross) with a 1 s HTTP check on `<target>/<key>`; answers its id. */
export async function assetWithCheck(call: ReturnType<typeof api>, target: string, key: string, marking: unknown): Promise<number> {
  const made = await call('POST', '/api/assets', { key, kind: 'ground_station', name: `Station ${key}`, marking, firmware: `fw-${key}` });
  expect(made.status).toBe(201);
  const check = await call('POST', '/api/checks', { key: `${key}-http`, assetId: made.body.id, kind: 'http', intervalSeconds: 1, timeoutMs: 500, failureThreshold: 1, successThreshold: 1, http: { url: `${target}/${key}` } });
  expect(check.status).toBe(201);
  return made.body.id as number;
}
