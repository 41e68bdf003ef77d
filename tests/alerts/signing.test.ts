import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  base64ToBytes,
  bytesToBase64,
  generateWebhookSecret,
  isValidWebhookSecret,
  parseWebhookSecret,
  signStandardWebhook,
  standardWebhookHeaders,
  verifyStandardWebhook,
} from '../../src/core/outbox/signing.js';

const now = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({ type: 'asset.down', timestamp: '2025-01-01T00:00:00.000Z', data: { assetKey: 'jaxa-usuda', note: 'ünïcödé ✓' } });

describe('webhook secrets', () => {
  it('generates whsec_ + base64 of 32 random bytes, different each time', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(parseWebhookSecret(a)).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('parses 24–64 byte keys and refuses anything else with a clear message', () => {
    const key = (n: number) => `whsec_${bytesToBase64(new Uint8Array(n).fill(7))}`;
    expect(parseWebhookSecret(key(24))).toHaveLength(24);
    expect(parseWebhookSecret(key(64))).toHaveLength(64);
    expect(() => parseWebhookSecret(key(23))).toThrow(/24–64 bytes, this one encodes 23/);
    expect(() => parseWebhookSecret(key(65))).toThrow(/24–64 bytes/);
    expect(() => parseWebhookSecret('abc')).toThrow(/must start with "whsec_"/);
    expect(() => parseWebhookSecret('whsec_not base64!!')).toThrow(/standard base64/);
    expect(() => parseWebhookSecret('whsec_')).toThrow(/24–64 bytes/);
    expect(isValidWebhookSecret(generateWebhookSecret())).toBe(true);
    expect(isValidWebhookSecret('whsec_AAAA')).toBe(false);
  });

  it('round-trips base64 and refuses non-canonical text', () => {
    const bytes = new Uint8Array(300).map((_, i) => (i * 37) & 0xff);
    expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
    expect(base64ToBytes('abc')).toBeNull();
    expect(base64ToBytes('ab-_')).toBeNull();
  });
});

describe('signing per Standard Webhooks', () => {
  it('produces what the standardwebhooks package produces, and it verifies there', async () => {
    const secret = generateWebhookSecret();
    const ts = now();
    const signature = await signStandardWebhook({ id: 'msg_1', timestamp: ts, body }, [secret]);
    const reference = new Webhook(secret).sign('msg_1', new Date(ts * 1000), body);
    expect(signature).toBe(reference);
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);

    const headers = await standardWebhookHeaders('msg_1', ts, body, [secret]);
    expect(headers).toEqual({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': signature,
      'content-type': 'application/json',
    });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('signs with both secrets during rotation: each alone verifies, an unrelated one does not', async () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const headers = await standardWebhookHeaders('msg_rotate', now(), body, [oldSecret, newSecret]);
    const parts = headers['webhook-signature'].split(' ');
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.startsWith('v1,'))).toBe(true);

    expect(() => new Webhook(oldSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(/No matching signature/);

    expect(await verifyStandardWebhook(body, headers, oldSecret)).toMatchObject({ ok: true, id: 'msg_rotate' });
    expect(await verifyStandardWebhook(body, headers, [newSecret])).toMatchObject({ ok: true });
    expect(await verifyStandardWebhook(body, headers, [generateWebhookSecret()])).toEqual({ ok: false, reason: 'no matching signature' });
  });

  it('fails verification for a tampered body, timestamp or id', async () => {
    const secret = generateWebhookSecret();
    const ts = now();
    const headers = await standardWebhookHeaders('msg_2', ts, body, [secret]);
    const tamperedBody = body.replace('jaxa-usuda', 'jaxa-uchinoura');
    const tamperedTs = { ...headers, 'webhook-timestamp': String(ts - 1) };
    const tamperedId = { ...headers, 'webhook-id': 'msg_3' };

    expect(() => new Webhook(secret).verify(tamperedBody, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, tamperedTs)).toThrow();
    expect(() => new Webhook(secret).verify(body, tamperedId)).toThrow();
    expect(await verifyStandardWebhook(tamperedBody, headers, secret)).toMatchObject({ ok: false });
    expect(await verifyStandardWebhook(body, tamperedTs, secret)).toMatchObject({ ok: false });
    expect(await verifyStandardWebhook(body, tamperedId, secret)).toMatchObject({ ok: false });
  });

  it('verifies what the standardwebhooks package signs, with a 5-minute tolerance', async () => {
    const secret = generateWebhookSecret();
    const ts = now();
    const signature = new Webhook(secret).sign('msg_ref', new Date(ts * 1000), body);
    const headers = { 'Webhook-Id': 'msg_ref', 'Webhook-Timestamp': String(ts), 'Webhook-Signature': `v2,ignored ${signature}` };
    expect(await verifyStandardWebhook(body, headers, secret)).toEqual({ ok: true, id: 'msg_ref', timestamp: ts });
    expect(await verifyStandardWebhook(body, new Headers(headers), secret)).toMatchObject({ ok: true });

    expect(await verifyStandardWebhook(body, headers, secret, { nowSeconds: ts + 300 })).toMatchObject({ ok: true });
    expect(await verifyStandardWebhook(body, headers, secret, { nowSeconds: ts + 301 })).toEqual({ ok: false, reason: 'webhook-timestamp is too old' });
    expect(await verifyStandardWebhook(body, headers, secret, { nowSeconds: ts - 301 })).toEqual({
      ok: false,
      reason: 'webhook-timestamp is too far in the future',
    });
    expect(await verifyStandardWebhook(body, { ...headers, 'Webhook-Signature': '' }, secret)).toMatchObject({ ok: false });
    expect(await verifyStandardWebhook(body, { ...headers, 'Webhook-Timestamp': '12x' }, secret)).toMatchObject({ ok: false });
  });

  it('refuses to sign without a secret, with a malformed one, or with a bad id or timestamp', async () => {
    const secret = generateWebhookSecret();
    await expect(signStandardWebhook({ id: 'm', timestamp: now(), body }, [])).rejects.toThrow(/at least one/);
    await expect(signStandardWebhook({ id: 'm', timestamp: now(), body }, ['whsec_short'])).rejects.toThrow(/whsec_/);
    await expect(signStandardWebhook({ id: 'a b', timestamp: now(), body }, [secret])).rejects.toThrow(/webhook-id/);
    await expect(signStandardWebhook({ id: 'm', timestamp: 1.5, body }, [secret])).rejects.toThrow(/unix seconds/);
  });
});
