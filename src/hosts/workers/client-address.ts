// The Workers client-address port: CF-Connecting-IP, set by Cloudflare's edge, which a client
// cannot forge there. X-Forwarded-For is never consulted.
import { getConnInfo } from 'hono/cloudflare-workers';
import type { ClientAddressLookup } from '../../http/middleware/rate-limit.js';

export const workersClientAddress: ClientAddressLookup = (c) => getConnInfo(c).remote.address;
