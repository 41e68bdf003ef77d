// One HTTP request and its answer, the body read up to a byte cap, on undici's dispatch interface.
// undici's request() wraps every answer in a Readable stream and its own abort bookkeeping; at
// thousands of checks a second that is a large part of a check's cost (0.050 against 0.036 ms of
// CPU per loopback request, `node --import tsx tests/bench/http-client.ts`), so the hot path
// handles the response events directly.
import type { Dispatcher } from 'undici';

export interface ExchangeRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** Keep at most this many body bytes; past it the connection is dropped rather than drained. */
  maxBodyBytes: number;
  signal: AbortSignal;
  /** Asked once the status and headers are in; false ends the exchange there (the body is not read). */
  wantsBody?: (status: number, headers: Record<string, string>) => boolean;
}

export interface ExchangeResponse {
  status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
}

/** Given to undici to end an exchange that has what it needs; never reaches the caller. */
const ENOUGH = new Error('coopwatch: response read as far as needed');

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Rejects with the signal's reason as soon as it aborts, and with undici's error when the exchange fails. */
export function exchange(dispatcher: Dispatcher, req: ExchangeRequest): Promise<ExchangeResponse> {
  const { signal } = req;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const url = new URL(req.url);
  return new Promise((resolve, reject) => {
    const handler = new Exchange(req, resolve, reject);
    watchAbort(signal, handler);
    dispatcher.dispatch({ origin: url.origin, path: url.pathname + url.search, method: req.method, headers: req.headers, body: req.body ?? null }, handler);
  });
}

/**
 * One exchange's state and undici's handler for it, as one object with its methods on the
 * prototype: closures made per request (and named, under tsx) cost about a third of the
 * exchange's own CPU in a scratch micro-benchmark.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private settled = false;
  private status = 0;
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private kept = 0;

  constructor(
    private readonly req: ExchangeRequest,
    private readonly resolve: (response: ExchangeResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  aborted(): void {
    const reason = abortReason(this.req.signal);
    this.settle(null, reason, reason);
  }

  /** Ends the exchange once: with `response`, else with `error`; `stop`: the reason to give undici to drop the request. */
  private settle(response: ExchangeResponse | null, error: unknown, stop: unknown): void {
    if (this.settled) return;
    this.settled = true;
    unwatchAbort(this.req.signal, this);
    const controller = this.controller;
    if (stop && controller && !controller.aborted) controller.abort(stop as Error);
    if (response) this.resolve(response);
    else this.reject(error);
  }

  private answer(truncated: boolean): ExchangeResponse {
    const { chunks } = this;
    return {
      status: this.status,
      headers: this.headers,
      body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, this.kept).toString('utf8'),
      bodyTruncated: truncated,
    };
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Aborted while the request waited for a connection: undici drops it from the queue.
    if (this.settled) controller.abort(ENOUGH);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, rawHeaders: Record<string, string | string[] | undefined>): void {
    // 1xx answers come first and are replaced by the final one.
    this.status = statusCode;
    this.headers = joinedHeaders(rawHeaders);
    this.chunks = [];
    this.kept = 0;
    const { wantsBody } = this.req;
    if (wantsBody && !wantsBody(statusCode, this.headers)) this.settle(this.answer(false), null, ENOUGH);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const { maxBodyBytes } = this.req;
    if (this.kept + chunk.length > maxBodyBytes) {
      if (maxBodyBytes > this.kept) this.chunks.push(chunk.subarray(0, maxBodyBytes - this.kept));
      this.kept = maxBodyBytes;
      this.settle(this.answer(true), null, ENOUGH);
      return;
    }
    this.chunks.push(chunk);
    this.kept += chunk.length;
  }

  onResponseEnd(): void {
    this.settle(this.answer(false), null, null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.settle(null, error, null);
  }
}

/**
 * The exchanges waiting on each signal, behind one listener a signal: runs launched together
 * share a signal, and EventTarget looks through a signal's listeners on every add, so a listener
 * each cost time growing with the batch.
 */
const watching = new WeakMap<AbortSignal, Set<Exchange>>();

function watchAbort(signal: AbortSignal, exchange: Exchange): void {
  let waiting = watching.get(signal);
  if (!waiting) {
    const set = (waiting = new Set());
    watching.set(signal, set);
    signal.addEventListener('abort', () => {
      for (const each of set) each.aborted();
    }, { once: true });
  }
  waiting.add(exchange);
}

function unwatchAbort(signal: AbortSignal, exchange: Exchange): void {
  watching.get(signal)?.delete(exchange);
}

function joinedHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
