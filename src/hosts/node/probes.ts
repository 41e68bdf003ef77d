// The Node implementation of the probes' I/O: undici for HTTP, node:net, node:tls, node:dns.
// One runtime (one keep-alive connection pool) serves every run; a context per run is a small
// object holding that run's signal. Every operation rejects as soon as the signal aborts.
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import tls from 'node:tls';
import { Agent, request } from 'undici';
import { describeErrorCode } from '../../../checks/failure.js';
import { redirectedRequest, type OutgoingRequest } from '../../../checks/redirect.js';
import type { DnsQuery, HttpRequest, HttpResponse, ProbeContext, TlsCertificateInfo } from '../../../checks/types.js';

export interface NodeProbeRuntimeOptions {
  /** Keep-alive connections per origin; further requests queue (and the check timeout still holds). */
  connectionsPerOrigin?: number;
  /** Idle keep-alive sockets close after this long. */
  keepAliveTimeoutMs?: number;
  /** Extra trusted CA certificates (PEM), added to Node's root store for HTTPS and TLS checks. */
  extraCaCertificates?: string[];
  /** Sent unless the check sets its own user-agent. */
  userAgent?: string;
}

/** The user agent a probe agent's requests carry: a target (the demo fleet) can tell them apart. */
export const AGENT_USER_AGENT_PREFIX = 'coopwatch-probe/';
export function agentUserAgent(vantage: string): string {
  return AGENT_USER_AGENT_PREFIX + vantage;
}

export interface NodeProbeRuntime {
  /** A context for one run; cheap enough to make thousands of times a second. */
  context(signal: AbortSignal): ProbeContext;
  /** Closes the pooled connections. */
  close(): Promise<void>;
}

type ProbeIo = Omit<ProbeContext, 'signal'>;

export function createNodeProbeRuntime(options: NodeProbeRuntimeOptions = {}): NodeProbeRuntime {
  const ca = options.extraCaCertificates?.length ? [...tls.rootCertificates, ...options.extraCaCertificates] : undefined;
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 64,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    // The check's signal is the timeout; undici's own (300 s) would only hide a stuck target.
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(ca ? { connect: { ca } } : {}),
  });
  const userAgent = options.userAgent ?? 'coopwatch';

  const io: ProbeIo = {
    now: Date.now,
    monotonic: () => performance.now(),
    http: (req) => httpRequest(agent, userAgent, req),
    tcpConnect,
    tlsCertificate: (host, port, servername, signal, caPem) => tlsCertificate(host, port, servername, signal, caPem ?? ca),
    dnsResolve,
    sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => Promise.reject(abortReason(signal))),
  };

  return {
    context: (signal) => ({ ...io, signal }),
    close: () => agent.close(),
  };
}

let defaultRuntime: NodeProbeRuntime | undefined;

/** A context on the process-wide default runtime. */
export function createNodeProbeContext(signal: AbortSignal): ProbeContext {
  defaultRuntime ??= createNodeProbeRuntime();
  return defaultRuntime.context(signal);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

// ---- HTTP ------------------------------------------------------------------------------------

async function httpRequest(agent: Agent, userAgent: string, req: HttpRequest): Promise<HttpResponse> {
  const { signal } = req;
  if (signal.aborted) throw abortReason(signal);
  let next: OutgoingRequest = { url: req.url, method: req.method.toUpperCase(), headers: { 'user-agent': userAgent, ...req.headers }, body: req.body };

  for (let redirects = 0; ; redirects++) {
    const { url, method, headers, body } = next;
    const response = await request(url, { dispatcher: agent, method: method as 'GET', headers, body, signal });
    const after = redirects < req.maxRedirects ? redirectedRequest(next, response.statusCode, headerValue(response.headers['location'])) : null;
    if (after) {
      // Not dumped: a redirect with a slow body would keep the socket busy past the probe.
      discard(response.body);
      next = after;
      continue;
    }
    const { text, truncated } = await readBody(response.body, headerValue(response.headers['content-length']), req.maxBodyBytes);
    return { status: response.statusCode, headers: lowerCaseHeaders(response.headers), body: text, bodyTruncated: truncated };
  }
}

type BodyStream = AsyncIterable<Buffer> & { destroy(): void; on(event: 'error', listener: () => void): unknown; arrayBuffer(): Promise<ArrayBuffer> };

/**
 * A body whose declared length fits the cap is read whole in one go (undici's own consumer: no
 * async iterator, no chunk list); anything else is read chunk by chunk up to the cap.
 */
async function readBody(stream: BodyStream, contentLength: string | undefined, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const declared = contentLength === undefined ? NaN : Number(contentLength);
  if (maxBytes > 0 && declared >= 0 && declared <= maxBytes) {
    const bytes = await stream.arrayBuffer();
    if (bytes.byteLength <= maxBytes) return { text: Buffer.from(bytes).toString('utf8'), truncated: false };
    return { text: Buffer.from(bytes, 0, maxBytes).toString('utf8'), truncated: true };
  }
  return readCapped(stream, maxBytes);
}

/** Destroys an unread body; undici then reports an abort error that nobody needs to hear. */
function discard(stream: BodyStream): void {
  stream.on('error', () => {});
  stream.destroy();
}

/** Reads at most maxBytes, then destroys the stream (closing that connection) rather than drain it. */
async function readCapped(stream: BodyStream, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  if (maxBytes === 0) {
    // Peek for a single byte to know whether there was a body at all.
    for await (const chunk of stream) {
      if (chunk.length > 0) {
        truncated = true;
        break;
      }
    }
  } else {
    for await (const chunk of stream) {
      if (kept + chunk.length > maxBytes) {
        chunks.push(chunk.subarray(0, maxBytes - kept));
        kept = maxBytes;
        truncated = true;
        break; // leaving a for-await destroys the stream
      }
      chunks.push(chunk);
      kept += chunk.length;
    }
  }
  discard(stream);
  return { text: Buffer.concat(chunks, kept).toString('utf8'), truncated };
}

function lowerCaseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// ---- TCP and TLS -----------------------------------------------------------------------------

function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const started = performance.now();
    const socket = net.connect({ host, port });
    const finish = (settle: () => void) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      settle();
    };
    const onAbort = () => finish(() => reject(abortReason(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      const connectMs = performance.now() - started;
      finish(() => resolve(connectMs));
    });
    socket.once('error', (error) => finish(() => reject(error)));
  });
}

