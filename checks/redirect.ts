// How an HTTP probe follows a redirect, the same on every runtime: the target resolved against
// the current URL; 303, and 301/302 after a POST, continue as GET (HEAD stays HEAD) without the
// body and its headers.

export interface OutgoingRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The request that follows `status` + `location`, or null when the answer is not a redirect to follow. */
export function redirectedRequest(current: OutgoingRequest, status: number, location: string | null | undefined): OutgoingRequest | null {
  if (!REDIRECT_STATUSES.has(status) || !location) return null;
  const url = new URL(location, current.url).toString();
  if (status === 303 || ((status === 301 || status === 302) && current.method === 'POST')) {
    const { 'content-type': _type, 'content-length': _length, ...headers } = current.headers;
    return { url, method: current.method === 'HEAD' ? 'HEAD' : 'GET', headers, body: undefined };
  }
  return { ...current, url };
}
