/**
 * The demo fleet simulator: one HTTP server on 127.0.0.1 that plays the endpoints of every
 * seeded asset with realistic latency, plus a control API that fails, degrades or restores
 * any asset. coopwatch's checks probe it; live drills inject faults through /control.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FailoverAutomation, type FailoverRule } from './failover.js';
import { FAULT_MODES } from '../../../core/domain/enums.js';
import { downBehaviour, healthLatencyMs, linkEchoMs, type FaultMode, type LinkSla, type Random } from './latency.js';

export type { FaultMode, FailoverRule, LinkSla };

export interface DemoAsset {
  key: string;
  kind: string;
  lat?: number | null;
  lon?: number | null;
  /** A network link's SLA (round-trip latency, jitter, loss). */
  sla?: LinkSla;
}

export interface PushHeartbeat {
  assetKey: string;
  /** Where to POST the heartbeat, e.g. coopwatch's /api/push/{pushToken}. */
  url: string;
  intervalMs: number;
}

export interface DemoFleetOptions {
  /** 0 or omitted: an ephemeral port. */
  port?: number;
  assets: DemoAsset[];
  failover?: FailoverRule[];
  push?: PushHeartbeat[];
  random?: Random;
}

export interface DemoFleet {
  url: string;
  port: number;
  setFault(assetKey: string, mode: FaultMode): void;
  faults(): Record<string, FaultMode>;
  close(): Promise<void>;
}

const MAX_CONTROL_BODY_BYTES = 16 * 1024;
const PUSH_TIMEOUT_MS = 10_000;

