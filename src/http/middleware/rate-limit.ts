// Failed sign-in attempts, counted per client address in a sliding window. When an address has
// failed too often, every further token attempt from it (bearer header or /login form) is refused
// with 429 before the token is even looked at, so guessing gains nothing; requests without
// credentials (public pages, push, health) and signed-in sessions are not affected, and neither
// are other addresses. Successes are not counted. Pure: the host supplies the client's address.
import type { Context } from 'hono';
import { parseIpv6 } from '../../core/outbox/destination.js';
import { AppError } from '../../core/domain/errors.js';

export interface FailedAttemptPolicy {
  /** Failures allowed from one address within the window; the next attempt is refused. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_FAILED_ATTEMPT_POLICY: FailedAttemptPolicy = { maxFailures: 30, windowMs: 60_000 };

/** Addresses tracked at most; beyond this the stalest are forgotten first. */
const MAX_TRACKED = 10_000;

export class FailedAttempts {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly policy: FailedAttemptPolicy,
    private readonly clientAddress: ClientAddressLookup,
  ) {}

  /** Who is asking, as the key failures are counted under. */
  addressOf(c: Context): string {
    return addressKey(this.clientAddress(c));
  }

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
 * The client's address as the host's connection knows it: the socket's peer on Node (or the
 * operator's proxy's X-Forwarded-For), Cloudflare's CF-Connecting-IP on Workers. Undefined when
 * the host cannot tell.
 */
export type ClientAddressLookup = (c: Context) => string | undefined;

/** The key failures are counted under: IPv4-mapped IPv6 as IPv4, IPv6 by its /64 (the block one host usually holds). */
function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  const v6 = parseIpv6(address);
  if (v6) return `${v6.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
  return address;
}
