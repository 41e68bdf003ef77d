// Real loopback targets for probe tests: an HTTP server you flip between behaviours, a TLS
// server with a certificate expiring when you say, a silent TCP server, and a refused port.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { generate } from 'selfsigned';

export const TARGET_MODES = ['healthy', 'slow', 'failing', 'degraded-body', 'black-hole', 'reset', 'huge-body', 'slow-drip', 'redirect'] as const;
export type TargetMode = (typeof TARGET_MODES)[number];

export interface TargetModeOptions {
  /** 'slow': delay before answering; a list is used in turn, one entry per request. Default 500. */
  delayMs?: number | number[];
  /** 'huge-body': how many bytes to stream. Default 64 MiB. */
  hugeBodyBytes?: number;
  /** 'redirect': how many 302 hops before /elsewhere. Default 1. */
  redirectHops?: number;
}

export interface TargetServer {
  url: string;
  port: number;
  host: '127.0.0.1';
  mode: TargetMode;
  setMode(mode: TargetMode, options?: TargetModeOptions): void;
  /** Requests received since start (or since resetCounters). */
  readonly requests: number;
  /** TCP connections accepted since start (or since resetCounters): shows keep-alive reuse. */
  readonly connections: number;
  /** Body bytes written to sockets since start: shows whether a client stopped reading. */
  readonly bodyBytesSent: number;
  resetCounters(): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1' as const;
const DRIP_INTERVAL_MS = 500;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * An HTTP target on 127.0.0.1. Paths: any path answers per the mode, except that /elsewhere
 * (where redirects end) is always healthy.
 */
export async function startTargetServer(initialMode: TargetMode = 'healthy', initialOptions: TargetModeOptions = {}): Promise<TargetServer> {
  let mode: TargetMode = initialMode;
  let options: TargetModeOptions = initialOptions;
  let requests = 0;
  let connections = 0;
  let bodyBytesSent = 0;
  let slowIndex = 0;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  };
  const write = (res: http.ServerResponse, chunk: Buffer | string) => {
    bodyBytesSent += Buffer.byteLength(chunk);
    return res.write(chunk);
  };
  const sendJson = (res: http.ServerResponse, status: number, value: unknown) => {
    const body = JSON.stringify(value);
    bodyBytesSent += Buffer.byteLength(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    requests++;
    const path = new URL(req.url ?? '/', 'http://target').pathname;
    if (path === '/elsewhere') return sendJson(res, 200, { state: 'nominal', redirected: true });

    switch (mode) {
      case 'healthy':
        return sendJson(res, 200, { state: 'nominal' });
      case 'slow': {
        const delays = options.delayMs ?? 500;
        const delayMs = Array.isArray(delays) ? (delays[slowIndex++ % delays.length] ?? 0) : delays;
        later(delayMs, () => {
          if (!res.destroyed) sendJson(res, 200, { state: 'nominal' });
        });
        return;
      }
      case 'failing':
        return sendJson(res, 503, { state: 'failing' });
      case 'degraded-body':
        return sendJson(res, 200, { state: 'degraded' });
      case 'black-hole':
        return; // the request stays open and unanswered until the client gives up
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'huge-body':
        return streamHugeBody(res, options.hugeBodyBytes ?? 64 * 1024 * 1024);
      case 'slow-drip': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const drip = () => {
          if (res.destroyed) return;
          write(res, 'x');
          later(DRIP_INTERVAL_MS, drip);
        };
        drip();
        return;
      }
      case 'redirect': {
        const hops = options.redirectHops ?? 1;
        const hop = Number(/^\/hop\/(\d+)$/.exec(path)?.[1] ?? 0);
        const next = hop + 1 < hops ? `/hop/${hop + 1}` : '/elsewhere';
        res.writeHead(302, { location: next, 'content-length': 0 });
        res.end();
        return;
      }
    }
  });

  function streamHugeBody(res: http.ServerResponse, total: number) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
    let left = total;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= chunk.length;
        if (!write(res, chunk)) return void res.once('drain', pump);
      }
      if (left === 0) res.end();
    };
    pump();
  }

  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // clients hang up mid-body on purpose
  });
  await listen(server);
  const port = (server.address() as net.AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/`,
    port,
    host: HOST,
    get mode() {
      return mode;
    },
    setMode(next, nextOptions = {}) {
      mode = next;
      options = nextOptions;
      slowIndex = 0;
    },
    get requests() {
      return requests;
    },
    get connections() {
      return connections;
    },
    get bodyBytesSent() {
      return bodyBytesSent;
    },
    resetCounters() {
      requests = 0;
      connections = 0;
      bodyBytesSent = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TlsTargetOptions {
  /** Days from now until the certificate expires; negative for one that has already expired. Default 90. */
  daysValid?: number;
  /** Names the certificate is valid for (DNS names or IP addresses). Default localhost and 127.0.0.1. */
  altNames?: string[];
}

export interface TlsTargetServer {
  host: '127.0.0.1';
  port: number;
  /** The test CA that signed the certificate (PEM): trust it to see the certificate as valid. */
  caCertificate: string;
  validTo: Date;
  close(): Promise<void>;
}

interface TestCa {
  key: string;
  cert: string;
}
let testCa: Promise<TestCa> | undefined;

/** One CA per test process; its certificates chain to it, so a client that trusts it can verify them. */
export function testCertificateAuthority(): Promise<TestCa> {
  testCa ??= generate([{ name: 'commonName', value: 'coopwatch test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 400 * 86_400_000),
    notAfterDate: new Date(Date.now() + 3650 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return testCa;
}

/** A TLS server on 127.0.0.1 presenting a CA-signed certificate that expires in `daysValid` days. */
export async function startTlsTargetServer(options: TlsTargetOptions = {}): Promise<TlsTargetServer> {
  const daysValid = options.daysValid ?? 90;
  const altNames = options.altNames ?? ['localhost', HOST];
  const ca = await testCertificateAuthority();
  const validTo = new Date(Date.now() + daysValid * 86_400_000);
  const validFrom = new Date(Math.min(Date.now(), validTo.getTime()) - 30 * 86_400_000);
  const leaf = await generate([{ name: 'commonName', value: altNames[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: validFrom,
    notAfterDate: validTo,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: altNames.map((name) => (net.isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })) },
    ],
  });

  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: leaf.private, cert: leaf.cert }, (socket) => {
    socket.on('error', () => {});
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {});
  await listen(server);
  return {
    host: HOST,
    port: (server.address() as net.AddressInfo).port,
    caCertificate: ca.cert,
    validTo,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface SilentTcpServer {
  host: '127.0.0.1';
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Accepts TCP connections and never says a word: a black hole for TLS handshakes and raw probes. */
export async function startSilentTcpServer(): Promise<SilentTcpServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(server);
  return {
    host: HOST,
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on, so connecting to it is refused. */
/**
 * A port on 127.0.0.1 that refuses connections. Chosen below Linux's ephemeral range
 * (32768–60999): a freed ephemeral port can be handed to another test's server, and a connect
 * to one can even land on itself (TCP self-connect), either of which would answer.
 */
export async function refusedPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, HOST, () => resolve(true));
    });
    if (!free) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }
}

function listen(server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
