// Hostile requests over real keep-alive sockets: what a refused request does to the connection
// it came on. A client that meets a reset on its next request has lost that request as surely
// as if the server had answered 5xx, so a connection error counts as a failure here.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tally } from '../tally.js';
import { ADMIN, killAll, startService, type Service } from '../faults/harness.js';
import { apiOperations } from './harness.js';

const LIMIT = 64 * 1024;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-connections-'));
let service: Service;
let agent: http.Agent;

interface Answer { status: number | null; connection: string | undefined; error: string | null }

/** One request on the shared single-socket keep-alive agent; a socket error is an answer, not a throw. */
function send(method: string, url: string, body?: string | Buffer, options: { chunked?: boolean; contentType?: string } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` };
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    if (body !== undefined && !options.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = http.request({ host: '127.0.0.1', port: service.port, method, path: url, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? null, connection: res.headers.connection, error: null }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ status: res.statusCode ?? null, connection: res.headers.connection, error: e.code ?? e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: null, connection: undefined, error: e.code ?? e.message }));
    if (body === undefined) req.end();
    else if (options.chunked) {
      // in pieces, without a length: the server only learns the size as it reads
      const data = Buffer.from(body);
      for (let at = 0; at < data.length; at += 16 * 1024) req.write(data.subarray(at, at + 16 * 1024));
      req.end();
    } else req.end(body);
  });
}

beforeAll(async () => {
  service = await startService({ COOPWATCH_DB: path.join(dir, 'coopwatch.db'), COOPWATCH_MAX_BODY_BYTES: String(LIMIT), COOPWATCH_MONITOR: '0' });
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
}, 60_000);
afterAll(async () => {
  agent?.destroy();
  await killAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('refused bodies on a keep-alive connection', () => {
  it('answers an oversized PATCH with 413 and the next two requests on the same agent still succeed (issue 17)', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
    const refused = await send('PATCH', '/api/assets/1', big);
    expect(refused).toMatchObject({ status: 413, error: null });
    // the connection the body was cut off on is not offered for reuse
    expect(refused.connection).toBe('close');
    expect(await send('GET', '/api/assets')).toMatchObject({ status: 200, error: null });
    expect(await send('GET', '/api/assets')).toMatchObject({ status: 200, error: null });
  });

  it('keeps every client connection whole through hostile bodies on every route that takes one', async () => {
    const ops = (await apiOperations({ request: (url: string) => fetch(`${service.base}${url}`) })).filter((o) => o.body);
    const oversized = 'x'.repeat(LIMIT * 4);
    const hostile: Array<{ body: string; chunked?: boolean; contentType?: string }> = [
      { body: oversized },
      { body: oversized, chunked: true },
      { body: '{"truncated": ' },
      { body: 'key=value', contentType: 'application/x-www-form-urlencoded' },
      { body: '' },
    ];
    let errors = 0;
    let serverErrors = 0;
    let cases = 0;
    const problems: string[] = [];
    for (const op of ops) {
      const url = op.path.replace(/\{(\w+)\}/g, '1');
      for (const h of hostile) {
        // a ShakeMap upload has a limit of its own, far above the API's: its oversized case is its own test's
        if (op.path.endsWith('/shakemap') && h.body === oversized) continue;
        for (const [method, target, body] of [[op.method, url, h.body], ['GET', '/healthz', undefined]] as const) {
          const answer = await send(method, target, body, h);
          cases++;
          if (answer.error) {
            errors++;
            problems.push(`${method} ${target} after ${op.method} ${op.path} (${h.body.length} bytes${h.chunked ? ', chunked' : ''}): ${answer.error}`);
          } else if ((answer.status ?? 500) >= 500) {
            serverErrors++;
            problems.push(`${method} ${target}: ${answer.status}`);
          }
        }
      }
    }
    tally('fuzz cases', cases, 'hostile bodies over keep-alive sockets');
    tally('client connection errors', errors, 'hostile bodies over keep-alive sockets');
    tally('5xx seen', serverErrors, 'hostile bodies over keep-alive sockets');
    expect(problems).toEqual([]);
    expect(cases).toBeGreaterThan(100);
  }, 120_000);
});
