// A JSON answer served many times per change, prepared once: its gzip encoding (most readers send
// Accept-Encoding: gzip) and a strong ETag, so a poller that sends If-None-Match gets a 304.
// Web-standard APIs only (CompressionStream, crypto.subtle): the same on Node and Workers.

export interface EncodedBody {
  text: string;
  gzip: Uint8Array;
  etag: string;
}

export async function encodeBody(text: string): Promise<EncodedBody> {
  const bytes = new TextEncoder().encode(text);
  const [gzip, digest] = await Promise.all([
    new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer(),
    crypto.subtle.digest('SHA-256', bytes),
  ]);
  const etag = `"${[...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('')}"`;
  return { text, gzip: new Uint8Array(gzip), etag };
}

/** Whether the request's If-None-Match names this ETag (or is `*`). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/** Whether the client accepts gzip (and has not refused it with q=0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}
