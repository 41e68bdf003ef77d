// The agent's one connection pool to the coopwatch server, and how its answers are read.
import { Agent, request } from 'undici';
import { parseRetryAfter } from '../../../core/outbox/dispatcher.js';

export interface ServerAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * What to do after an answer. `retry`: the link or the server is down for now (network error,
 * 408, 429, 5xx): back off. `refused`: the token is not accepted (401/403). `unusable`: the
 * server answers but cannot serve this (404, 501, …): wait long. `rejected`: this request's
 * body is wrong (400/413/422) and will stay wrong.
 */
export type FailureKind = 'retry' | 'refused' | 'unusable' | 'rejected';

export interface Failure {
  kind: FailureKind;
  message: string;
  /** What the server asked for in Retry-After, in ms. */
  retryAfterMs: number | null;
}

export interface ServerLink {
  get(path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<ServerAnswer>;
  post(path: string, body: string, signal?: AbortSignal): Promise<ServerAnswer>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;
/** A hung server is given this long to answer, then the request fails and is retried. */
const ANSWER_TIMEOUT_MS = 30_000;

export function createServerLink(server: string, token: string): ServerLink {
  const dispatcher = new Agent({
    connections: 4,
    keepAliveTimeout: 30_000,
    connect: { timeout: CONNECT_TIMEOUT_MS },
    headersTimeout: ANSWER_TIMEOUT_MS,
    bodyTimeout: ANSWER_TIMEOUT_MS,
  });
  const authorization = `Bearer ${token}`;
  const send = async (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined) => {
    const response = await request(server + path, { dispatcher, method, headers: { authorization, ...headers }, body, signal });
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  };
  return {
    get: (path, headers, signal) => send('GET', path, headers, undefined, signal),
    post: (path, body, signal) => send('POST', path, { 'content-type': 'application/json' }, body, signal),
    close: () => dispatcher.destroy(),
  };
}

/** Why a request did not succeed, from its answer (or the error it threw). */
export function describeFailure(outcome: ServerAnswer | unknown): Failure {
  if (!isAnswer(outcome)) return { kind: 'retry', message: networkMessage(outcome), retryAfterMs: null };
  const { status } = outcome;
  const message = `HTTP ${status}${serverMessage(outcome.text)}`;
  const kind: FailureKind =
    status === 401 || status === 403 ? 'refused'
    : status === 408 || status === 429 || status >= 500 && status !== 501 ? 'retry'
    : status === 400 || status === 413 || status === 422 ? 'rejected'
    : 'unusable';
  const retryAfter = outcome.headers['retry-after'];
  return { kind, message, retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now()) };
}

function isAnswer(value: unknown): value is ServerAnswer {
  return typeof value === 'object' && value !== null && typeof (value as ServerAnswer).status === 'number' && 'text' in value;
}

/** The `{ error: { message } }` the API answers with, shortened; nothing when the body is not that. */
function serverMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? `: ${message.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

function networkMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code ?? (err.cause as { code?: string } | undefined)?.code;
  return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}

/** The one line for a refused token, whichever request met it (a shared ChangeLog says it once). */
export function refusedToken(failure: Failure): string {
  return `the server refused the token: ${failure.message}; keeping the spool`;
}

/** Logs a line only when it differs from the last one said (a refused token every 30 s is one line). */
export function createChangeLog(log: (line: string) => void) {
  let last: string | null = null;
  return {
    say(line: string): void {
      if (line !== last) log(line);
      last = line;
    },
    clear(): void {
      last = null;
    },
  };
}
export type ChangeLog = ReturnType<typeof createChangeLog>;

export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 30_000;

/** 0.5 s doubling to 30 s, each wait drawn from its upper half so agents cut off together do not retry together. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly maxMs = BACKOFF_MAX_MS) {}

  next(retryAfterMs: number | null = null): number {
    const ceiling = Math.min(BACKOFF_MIN_MS * 2 ** this.attempt, this.maxMs);
    this.attempt = Math.min(this.attempt + 1, 30);
    return retryAfterMs ?? Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  reset(): void {
    this.attempt = 0;
  }
}
