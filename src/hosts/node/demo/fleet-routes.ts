import type { IncomingMessage, ServerResponse } from 'node:http';
import { FAULT_MODES, type FaultMode } from '../../../core/domain/enums.js';
import type { FailoverAutomation } from './failover.js';
import type { DemoAsset } from './fleet.js';
import type { FleetState } from './fleet-state.js';
import { downBehaviour, healthLatencyMs, linkEchoMs, type Random } from './latency.js';
import { AGENT_USER_AGENT_PREFIX } from '../probes.js';

const MAX_CONTROL_BODY_BYTES = 16 * 1024;

/** The demo fleet's HTTP face: each asset's endpoints with simulated latency, and /control. */
export class FleetRoutes {
  /** Responses waiting out their simulated latency; cleared when the client goes away or on close. */
  private readonly delayed = new Set<NodeJS.Timeout>();

  constructor(
    private readonly state: FleetState,
    private readonly random: Random,
  ) {}

  async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let parts: string[];
    try {
      parts = new URL(req.url ?? '/', 'http://fleet').pathname.split('/').slice(1).map(decodeURIComponent);
    } catch {
      return sendJson(res, 400, { error: 'bad path' });
    }
    if (parts[0] === 'control') return this.routeControl(req, res, parts.slice(1));

    // Everything outside /control only reads.
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    const [section, key, action] = parts;
    const asset = parts.length === 3 ? this.state.assets.get(key!) : undefined;
    const automation = parts.length === 3 ? this.state.automations.get(key!) : undefined;
    if (section === 'assets' && asset && action === 'health') return this.serveAssetHealth(req, res, asset);
    if (section === 'assets' && asset?.kind === 'ground_station' && action === 'contact') return this.serveContact(req, res, asset);
    if (section === 'links' && asset?.kind === 'network_link' && action === 'echo') return this.serveLinkEcho(req, res, asset);
    if (section === 'functions' && automation && action === 'active') return sendJson(res, 200, automation.status());
    if (section === 'functions' && automation && action === 'health') return this.serveFunctionHealth(req, res, automation);
    sendJson(res, 404, { error: 'not found' });
  }

  /** Drops every response still waiting out its latency. */
  close(): void {
    for (const timer of this.delayed) clearTimeout(timer);
    this.delayed.clear();
  }

  private respondAfter(res: ServerResponse, ms: number, respond: () => void): void {
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      respond();
    }, Math.round(ms));
    this.delayed.add(timer);
    res.once('close', () => {
      clearTimeout(timer);
      this.delayed.delete(timer);
    });
  }

  /** The mode this request meets: a cut-off asset is down to the centre and healthy to its site's agents. */
  private modeFor(req: IncomingMessage, key: string): Exclude<FaultMode, 'cut-off'> {
    const mode = this.state.mode(key)!;
    if (mode !== 'cut-off') return mode;
    return req.headers['user-agent']?.startsWith(AGENT_USER_AGENT_PREFIX) ? 'healthy' : 'down';
  }

  private serveAssetHealth(req: IncomingMessage, res: ServerResponse, asset: DemoAsset): void {
    const mode = this.modeFor(req, asset.key);
    if (mode === 'down') {
      if (downBehaviour(asset.key, asset.kind) === 'reset') req.socket.destroy();
      else sendJson(res, 503, { asset: asset.key, state: 'down' });
      return;
    }
    const state = mode === 'healthy' ? 'nominal' : 'degraded';
    this.respondAfter(res, healthLatencyMs(asset.kind, asset.lat, mode, this.random), () => sendJson(res, 200, { asset: asset.key, state }));
  }

  private serveContact(req: IncomingMessage, res: ServerResponse, asset: DemoAsset): void {
    const mode = this.modeFor(req, asset.key);
    // FAILED as in AWS Ground Station's contact statuses.
    if (mode === 'down') return sendJson(res, 503, { contact: 'FAILED' });
    this.respondAfter(res, healthLatencyMs(asset.kind, asset.lat, mode, this.random), () => sendJson(res, 200, { contact: 'PASS' }));
  }

  private serveLinkEcho(req: IncomingMessage, res: ServerResponse, link: DemoAsset): void {
    const roundTripMs = linkEchoMs(link.sla, this.modeFor(req, link.key), this.random);
    // A lost probe gets no answer at all.
    if (roundTripMs === null) return void req.socket.destroy();
    this.respondAfter(res, roundTripMs, () => sendText(res, 200, 'pong'));
  }

  private serveFunctionHealth(req: IncomingMessage, res: ServerResponse, automation: FailoverAutomation): void {
    const { active } = automation.status();
    const mode = this.modeFor(req, active);
    if (mode === 'down') return sendJson(res, 503, { state: 'down', active });
    const asset = this.state.assets.get(active)!;
    this.respondAfter(res, healthLatencyMs(asset.kind, asset.lat, mode, this.random), () =>
      sendJson(res, 200, { state: 'nominal', servedBy: active }),
    );
  }

  private async serveSetFault(req: IncomingMessage, res: ServerResponse, key: string): Promise<void> {
    if (this.state.mode(key) === undefined) return sendJson(res, 404, { error: `unknown asset ${key}` });
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
    this.state.setFault(key, mode as FaultMode);
    sendJson(res, 200, { key, mode });
  }

  private async routeControl(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    const [first, key, verb] = parts;
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    if (parts.length === 1 && first === 'assets') {
      return isRead ? sendJson(res, 200, this.state.faults()) : methodNotAllowed(res, 'GET, HEAD');
    }
    if (parts.length === 1 && first === 'reset') {
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      this.state.reset();
      return sendJson(res, 200, this.state.faults());
    }
    if (parts.length === 3 && first === 'assets' && verb === 'fault') {
      return req.method === 'POST' ? this.serveSetFault(req, res, key!) : methodNotAllowed(res, 'POST');
    }
    sendJson(res, 404, { error: 'not found' });
  }
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

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
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
