// The targets, in a process of their own: a few plain node:http servers on 127.0.0.1 that answer
// every path with a small JSON body (`/t/{id}` answers 503 while id is set failing), and a webhook
// receiver that verifies Standard Webhooks signatures and notes when each delivery arrived.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { serveParent } from './common.js';

const HOST = '127.0.0.1';
const OK_BODY = '{"state":"nominal"}';
const FAIL_BODY = '{"state":"failing"}';
const failing = new Set<number>();
/** Requests answered on /t/ paths: the checks done, as the targets saw them. */
let served = 0;

function targetHandler(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = req.url ?? '/';
  let id = -1;
  if (url.startsWith('/t/')) {
    id = Number(url.slice(3));
    served++;
  }
  else if (url.startsWith('/__fail/') || url.startsWith('/__heal/')) {
    const ids = url.slice(8).split(',').map(Number);
    for (const i of ids) url.startsWith('/__fail/') ? failing.add(i) : failing.delete(i);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ at: Date.now() }));
    return;
  }
  const fail = id >= 0 && failing.size > 0 && failing.has(id);
  const body = fail ? FAIL_BODY : OK_BODY;
  res.writeHead(fail ? 503 : 200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

interface Delivery {
  at: number;
  type: string;
  assetKey: string | null;
  verified: boolean;
}

let secret: string | null = null;
let deliveries: Delivery[] = [];

function receiverHandler(req: http.IncomingMessage, res: http.ServerResponse) {
  const at = Date.now();
  if (req.url === '/__deliveries') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(deliveries));
    return;
  }
  if (req.url?.startsWith('/__secret/')) {
    secret = decodeURIComponent(req.url.slice(10));
    deliveries = [];
    res.writeHead(204);
    res.end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    let verified = false;
    let type = '';
    let assetKey: string | null = null;
    try {
      if (secret) {
        new Webhook(secret).verify(raw, {
          'webhook-id': String(req.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
        });
        verified = true;
      }
      const body = JSON.parse(raw);
      type = body.type ?? '';
      assetKey = body.data?.assetKey ?? null;
    } catch {
      verified = false;
    }
    deliveries.push({ at, type, assetKey, verified });
    res.writeHead(verified ? 204 : 401);
    res.end();
  });
}

const servers: http.Server[] = [];

serveParent(async (message) => {
  switch (message.type) {
    case 'start': {
      const ports: number[] = [];
      for (let i = 0; i < (message.count ?? 4); i++) {
        const server = http.createServer({ keepAliveTimeout: 30_000 }, targetHandler);
        server.keepAliveTimeout = 30_000;
        servers.push(server);
        ports.push(await listen(server));
      }
      const receiver = http.createServer(receiverHandler);
      servers.push(receiver);
      const receiverPort = await listen(receiver);
      return { ports, receiverPort };
    }
    case 'fail':
      for (const id of message.ids as number[]) failing.add(id);
      return { at: Date.now() };
    case 'heal':
      for (const id of message.ids as number[]) failing.delete(id);
      return { at: Date.now() };
    case 'secret':
      secret = message.secret;
      deliveries = [];
      return {};
    case 'deliveries':
      return { deliveries };
    case 'served':
      return { served };
    case 'cpu':
      return { cpu: process.cpuUsage() };
  }
});