/** `ca`: the trusted CA certificates, instead of Node's roots (a check's own caPem, or the runtime's roots plus its extra ones). */
function tlsCertificate(host: string, port: number, servername: string, signal: AbortSignal, ca: string | string[] | undefined): Promise<TlsCertificateInfo> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const socket = tls.connect({
      host,
      port,
      // SNI may not carry an IP address (RFC 6066); the identity check below still uses it.
      ...(net.isIP(servername) ? {} : { servername }),
      rejectUnauthorized: false,
      ...(ca ? { ca } : {}),
    });
    const finish = (settle: () => void) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      settle();
    };
    const onAbort = () => finish(() => reject(abortReason(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      if (!certificate || !certificate.valid_to) {
        finish(() => reject(new Error('the target presented no certificate')));
        return;
      }
      // Node folds a host-name mismatch into authorizationError as a bare code; checking the
      // identity ourselves gives the message naming the host and the certificate's names.
      const identityError = tls.checkServerIdentity(servername, certificate) ?? null;
      const chainCode = socket.authorized ? null : authorizationCode(socket.authorizationError);
      const chainError = chainCode && chainCode !== 'ERR_TLS_CERT_ALTNAME_INVALID' ? (describeErrorCode(chainCode) ?? chainCode) : null;
      const info: TlsCertificateInfo = {
        validFrom: Date.parse(certificate.valid_from),
        validTo: Date.parse(certificate.valid_to),
        subject: distinguishedName(certificate.subject),
        issuer: distinguishedName(certificate.issuer),
        authorized: !chainCode && !identityError,
        authorizationError: chainError ?? identityError?.message ?? (chainCode ? (describeErrorCode(chainCode) ?? chainCode) : null),
      };
      finish(() => resolve(info));
    });
    socket.once('error', (error) => finish(() => reject(error)));
  });
}

function authorizationCode(error: Error | string | null | undefined): string {
  // Node documents `authorizationError` as an Error but sets an OpenSSL code string.
  if (typeof error === 'string') return error;
  return (error as { code?: string } | null | undefined)?.code ?? error?.message ?? 'certificate verification failed';
}

function distinguishedName(fields: tls.Certificate | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(', ');
}

// ---- DNS -------------------------------------------------------------------------------------

async function dnsResolve(query: DnsQuery): Promise<string[]> {
  const { signal } = query;
  if (signal.aborted) throw abortReason(signal);
  // One Resolver per query: cancel() cancels everything on a resolver, so they cannot be shared.
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  if (query.resolver) resolver.setServers([query.resolver]);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      resolver.cancel();
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([resolveRecords(resolver, query.name, query.type), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

async function resolveRecords(resolver: Resolver, name: string, type: DnsQuery['type']): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    case 'NS':
      return resolver.resolveNs(name);
    case 'MX':
      return (await resolver.resolveMx(name)).map((record) => record.exchange);
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  }
}
