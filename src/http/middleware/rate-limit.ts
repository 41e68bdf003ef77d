// Failed sign-in attempts, counted per client address in a sliding window. When an address has
// failed too often, every further token attempt from it (bearer header or /login form) is refused
// with 429 before the token is even looked at, so guessing gains nothing; requests without
// credentials (public pages, push, health) and signed-in sessions are not affected, and neither
// are other addresses. Successes are not counted. Pure: runs on Node and Workers alike.
import type { Context } from 'hono';
import { parseIpv6 } from '../../core/outbox/destination.js';
import { AppError } from '../../core/domain/errors.js';

export interface FailedAttemptPolicy {
  /** Failures allowed from one address within the window; the next attempt is refused. */
  maxFailures: number;
  windowMs: number;
  /** Take the client address from the last X-Forwarded-For entry (only behind a proxy you run). */
  trustForwardedFor?: boolean;
}

export const DEFAULT_FAILED_ATTEMPT_POLICY: FailedAttemptPolicy = { maxFailures: 30, windowMs: 60_000, trustForwardedFor: false };

/** Addresses tracked at most; beyond this the stalest are forgotten first. */
const MAX_TRACKED = 10_000;

export class FailedAttempts {
  private readonly failures = new Map<string, number[]>();
  constructor(readonly policy: FailedAttemptPolicy = DEFAULT_FAILED_ATTEMPT_POLICY) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfterMs(key: string, now: number): number {
    const recent = this.recent(key, now);
    if (recent.length < this.policy.maxFailures) return 0;
    // The window slides: the attempt is allowed again once enough old failures have aged out.
    return Math.max(1, recent[recent.length - this.policy.maxFailures]! + this.policy.windowMs - now);
  }

  record(key: string, now: number): void {
    const recent = this.recent(key, now);
    recent.push(now);
    // Re-inserting keeps the Map ordered from the stalest address to the latest.
    this.failures.delete(key);
    this.failures.set(key, recent.length > this.policy.maxFailures ? recent.slice(-this.policy.maxFailures) : recent);
    if (this.failures.size > MAX_TRACKED) {
      for (const stale of this.failures.keys()) {
        this.failures.delete(stale);
        if (this.failures.size <= MAX_TRACKED) break;
      }
    }
  }

  /** Throws the 429 when `key` is locked out. */
  assertMayTry(c: Context, key: string, now: number): void {
    const wait = this.retryAfterMs(key, now);
    if (!wait) return;
    const seconds = Math.ceil(wait / 1000);
    c.header('Retry-After', String(seconds));
    throw new AppError(429, 'too_many_attempts', `Too many failed sign-in attempts from this address; try again in ${seconds} s`);
  }

  private recent(key: string, now: number): number[] {
    const since = now - this.policy.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }
}

/**
 * Who is asking, for counting failures: the socket's address on Node, Cloudflare's
 * CF-Connecting-IP on Workers (set by the edge; a client cannot forge it there). A header a
 * client can set is never believed on Node unless the operator says a proxy sets it. IPv6
 * addresses count by their /64, the block one host usually holds.
 */
export function clientAddress(c: Context, policy: FailedAttemptPolicy): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  let address: string | undefined;
  if (env?.incoming) {
    address = env.incoming.socket?.remoteAddress;
    if (policy.trustForwardedFor) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean);
      if (forwarded?.length) address = forwarded[forwarded.length - 1];
    }
  } else {
    address = c.req.header('cf-connecting-ip');
  }
  if (!address) return 'unknown';
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  const v6 = parseIpv6(address);
  if (v6) return `${v6.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
  return address;
}