export async function startDemoFleet(options: DemoFleetOptions): Promise<DemoFleet> {
  const random = options.random ?? Math.random;
  const assets = new Map<string, DemoAsset>();
  for (const asset of options.assets) {
    if (assets.has(asset.key)) throw new Error(`demo fleet: duplicate asset key ${asset.key}`);
    assets.set(asset.key, asset);
  }
  const requireAsset = (key: string, where: string): void => {
    if (!assets.has(key)) throw new Error(`demo fleet: ${where} names unknown asset ${key}`);
  };
  const modes = new Map<string, FaultMode>([...assets.keys()].map((key) => [key, 'healthy']));

  const automations = new Map<string, FailoverAutomation>();
  for (const rule of options.failover ?? []) {
    requireAsset(rule.primaryAssetKey, `failover rule ${rule.functionKey}`);
    requireAsset(rule.alternateAssetKey, `failover rule ${rule.functionKey}`);
    automations.set(rule.functionKey, new FailoverAutomation(rule));
  }
  for (const push of options.push ?? []) requireAsset(push.assetKey, 'push heartbeat');

  function setFault(assetKey: string, mode: FaultMode): void {
    const previous = modes.get(assetKey);
    if (previous === undefined) throw new Error(`demo fleet: unknown asset ${assetKey}`);
    if (!FAULT_MODES.includes(mode)) throw new Error(`demo fleet: unknown fault mode ${String(mode)}`);
    modes.set(assetKey, mode);
    for (const automation of automations.values()) automation.onFaultChange(assetKey, previous, mode);
  }
  const faults = (): Record<string, FaultMode> => Object.fromEntries(modes);

  // Responses waiting out their simulated latency; cleared when the client goes away or on close.
  const delayed = new Set<NodeJS.Timeout>();
  function respondAfter(res: ServerResponse, ms: number, respond: () => void): void {
    const timer = setTimeout(() => {
      delayed.delete(timer);
      respond();
    }, Math.round(ms));
    delayed.add(timer);
    res.once('close', () => {
      clearTimeout(timer);
      delayed.delete(timer);
    });
  }

  function serveAssetHealth(req: IncomingMessage, res: ServerResponse, asset: DemoAsset): void {
    const mode = modes.get(asset.key)!;
    if (mode === 'down') {
      if (downBehaviour(asset.key, asset.kind) === 'reset') req.socket.destroy();
      else sendJson(res, 503, { asset: asset.key, state: 'down' });
      return;
    }
    const state = mode === 'healthy' ? 'nominal' : 'degraded';
    respondAfter(res, healthLatencyMs(asset.kind, asset.lat, mode, random), () => sendJson(res, 200, { asset: asset.key, state }));
  }

  function serveContact(res: ServerResponse, asset: DemoAsset): void {
    const mode = modes.get(asset.key)!;
    // FAILED as in AWS Ground Station's contact statuses.
    if (mode === 'down') return sendJson(res, 503, { contact: 'FAILED' });
    respondAfter(res, healthLatencyMs(asset.kind, asset.lat, mode, random), () => sendJson(res, 200, { contact: 'PASS' }));
  }

  function serveLinkEcho(req: IncomingMessage, res: ServerResponse, link: DemoAsset): void {
    const roundTripMs = linkEchoMs(link.sla, modes.get(link.key)!, random);
    // A lost probe gets no answer at all.
    if (roundTripMs === null) return void req.socket.destroy();
    respondAfter(res, roundTripMs, () => sendText(res, 200, 'pong'));
  }

  function serveFunctionHealth(res: ServerResponse, automation: FailoverAutomation): void {
    const { active } = automation.status();
    const mode = modes.get(active)!;
    if (mode === 'down') return sendJson(res, 503, { state: 'down', active });
    const asset = assets.get(active)!;
    respondAfter(res, healthLatencyMs(asset.kind, asset.lat, mode, random), () =>
      sendJson(res, 200, { state: 'nominal', servedBy: active }),
    );
  }

  async function serveSetFault(req: IncomingMessage, res: ServerResponse, key: string): Promise<void> {
    if (!modes.has(key)) return sendJson(res, 404, { error: `unknown asset ${key}` });
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, MAX_CONTROL_BODY_BYTES));
    } catch (error) {
      const tooLarge = error instanceof BodyTooLargeError;
      return sendJson(res, tooLarge ? 413 : 400, { error: tooLarge ? 'body too large' : 'body must be JSON' });
    }
    const mode = (body as { mode?: unknown } | null)?.mode;
    if (typeof mode !== 'string' || !FAULT_MODES.includes(mode as FaultMode)) {
      return sendJson(res, 400, { error: `mode must be one of ${FAULT_MODES.join(', ')}` });
    }
    setFault(key, mode as FaultMode);
    sendJson(res, 200, { key, mode });
  }

  async function routeControl(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    const [first, key, verb] = parts;
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    if (parts.length === 1 && first === 'assets') {
      return isRead ? sendJson(res, 200, faults()) : methodNotAllowed(res, 'GET, HEAD');
    }
    if (parts.length === 1 && first === 'reset') {
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      for (const assetKey of modes.keys()) setFault(assetKey, 'healthy');
      return sendJson(res, 200, faults());
    }
    if (parts.length === 3 && first === 'assets' && verb === 'fault') {
      return req.method === 'POST' ? serveSetFault(req, res, key!) : methodNotAllowed(res, 'POST');
    }
    sendJson(res, 404, { error: 'not found' });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let parts: string[];
    try {
      parts = new URL(req.url ?? '/', 'http://fleet').pathname.split('/').slice(1).map(decodeURIComponent);
    } catch {
      return sendJson(res, 400, { error: 'bad path' });
    }
    if (parts[0] === 'control') return routeControl(req, res, parts.slice(1));

    // Everything outside /control only reads.
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    const [section, key, action] = parts;
    const asset = parts.length === 3 ? assets.get(key!) : undefined;
    const automation = parts.length === 3 ? automations.get(key!) : undefined;
    if (section === 'assets' && asset && action === 'health') return serveAssetHealth(req, res, asset);
    if (section === 'assets' && asset?.kind === 'ground_station' && action === 'contact') return serveContact(res, asset);
    if (section === 'links' && asset?.kind === 'network_link' && action === 'echo') return serveLinkEcho(req, res, asset);
    if (section === 'functions' && automation && action === 'active') return sendJson(res, 200, automation.status());
    if (section === 'functions' && automation && action === 'health') return serveFunctionHealth(res, automation);
    sendJson(res, 404, { error: 'not found' });
  }

  const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const inFlightPushes = new Set<AbortController>();
  async function sendHeartbeat(push: PushHeartbeat): Promise<void> {
    const mode = modes.get(push.assetKey);
    if (mode === 'down') return;
    const controller = new AbortController();
    inFlightPushes.add(controller);
    try {
      const response = await fetch(push.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: mode === 'degraded' ? 'degraded' : 'up' }),
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(PUSH_TIMEOUT_MS)]),
      });
      await response.arrayBuffer();
    } catch {
      // coopwatch may not be listening yet; the next beat tries again.
    } finally {
      inFlightPushes.delete(controller);
    }
  }
  const pushTimers = (options.push ?? []).map((push) => setInterval(() => void sendHeartbeat(push), push.intervalMs));

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      pushTimers.forEach(clearInterval);
      for (const controller of inFlightPushes) controller.abort();
      for (const automation of automations.values()) automation.stop();
      for (const timer of delayed) clearTimeout(timer);
      delayed.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  }

  return { url: `http://127.0.0.1:${port}`, port, setFault, faults, close };
}

class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, 'application/json', JSON.stringify(body), headers);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendJson(res, 405, { error: 'method not allowed' }, { allow });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain', text);
}

function send(res: ServerResponse, status: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
