// A real webhook receiver on 127.0.0.1 for the alert tests: it records every request (headers,
// raw body, arrival time), verifies Standard Webhooks signatures with the `standardwebhooks`
// package exactly as an integrator's endpoint would, and can be switched between behaviours:
//   'ok'           204 (401 when secrets are set and the signature does not verify)
//   'down'         the port refuses connections (the server is closed; it listens on the same port again later)
//   'status:<n>'   answers n, with extra headers if given (429 + Retry-After, 410, 302 + Location…)
//   'slow:<ms>'    answers 204 after a delay
// Plus a few helpers the webhook tests share (polling, a dispatcher loop, an app with webhook deps).
import http from 'node:http';
import type net from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createApp } from '../../src/http/app.js';
import type { WebhookDispatcher } from '../../src/core/outbox/dispatcher.js';
import { clientFor, type TestApp } from '../helpers.js';

export type ReceiverMode = 'ok' | 'down' | `status:${number}` | `slow:${number}`;

export interface ReceivedRequest {
  /** 1, 2, 3… in arrival order. */
  seq: number;
  method: string;
  /** Path and query as requested. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body exactly as received. */
  rawBody: string;
  /** Date.now() when the request (headers) arrived. */
  at: number;
  /** The mode that answered it. */
  mode: ReceiverMode;
  /** What the receiver answered (null if the client went away first). */
  answeredStatus: number | null;
  /** Verification against the secrets set when it arrived: null when none were set. */
  verified: boolean | null;
  verifyError: string | null;
  webhookId: string | undefined;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  /** `${url}${path}`. */
  urlFor(path: string): string;
  readonly mode: ReceiverMode;
  /** Switches behaviour; 'down' closes the port, any other mode re-opens it on the same port. */
  setMode(mode: ReceiverMode, options?: { headers?: Record<string, string>; body?: string }): Promise<void>;
  /** Secrets the receiver verifies against on arrival (any one matching is enough). */
  setSecrets(secrets: string[]): void;
  readonly requests: readonly ReceivedRequest[];
  /** Requests to one path (default: the hook path `/hook`). */
  requestsTo(path?: string): ReceivedRequest[];
  /** Requests that the receiver accepted (2xx), in arrival order. */
  accepted(path?: string): ReceivedRequest[];
  /** Verifies one recorded request with the `standardwebhooks` package (timestamp tolerance included). */
  verify(request: ReceivedRequest, secret: string): boolean;
  /** The parsed JSON body. */
  json(request: ReceivedRequest): any;
  waitForRequests(count: number, options?: { path?: string; acceptedOnly?: boolean; timeoutMs?: number }): Promise<ReceivedRequest[]>;
  clear(): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
export const HOOK_PATH = '/hook';

/** Verifies like a Standard Webhooks receiver: throws on a bad signature or a stale timestamp. */
export function verifyWithPackage(rawBody: string, headers: Record<string, string>, secret: string): void {
  new Webhook(secret).verify(rawBody, {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  });
}

function parseMode(mode: ReceiverMode): { kind: 'ok' | 'down' | 'status' | 'slow'; n: number } {
  if (mode === 'ok' || mode === 'down') return { kind: mode, n: 0 };
  const match = /^(status|slow):(\d+)$/.exec(mode);
  if (!match) throw new Error(`unknown receiver mode ${mode}`);
  return { kind: match[1] as 'status' | 'slow', n: Number(match[2]) };
}

export async function startWebhookReceiver(initialMode: ReceiverMode = 'ok'): Promise<WebhookReceiver> {
  let mode: ReceiverMode = 'ok';
  let extraHeaders: Record<string, string> = {};
  let answerBody = '';
  let secrets: string[] = [];
  let requests: ReceivedRequest[] = [];
  let seq = 0;
  let server: http.Server | null = null;
  let port = 0;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let verified: boolean | null = null;
      let verifyError: string | null = null;
      if (secrets.length) {
        verified = false;
        for (const secret of secrets) {
          try {
            verifyWithPackage(rawBody, headers, secret);
            verified = true;
            verifyError = null;
            break;
          } catch (err) {
            verifyError = err instanceof Error ? err.message : String(err);
          }
        }
      }
      const record: ReceivedRequest = {
        seq: ++seq, method: req.method ?? 'GET', path: req.url ?? '/', headers, rawBody, at, mode, answeredStatus: null, verified, verifyError,
        webhookId: headers['webhook-id'],
      };
      requests.push(record);
      const answer = (status: number, hdrs: Record<string, string> = {}, body = '') => {
        if (res.destroyed || res.writableEnded) return;
        record.answeredStatus = status;
        res.writeHead(status, { ...hdrs, 'content-length': String(Buffer.byteLength(body)) });
        res.end(body);
      };
      const { kind, n } = parseMode(record.mode);
      // The other path (where a redirect points) always says OK, so following it would show.
      if (record.path !== HOOK_PATH && record.path.startsWith('/elsewhere')) return answer(200, {}, 'followed');
      if (kind !== 'status' && verified === false) return answer(401, {}, 'bad signature');
      if (kind === 'ok') return answer(204);
      if (kind === 'status') return answer(n, extraHeaders, answerBody || `answered ${n}`);
      if (kind === 'slow') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer(204);
        }, n);
        timers.add(timer);
      }
    });
  };

  const listen = async () => {
    const s = http.createServer(handler);
    s.keepAliveTimeout = 2_000;
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, HOST, () => {
        s.off('error', reject);
        resolve();
      });
    });
    const address = s.address();
    if (typeof address !== 'object' || !address) throw new Error('receiver has no address');
    port = address.port;
    server = s;
  };

  const shutdown = async () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const s = server;
    server = null;
    if (!s) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  const url = `http://${HOST}:${port}`;

  const receiver: WebhookReceiver = {
    url,
    port,
    urlFor: (path) => `${url}${path}`,
    get mode() {
      return mode;
    },
    async setMode(next, options = {}) {
      parseMode(next);
      extraHeaders = options.headers ?? {};
      answerBody = options.body ?? '';
      mode = next;
      if (next === 'down') await shutdown();
      else if (!server) await listen();
    },
    setSecrets(list) {
      secrets = [...list];
    },
    get requests() {
      return requests;
    },
    requestsTo: (path = HOOK_PATH) => requests.filter((r) => r.path === path),
    accepted: (path = HOOK_PATH) => requests.filter((r) => r.path === path && r.answeredStatus !== null && r.answeredStatus >= 200 && r.answeredStatus < 300),
    verify(request, secret) {
      try {
        verifyWithPackage(request.rawBody, request.headers, secret);
        return true;
      } catch {
        return false;
      }
    },
    json: (request) => JSON.parse(request.rawBody),
    async waitForRequests(count, options = {}) {
      const path = options.path ?? HOOK_PATH;
      const list = () => (options.acceptedOnly ? receiver.accepted(path) : receiver.requestsTo(path));
      await waitFor(`${count} ${options.acceptedOnly ? 'accepted ' : ''}requests to ${path}`, () => list().length >= count, options.timeoutMs ?? 8_000, () => list().length);
      return list();
    },
    clear() {
      requests = [];
    },
    async close() {
      mode = 'down';
      await shutdown();
    },
  };
  if (initialMode !== 'ok') await receiver.setMode(initialMode);
  return receiver;
}

