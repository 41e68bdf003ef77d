// A stand-in for the coopwatch server as a probe agent sees it: the assignment and results routes
// of the vantage contract (ETag and 304, Bearer token, receipts that recognise a batch sent
// twice), on 127.0.0.1, recording what arrives. The real routes are tested in tests/api.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import type { AgentResult, BatchReceipt } from '../../src/core/monitor/vantage-intake.js';

export interface ReceivedBatch {
  batchId: string;
  sentAt: number;
  results: AgentResult[];
}

export interface AgentServer {
  url: string;
  /** Batches recorded, in arrival order (a batch sent again is not recorded twice). */
  readonly batches: ReceivedBatch[];
  /** Batch ids that arrived again after being recorded. */
  readonly duplicates: string[];
  readonly assignmentRequests: Array<{ ifNoneMatch: string | undefined; status: number }>;
  /** Answers 401 to everything (a revoked token). */
  refuse(on: boolean): void;
  /** Answers results with this status instead of a receipt (null: normal). */
  failResults(status: number | null): void;
  /** Records the next n batches but hangs up before answering (a lost answer). */
  loseAnswers(n: number): void;
  /** Stops listening and cuts open connections; restart() listens on the same port again. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface Assignment {
  vantage: string;
  graceSeconds: number;
  checks: Array<Record<string, unknown>>;
  assets: Array<Record<string, unknown>>;
}

export async function startAgentServer(name: string, token: string, assignment: Assignment): Promise<AgentServer> {
  const body = JSON.stringify(assignment);
  const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const assignmentBody = JSON.stringify({ ...assignment, version });
  const batches: ReceivedBatch[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  const assignmentRequests: AgentServer['assignmentRequests'] = [];
  let refusing = false;
  let resultsStatus: number | null = null;
  let answersToLose = 0;
  const sockets = new Set<net.Socket>();

  const send = (res: http.ServerResponse, status: number, value?: unknown, headers: Record<string, string> = {}) => {
    const text = value === undefined ? '' : JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  };
  const refusal = { error: { code: 'unauthorized', message: 'token revoked' } };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const authorised = !refusing && req.headers.authorization === `Bearer ${token}`;
    if (req.method === 'GET' && req.url === `/api/vantages/${name}/assignment`) {
      const ifNoneMatch = req.headers['if-none-match'];
      const status = !authorised ? 401 : ifNoneMatch === `"${version}"` ? 304 : 200;
      assignmentRequests.push({ ifNoneMatch, status });
      if (status === 401) return send(res, 401, refusal);
      if (status === 304) return send(res, 304, undefined, { etag: `"${version}"` });
      res.writeHead(200, { 'content-type': 'application/json', etag: `"${version}"` });
      return res.end(assignmentBody);
    }
    if (req.method === 'POST' && req.url === `/api/vantages/${name}/results`) {
      if (!authorised) return send(res, 401, refusal);
      if (resultsStatus !== null) return send(res, resultsStatus, { error: { code: 'unavailable', message: 'try later' } });
      const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedBatch;
      if (typeof batch.batchId !== 'string' || !Number.isInteger(batch.sentAt) || !Array.isArray(batch.results)) {
        return send(res, 422, { error: { code: 'invalid', message: 'batchId, sentAt, results' } });
      }
      const duplicate = seen.has(batch.batchId);
      if (duplicate) duplicates.push(batch.batchId);
      else {
        seen.add(batch.batchId);
        batches.push(batch);
      }
      if (answersToLose > 0) {
        answersToLose--;
        return req.socket.destroy();
      }
      const receipt: BatchReceipt = { batchId: batch.batchId, duplicate, accepted: duplicate ? 0 : batch.results.length, late: 0, ignored: 0 };
      return send(res, 200, receipt);
    }
    send(res, 404, { error: { code: 'not_found', message: `${req.method} ${req.url}` } });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    batches,
    duplicates,
    assignmentRequests,
    refuse: (on) => void (refusing = on),
    failResults: (status) => void (resultsStatus = status),
    loseAnswers: (n) => void (answersToLose = n),
    stop,
    restart: () => listen(port),
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
