// The read-path server, in a process of its own: the real app on a database of 10,000 assets (one
// HTTP check each, recent results, states, five mission functions, a public status page) served by
// @hono/node-server, and beside it a bare Hono route on the same server stack: the ceiling.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/http/app.js';
import { functionCreateSchema } from '../../src/core/domain/inventory.js';
import { SYSTEM_ACTOR } from '../../src/core/domain/roles.js';
import { createFunction } from '../../src/core/services/functions.js';
import { createStatusPage, statusPageInputSchema } from '../../src/core/services/status-pages.js';
import { mintToken } from '../../src/core/services/tokens.js';
import { latestSlot } from '../../src/core/monitor/phase.js';
import { rawClient, seedFleet, serveParent, tempDatabase } from './common.js';

async function start(message: { assets: number; components: number; tmp: string }) {
  const handle = tempDatabase(message.tmp, 'read');
  const client = rawClient(handle);
  const now = Date.now();
  const { assetIds, checkIds } = seedFleet(client, { assets: message.assets, checkUrl: (id) => `http://127.0.0.1:9/t/${id}`, intervalSeconds: 60 });
  const statuses = ['up', 'up', 'up', 'up', 'up', 'up', 'degraded', 'down'];
  client.transaction(() => {
    const state = client.prepare('insert into asset_states (asset_id, status, since, reason) values (?, ?, ?, ?)');
    const checkState = client.prepare('insert into check_states (check_id, status, since, message) values (?, ?, ?, null)');
    const result = client.prepare('insert into check_results (check_id, ts, status, latency_ms) values (?, ?, ?, ?)');
    const latest = client.prepare('insert into check_latest (slot, check_id, ts, latency_ms) values (?, ?, ?, ?)');
    assetIds.forEach((id, i) => {
      const status = statuses[i % statuses.length]!;
      state.run(id, status, now - (i % 1000) * 60_000, status === 'up' ? null : `bench-check-${i}: status 503, expected 2xx`);
      checkState.run(checkIds[i]!, status, now - (i % 1000) * 60_000);
      for (let k = 0; k < 3; k++) result.run(checkIds[i]!, now - k * 60_000 - (i % 60) * 1000, status === 'down' ? 2 : 0, 20 + (i % 80));
      latest.run(latestSlot(checkIds[i]!), checkIds[i]!, now - (i % 60) * 1000, 20 + (i % 80)); // the newest, as the monitor keeps it beside the results
    });
  })();
  const ctx = { db: handle.db, actor: SYSTEM_ACTOR, now: Date.now };
  for (let f = 0; f < 5; f++) {
    const members = (offset: number) => Array.from({ length: 4 }, (_, j) => ({ assetId: assetIds[(f * 97 + offset + j * 13) % assetIds.length]! }));
    await createFunction(ctx, functionCreateSchema.parse({
      key: `bench-function-${f}`, name: `Bench function ${f}`, tier: (['PMEF', 'MEF', 'supporting'] as const)[f % 3], rtoSeconds: 600, mtdSeconds: 3600,
      groups: [{ name: 'primary', k: 2, members: members(0) }, { name: 'backhaul', k: 1, members: members(500) }],
    }));
  }
  await createStatusPage(ctx, statusPageInputSchema.parse({
    slug: 'public', title: 'Bench status',
    components: assetIds.slice(0, message.components).map((assetId, i) => ({ assetId, name: `Component ${i}`, group: `Group ${i % 10}` })),
  }));
  const viewer = (await mintToken(ctx, { name: 'bench-viewer', role: 'viewer' })).secret;

  const app = createApp({ database: () => handle.db });
  const bare = new Hono();
  bare.get('/bare', (c) => c.json({ status: 'ok' }));
  const listen = (fetch: (req: Request) => Response | Promise<Response>) =>
    new Promise<number>((resolve) => {
      const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
      void server;
    });
  const appPort = await listen(app.fetch);
  // A second ceiling: a bare route answering with the summary's exact bytes and headers, so the
  // app's own cost per request shows apart from the cost of what any server must write.
  const summary = await fetch(`http://127.0.0.1:${appPort}/status/public/summary.json`, { headers: { 'accept-encoding': 'gzip' } });
  await summary.arrayBuffer();
  const summaryBody = new Uint8Array(await rawBody(appPort));
  const summaryHeaders = Object.fromEntries([...summary.headers].filter(([name]) => name !== 'content-length' && name !== 'date' && name !== 'connection' && name !== 'keep-alive'));
  bare.get('/same-bytes', () => new Response(summaryBody, { headers: summaryHeaders }));
  const barePort = await listen(bare.fetch);

  // A watch officer's session, as a browser would get it.
  const login = await fetch(`http://127.0.0.1:${appPort}/login`, {
    method: 'POST', body: new URLSearchParams({ token: viewer }), redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  if (!cookie) throw new Error(`login failed: ${login.status}`);
  return { appPort, barePort, token: viewer, cookie };
}

/** The summary's gzipped body as sent (fetch would decode it). */
function rawBody(port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/status/public/summary.json', headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}

serveParent(async (message) => {
  if (message.type === 'start') return start(message);
  if (message.type === 'cpu') return { cpu: process.cpuUsage() };
});
