// Runs in Node before the workerd tests: a target for the checks and a webhook receiver, on
// 127.0.0.1, controlled over HTTP so the tests inside workerd can flip and read them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** What the receiver answered. */
  status: number;
}

export default async function setup(project: TestProject) {
  let failing = false;
  const received: Received[] = [];
  /** What each /hook… path answers (200 unless set by /control?hook=<path>&status=<code>). */
  const hookStatus = new Map<string, number>();
  /** Every probe of /probe/<key>: which check, when it arrived, and which vantage sent it (its user agent). */
  const probes: Array<{ key: string; at: number; ua: string }> = [];
  /** User agents /probe/… answers 503 (a target unreachable from one vantage only). */
  const failingFor = new Set<string>();
  /** Checks (by key) /probe/… answers 503 whoever asks. */
  const failingKeys = new Set<string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/target') return reply(failing ? 503 : 200, { ok: !failing });
      if (url.pathname.startsWith('/probe/')) {
        const ua = String(req.headers['user-agent'] ?? '');
        const key = url.pathname.slice('/probe/'.length);
        probes.push({ key, at: Date.now(), ua });
        return reply(failingFor.has(ua) || failingKeys.has(key) ? 503 : 200, {});
      }
      if (url.pathname === '/probes') {
        const since = Number(url.searchParams.get('since') ?? 0);
        return reply(200, probes.filter((p) => p.at >= since));
      }
      if (url.pathname === '/control' && req.method === 'POST' && url.searchParams.has('failKey')) {
        const key = url.searchParams.get('failKey')!;
        if (url.searchParams.get('on') === '1') failingKeys.add(key);
        else failingKeys.delete(key);
        return reply(200, { failingKeys: [...failingKeys] });
      }
      if (url.pathname === '/control' && req.method === 'POST' && url.searchParams.has('failFor')) {
        const ua = url.searchParams.get('failFor')!;
        if (url.searchParams.get('on') === '1') failingFor.add(ua);
        else failingFor.delete(ua);
        return reply(200, { failingFor: [...failingFor] });
      }
      if (url.pathname === '/control' && req.method === 'POST') {
        const hook = url.searchParams.get('hook');
        if (hook) {
          hookStatus.set(hook, Number(url.searchParams.get('status') ?? 200));
          return reply(200, { hook, status: hookStatus.get(hook) });
        }
        failing = url.searchParams.get('mode') === 'failing';
        if (url.searchParams.get('reset') === '1') received.length = 0;
        return reply(200, { failing });
      }
      if (url.pathname.startsWith('/hook') && req.method === 'POST') {
        const status = hookStatus.get(url.pathname) ?? 200;
        received.push({ path: url.pathname, headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body: Buffer.concat(chunks).toString('utf8'), status });
        return reply(status, { ok: status < 300 });
      }
      if (url.pathname === '/received') return reply(200, received);
      reply(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  project.provide('fixtureUrl', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