// ---- shared helpers for the webhook tests ------------------------------------------------------

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns something truthy; fails with the last value seen at the deadline. */
export async function waitFor<T>(what: string, probe: () => Promise<T> | T, timeoutMs = 8_000, describe?: () => unknown): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(describe ? describe() : value)}`);
    await sleep(25);
  }
}

export interface DispatcherLoop {
  /** Runs a pass now (as the runtime's wake does). */
  wake(): void;
  readonly wakes: number;
  readonly errors: unknown[];
  /** Stops after the pass in progress. */
  stop(): Promise<void>;
}

/** Drives a dispatcher the way the Node runtime's outbox does: fan out, then deliver, every few ms. */
export function runDispatcher(dispatcher: WebhookDispatcher, intervalMs = 40): DispatcherLoop {
  let stopped = false;
  let wakes = 0;
  const errors: unknown[] = [];
  let kick: (() => void) | null = null;
  const loop = (async () => {
    while (!stopped) {
      try {
        await dispatcher.fanOut();
        await dispatcher.deliverDue();
      } catch (err) {
        errors.push(err);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        kick = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      kick = null;
    }
  })();
  return {
    wake() {
      wakes++;
      kick?.();
    },
    get wakes() {
      return wakes;
    },
    errors,
    async stop() {
      stopped = true;
      kick?.();
      await loop;
    },
  };
}

/** The test app rebuilt with webhook deps (allowPrivate, wake) and an Alertmanager label; same DB and tokens. */
export function withWebhookDeps(t: TestApp, deps: { allowPrivate: boolean; wake?: () => void; alertmanagerLabel?: string }): TestApp {
  const app = createApp({
    database: () => t.sqlite.db,
    webhooks: { allowPrivate: deps.allowPrivate, wake: deps.wake ?? (() => {}) },
    ...(deps.alertmanagerLabel ? { alertmanagerLabel: deps.alertmanagerLabel } : {}),
  });
  return { ...t, app, call: clientFor(app, t.tokens) };
}

/** Asserts the status and returns the body. */
export async function ok<T = any>(res: Promise<{ status: number; body: any; text: string }>, status = 200): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
  return r.body as T;
}
