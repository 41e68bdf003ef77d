// The Node implementation of the probes' I/O: undici for HTTP, node:net, node:tls, node:dns.
// One runtime (one keep-alive connection pool) serves every run; a context per run is a small
// object holding that run's signal. Every operation rejects as soon as the signal aborts.
import { Resolver } from 'node:dns/promises';
import { setMaxListeners } from 'node:events';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import tls from 'node:tls';
import { Agent } from 'undici';
import { abortReason, exchange } from './http-exchange.js';
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

  // Runs launched together share a signal (the scheduler's launchEveryMs), each adding a listener,
  // and so share one context. Copying `io` for each run cost about 2.2 µs in place (scratch
  // micro-benchmark of the whole runCheck chain: 2.5 against 0.35 µs; README, Benchmarks).
  let last: ProbeContext | null = null;
  return {
    context: (signal) => {
      if (signal !== last?.signal) {
        setMaxListeners(0, signal);
        last = { ...io, signal };
      }
      return last;
    },
    close: () => agent.close(),
  };
}

let defaultRuntime: NodeProbeRuntime | undefined;

/** A context on the process-wide default runtime. */
export function createNodeProbeContext(signal: AbortSignal): ProbeContext {
  defaultRuntime ??= createNodeProbeRuntime();
  return defaultRuntime.context(signal);
}

// ---- HTTP ------------------------------------------------------------------------------------

async function httpRequest(agent: Agent, userAgent: string, req: HttpRequest): Promise<HttpResponse> {
  const { maxRedirects, maxBodyBytes, signal } = req;
  let current: OutgoingRequest = { url: req.url, method: req.method.toUpperCase(), headers: withUserAgent(userAgent, req.headers), body: req.body };
  for (let redirects = 0; ; redirects++) {
    let after: OutgoingRequest | null = null;
    const from = current;
    const response = await exchange(agent, {
      url: from.url,
      method: from.method,
      headers: from.headers,
      body: from.body,
      maxBodyBytes,
      signal,
      // A redirect's body is not read: a slow one would keep the socket busy past the probe.
      wantsBody:
        redirects < maxRedirects
          ? (status, headers) => (after = redirectedRequest(from, status, headers['location'])) === null
          : undefined,
    });
    if (!after) return response;
    current = after;
  }
}

function withUserAgent(userAgent: string, headers: Record<string, string>): Record<string, string> {
  for (const name in headers) if (name.toLowerCase() === 'user-agent') return headers;
  return { 'user-agent': userAgent, ...headers };
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
