// Calls the Worker under test the way a client would.
import { env, SELF } from 'cloudflare:test';

export interface Reply {
  status: number;
  body: any;
}

export async function call(method: string, path: string, options: { body?: unknown; token?: string | null } = {}): Promise<Reply> {
  const token = options.token === undefined ? env.COOPWATCH_ADMIN_TOKEN : options.token;
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await SELF.fetch(`https://coopwatch.test${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The reply's body, after checking its status. */
export async function expectStatus(reply: Promise<Reply>, status: number): Promise<any> {
  const r = await reply;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Reads until the value is as expected (work the queue consumer does after the call returns), or fails after a while. */
export async function eventually<T>(read: () => Promise<T>, ready: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ready(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
