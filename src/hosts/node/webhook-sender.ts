// The Node transport for webhook deliveries: undici with a connector whose DNS lookup refuses
// addresses the destination policy refuses (so a name resolving to 169.254.169.254, or rebinding
// to a private address after the URL was checked, never gets a connection), a literal-IP check
// before connecting, no redirects followed (a 3xx is returned as it is), a per-attempt timeout,
// and a response body read only up to a small cap, then dropped.
import dns from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { performance } from 'node:perf_hooks';
import { Agent, buildConnector } from 'undici';
import { exchange } from './http-exchange.js';
import type { Send, SendResult } from '../../core/outbox/dispatcher.js';
import {
  assertResolvedAddressAllowed,
  checkDestinationUrl,
  DestinationRefusedError,
  isIpLiteral,
  refusalReason,
  classifyAddress,
  type DestinationPolicy,
} from '../../core/outbox/destination.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface WebhookSenderOptions {
  /** Allow loopback and private destinations (COOPWATCH_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** The whole attempt: connect, send, response headers and the capped body. */
  timeoutMs: number;
  /** How much of the response body is kept as a snippet. Default 2048 bytes. */
  maxResponseBytes?: number;
  /** Default "coopwatch-webhooks". */
  userAgent?: string;
  /** Host name resolution; defaults to node:dns lookup (getaddrinfo). Tests replace it. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

type SendRequest = Parameters<Send>[0];

/** The dispatcher's Send port (core/outbox), with a signal to cancel the attempt. */
export interface WebhookRequest extends SendRequest {
  /** Cancels the attempt (e.g. on shutdown); the timeout applies as well. */
  signal?: AbortSignal;
}

/**
 * What the dispatcher reads (headers named in lower case, repeated values joined with ", ";
 * latency from sending the request to the end of the capped body), and whether the body was cut.
 */
export interface WebhookResponse extends SendResult {
  /** The body was longer than maxResponseBytes; bodySnippet holds that much, decoded as UTF-8. */
  bodyTruncated: boolean;
}

export type WebhookSendErrorKind = 'destination_refused' | 'timeout' | 'aborted' | 'network';

/** Why an attempt got no HTTP response; `kind` tells a refused destination from a network fault. */
export class WebhookSendError extends Error {
  constructor(message: string, readonly kind: WebhookSendErrorKind, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookSendError';
  }
}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

function defaultResolve(hostname: string): Promise<ResolvedAddress[]> {
  return new Promise((resolve, reject) => {
    dns.lookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net/tls.connect that only ever yields addresses the policy allows. */
function guardedLookup(policy: DestinationPolicy, resolve: (hostname: string) => Promise<ResolvedAddress[]>) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions | number, callback: LookupCallback): void => {
    const opts = typeof options === 'number' ? { family: options } : options;
    resolve(hostname).then(
      (addresses) => {
        const wanted = addresses.filter((a) => !opts.family || opts.family === a.family);
        const allowed: ResolvedAddress[] = [];
        let refusal: unknown = null;
        for (const a of wanted) {
          try {
            assertResolvedAddressAllowed(a.address, policy);
            allowed.push(a);
          } catch (err) {
            refusal ??= err;
          }
        }
        if (!allowed.length) {
          const err = (refusal ?? Object.assign(new Error(`${hostname} resolved to no usable address`), { code: 'ENOTFOUND' })) as NodeJS.ErrnoException;
          if (refusal instanceof DestinationRefusedError) err.message = `${hostname}: ${err.message}`;
          callback(err, opts.all ? [] : '', undefined);
          return;
        }
        if (opts.all) callback(null, allowed.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, opts.all ? [] : '', undefined),
    );
  };
}

function findRefusal(err: unknown): DestinationRefusedError | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DestinationRefusedError) return e;
  }
  return null;
}

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const policy: DestinationPolicy = { allowPrivate: options.allowPrivate };
  const maxResponseBytes = options.maxResponseBytes ?? 2048;
  const userAgent = options.userAgent ?? 'coopwatch-webhooks';
  const baseConnect = buildConnector({
    timeout: options.timeoutMs,
    lookup: guardedLookup(policy, options.resolve ?? defaultResolve),
  } as buildConnector.BuildOptions);
  const agent = new Agent({
    // A literal IP never goes through lookup: check it here, before any socket is opened.
    connect: (connectOptions, callback) => {
      const host = connectOptions.hostname.replace(/^\[(.*)\]$/, '$1');
      if (isIpLiteral(host)) {
        const reason = refusalReason(classifyAddress(host), policy);
        if (reason) {
          callback(new DestinationRefusedError(`webhook destination ${host} refused: ${reason}`, classifyAddress(host)), null);
          return;
        }
      }
      baseConnect(connectOptions, callback);
    },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 4_000,
  });

  async function send(req: WebhookRequest): Promise<WebhookResponse> {
    const check = checkDestinationUrl(req.url, policy);
    if (!check.ok) throw new WebhookSendError(`webhook destination refused: ${check.reason}`, 'destination_refused');
    if (req.signal?.aborted) throw new WebhookSendError('delivery attempt aborted', 'aborted', { cause: req.signal.reason });

    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = { 'user-agent': userAgent, ...req.headers };
    const started = performance.now();
    try {
      const response = await exchange(agent, { url: req.url, method: 'POST', headers, body: req.body, maxBodyBytes: maxResponseBytes, signal });
      return {
        status: response.status,
        headers: response.headers,
        bodySnippet: response.body,
        bodyTruncated: response.bodyTruncated,
        latencyMs: Math.round(performance.now() - started),
      };
    } catch (err) {
      const refusal = findRefusal(err);
      if (refusal) throw new WebhookSendError(refusal.message, 'destination_refused', { cause: err });
      if (req.signal?.aborted) throw new WebhookSendError('delivery attempt aborted', 'aborted', { cause: err });
      if (timeout.aborted) throw new WebhookSendError(`timed out after ${options.timeoutMs} ms`, 'timeout', { cause: err });
      throw new WebhookSendError(describeNetworkError(err), 'network', { cause: err });
    }
  }

  return { send, close: () => agent.close() };
}
