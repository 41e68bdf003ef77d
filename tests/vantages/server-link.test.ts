// How the probe agent reads the server's answers, and how long it waits before trying again.
import { describe, expect, it } from 'vitest';
import { Backoff, describeFailure } from '../../src/hosts/node/probe-agent/server-link.js';

const answer = (status: number, text = '', headers: Record<string, string> = {}) => ({ status, text, headers });

describe('the probe agent server link', () => {
  it('backs off on network errors, 408, 429 and 5xx; waits long on a refused token; sets aside a malformed batch', () => {
    expect(describeFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toMatchObject({ kind: 'retry', message: 'connect ECONNREFUSED 127.0.0.1:9' });
    expect([408, 429, 500, 502, 503].map((s) => describeFailure(answer(s)).kind)).toEqual(['retry', 'retry', 'retry', 'retry', 'retry']);
    expect([401, 403].map((s) => describeFailure(answer(s)).kind)).toEqual(['refused', 'refused']);
    expect([400, 413, 422].map((s) => describeFailure(answer(s)).kind)).toEqual(['rejected', 'rejected', 'rejected']);
    expect([404, 501].map((s) => describeFailure(answer(s)).kind)).toEqual(['unusable', 'unusable']);
    expect(describeFailure(answer(401, JSON.stringify({ error: { code: 'unauthorized', message: 'token revoked' } }))).message).toBe('HTTP 401: token revoked');
  });

  it('honours Retry-After', () => {
    const failure = describeFailure(answer(429, '', { 'retry-after': '7' }));
    expect(failure.retryAfterMs).toBe(7_000);
    expect(new Backoff().next(failure.retryAfterMs)).toBe(7_000);
  });

  it('waits 0.5 s doubling to 30 s, each wait in the upper half of its step', () => {
    const backoff = new Backoff();
    const ceilings = [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
    for (const ceiling of ceilings) {
      const wait = backoff.next();
      expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
      expect(wait).toBeLessThanOrEqual(ceiling);
    }
    backoff.reset();
    expect(backoff.next()).toBeLessThanOrEqual(500);
  });
});
