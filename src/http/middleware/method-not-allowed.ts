// A path that exists, asked with a method it does not have, answers 405 with `Allow` (RFC 9110
// §15.5.6) rather than 404. The app's own routes say which methods a path has: they are read once,
// on the first unmatched request, into a router of their own.
import type { Context, NotFoundHandler } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import type { ErrorBody } from './errors.js';

interface RouteEntry {
  method: string;
  path: string;
}

/** The methods each path of `routes` has (middleware, registered for ALL, does not count). */
function methodsByPath(routes: readonly RouteEntry[]): (path: string) => string[] {
  const router = new TrieRouter<string>();
  const methods = new Set<string>();
  for (const { method, path } of routes) {
    if (method === 'ALL') continue;
    router.add(method, path, method);
    methods.add(method);
  }
  return (path) => {
    const allowed = [...methods].filter((method) => router.match(method, path)[0].length > 0);
    // HEAD is answered wherever GET is (Hono runs the GET handler and drops the body).
    return allowed.includes('GET') ? ['GET', 'HEAD', ...allowed.filter((m) => m !== 'GET')] : allowed;
  };
}

/**
 * The not-found handler: 405 with `Allow` when the path has other methods, else `notFound`.
 * A handler that finds no record (its own method is allowed) still answers 404.
 */
export function methodNotAllowed(routes: () => readonly RouteEntry[], notFound: (c: Context) => Response): NotFoundHandler {
  let allowedOn: ((path: string) => string[]) | undefined;
  return (c) => {
    allowedOn ??= methodsByPath(routes());
    const allowed = allowedOn(c.req.path);
    if (!allowed.length || allowed.includes(c.req.method)) return notFound(c);
    const message = `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allowed.join(', ')}`;
    return c.json<ErrorBody>({ error: { code: 'method_not_allowed', message, details: [] } }, 405, { allow: allowed.join(', ') });
  };
}
