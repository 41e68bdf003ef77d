// Node's client-address port: the socket's peer, or, only when the operator says a proxy of
// theirs sets it (COOPWATCH_TRUST_FORWARDED_FOR=1), the last X-Forwarded-For entry, which that
// proxy appended. A header a client can set is never believed otherwise.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { ClientAddressLookup } from '../../http/middleware/rate-limit.js';

export function nodeClientAddress(options: { trustForwardedFor: boolean }): ClientAddressLookup {
  return (c) => {
    if (options.trustForwardedFor) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean);
      if (forwarded?.length) return forwarded[forwarded.length - 1];
    }
    return getConnInfo(c).remote.address;
  };
}
