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
  const { signal, maxBodyBytes } = req;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const url = new URL(req.url);
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | null = null;
    let settled = false;
    let status = 0;
    let headers: Record<string, string> = {};
    let chunks: Buffer[] = [];
    let kept = 0;

    const settle = (outcome: ExchangeResponse | { error: unknown }, stop: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (stop && controller && !controller.aborted) controller.abort(stop as Error);
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome);
    };
    const answer = (truncated: boolean): ExchangeResponse => ({
      status,
      headers,
      body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, kept).toString('utf8'),
      bodyTruncated: truncated,
    });
    const onAbort = () => {
      const reason = abortReason(signal);
      settle({ error: reason }, reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });

    dispatcher.dispatch(
      { origin: url.origin, path: url.pathname + url.search, method: req.method, headers: req.headers, body: req.body ?? null },
      {
        onRequestStart(c) {
          controller = c;
          // Aborted while the request waited for a connection: undici drops it from the queue.
          if (settled) c.abort(ENOUGH);
        },
        onResponseStart(_c, statusCode, rawHeaders) {
          // 1xx answers come first and are replaced by the final one.
          status = statusCode;
          headers = joinedHeaders(rawHeaders);
          chunks = [];
          kept = 0;
          if (req.wantsBody && !req.wantsBody(status, headers)) settle(answer(false), ENOUGH);
        },
        onResponseData(_c, chunk) {
          if (settled) return;
          if (kept + chunk.length > maxBodyBytes) {
            if (maxBodyBytes > kept) chunks.push(chunk.subarray(0, maxBodyBytes - kept));
            kept = maxBodyBytes;
            settle(answer(true), ENOUGH);
            return;
          }
          chunks.push(chunk);
          kept += chunk.length;
        },
        onResponseEnd() {
          settle(answer(false), null);
        },
        onResponseError(_c, error) {
          settle({ error }, null);
        },
      },
    );
  });
}

function joinedHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
