// The contract every probe follows: `run(target, ctx) → Observation`. Probes are pure apart from
// what ctx gives them, so the same probe runs on Node (undici, node:net/tls/dns) and on Workers
// (fetch, cloudflare:sockets). A probe never throws for a failed target: it reports `down`.

export type ObservedStatus = 'up' | 'degraded' | 'down';

export interface Observation {
  status: ObservedStatus;
  /** Time the probe took, or the figure it measured (connect time, mean RTT), in ms. */
  latencyMs: number | null;
  /** Why it is not up, in words a watch officer understands; null when up. */
  message: string | null;
  /** Kind-specific figures: jitterMs and lossPct for links, daysToExpiry for TLS, … */
  metrics?: Record<string, number>;
}

export interface HttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Follow up to this many redirects; 0 reports the 3xx as it is. */
  maxRedirects: number;
  /** Stop reading the body after this many bytes (the rest is discarded). */
  maxBodyBytes: number;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** At most maxBodyBytes of the body, decoded as UTF-8. */
  body: string;
  bodyTruncated: boolean;
}

export interface TlsCertificateInfo {
  validTo: number;
  validFrom: number;
  subject: string;
  issuer: string;
  /** Whether the chain verified and the name matched; the reason when it did not. */
  authorized: boolean;
  authorizationError: string | null;
}

export interface DnsQuery {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'NS';
  /** host or host:port of a resolver; the system resolver when absent. */
  resolver?: string;
  signal: AbortSignal;
}

/** The I/O a probe may use, supplied by the runtime. */
export interface ProbeContext {
  now(): number;
  /** Monotonic milliseconds, for measuring durations. */
  monotonic(): number;
  /** Aborts when the check's timeout expires. */
  signal: AbortSignal;
  http(request: HttpRequest): Promise<HttpResponse>;
  /** Opens a TCP connection and closes it; resolves with the connect time in ms. */
  tcpConnect(host: string, port: number, signal: AbortSignal): Promise<number>;
  /** `caPem`: the CA certificates to trust instead of the runtime's roots. */
  tlsCertificate(host: string, port: number, servername: string, signal: AbortSignal, caPem?: string): Promise<TlsCertificateInfo>;
  dnsResolve(query: DnsQuery): Promise<string[]>;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}
