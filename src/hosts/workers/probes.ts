/// <reference types="@cloudflare/workers-types" />
// The Workers implementation of the probes' I/O: fetch for HTTP, cloudflare:sockets for TCP.
// Raw DNS (UDP) and TLS certificate inspection have no Workers API; those check kinds are
// refused when configured on this runtime (UNSUPPORTED_ON_WORKERS), and fail clearly if one
// was stored before.
import { connect } from 'cloudflare:sockets';
import { redirectedRequest, type OutgoingRequest } from '../../../checks/redirect.js';
import type { HttpRequest, HttpResponse, ProbeContext } from '../../../checks/types.js';
import type { CheckKind } from '../../core/domain/enums.js';

/** Check kinds Workers cannot run, with the reason given to whoever configures one. */
export const UNSUPPORTED_ON_WORKERS: Partial<Record<CheckKind, string>> = {
  dns: 'DNS checks need raw UDP queries, which Workers cannot send; on Workers use an http check against a DNS-over-HTTPS resolver',
  tls: 'TLS checks read the peer certificate, which Workers sockets do not expose; run them on the Node runtime',
};

/** `userAgent`: how HTTP probes name themselves (a region's shards name their vantage). */
export function createWorkerProbeContext(signal: AbortSignal, userAgent = 'coopwatch'): ProbeContext {
  return {
    signal,
    now: Date.now,
    monotonic: () => performance.now(),
    http: (req) => httpRequest(req, userAgent),
    tcpConnect,
    tlsCertificate: () => Promise.reject(new Error(UNSUPPORTED_ON_WORKERS.tls)),
    dnsResolve: () => Promise.reject(new Error(UNSUPPORTED_ON_WORKERS.dns)),
    sleep: (ms, sleepSignal) =>
      new Promise<void>((resolve, reject) => {
        if (sleepSignal.aborted) return reject(sleepSignal.reason);
        const timer = setTimeout(() => {
          sleepSignal.removeEventListener('abort', onAbort);
          resolve();
        }, ms);
        const onAbort = () => {
          clearTimeout(timer);
          reject(sleepSignal.reason);
        };
        sleepSignal.addEventListener('abort', onAbort, { once: true });
      }),
  };
}

async function httpRequest(req: HttpRequest, userAgent: string): Promise<HttpResponse> {
  let next: OutgoingRequest = { url: req.url, method: req.method.toUpperCase(), headers: { 'user-agent': userAgent, ...req.headers }, body: req.body };
  for (let redirects = 0; ; redirects++) {
    const { url, method, headers, body } = next;
    const response = await fetch(url, { method, headers, body, redirect: 'manual', signal: req.signal });
    const after = redirects < req.maxRedirects ? redirectedRequest(next, response.status, response.headers.get('location')) : null;
    if (after) {
      await response.body?.cancel();
      next = after;
      continue;
    }
    const { text, truncated } = await readCapped(response, req.maxBodyBytes);
    return { status: response.status, headers: Object.fromEntries(response.headers), body: text, bodyTruncated: truncated };
  }
}

/** Reads at most maxBytes of the body, then cancels the rest. */
async function readCapped(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (kept + value.byteLength > maxBytes) {
      if (maxBytes > kept) chunks.push(value.subarray(0, maxBytes - kept));
      kept = maxBytes;
      truncated = value.byteLength > 0;
      break;
    }
    chunks.push(value);
    kept += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  const joined = new Uint8Array(kept);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { text: new TextDecoder().decode(joined), truncated };
}

async function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<number> {
  signal.throwIfAborted();
  const started = performance.now();
  const socket = connect({ hostname: host, port });
  const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  try {
    await Promise.race([socket.opened, aborted]);
    return performance.now() - started;
  } finally {
    socket.close().catch(() => undefined);
  }
}
