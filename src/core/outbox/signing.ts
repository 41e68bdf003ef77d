// Standard Webhooks signing (https://www.standardwebhooks.com/): `webhook-id`, `webhook-timestamp`
// and `webhook-signature` = space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one
// per secret, so a rotated secret can be signed with old and new keys during its grace period.
// Web Crypto and btoa/atob only: this module runs on Node and on Cloudflare Workers alike.

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** Key sizes the Standard Webhooks spec allows for a `whsec_` secret. */
export const WEBHOOK_SECRET_MIN_BYTES = 24;
export const WEBHOOK_SECRET_MAX_BYTES = 64;
/** Receivers reject timestamps further than this from their clock (the spec's usual 5 minutes). */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export interface StandardWebhookMessage {
  /** `webhook-id`: unique per message, the same on every retry of it. */
  id: string;
  /** `webhook-timestamp`: unix seconds of this attempt. */
  timestamp: number;
  /** The exact request body that is sent. */
  body: string;
}

export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'content-type': 'application/json';
  [name: string]: string;
}

const encoder = new TextEncoder();

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked so a large input does not overflow the argument list of String.fromCharCode.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (with padding); null when the text is not that. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | null {
  if (!BASE64.test(text)) return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  const key = new Uint8Array(32);
  crypto.getRandomValues(key);
  return WEBHOOK_SECRET_PREFIX + bytesToBase64(key);
}

/** The HMAC key of a `whsec_<base64 of 24–64 bytes>` secret; throws an Error saying what is wrong. */
export function parseWebhookSecret(secret: string): Uint8Array<ArrayBuffer> {
  if (typeof secret !== 'string' || !secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new Error(`a webhook secret must start with "${WEBHOOK_SECRET_PREFIX}"`);
  }
  const key = base64ToBytes(secret.slice(WEBHOOK_SECRET_PREFIX.length));
  if (!key) throw new Error(`a webhook secret must be "${WEBHOOK_SECRET_PREFIX}" followed by standard base64`);
  if (key.length < WEBHOOK_SECRET_MIN_BYTES || key.length > WEBHOOK_SECRET_MAX_BYTES) {
    throw new Error(
      `a webhook secret must encode ${WEBHOOK_SECRET_MIN_BYTES}–${WEBHOOK_SECRET_MAX_BYTES} bytes, this one encodes ${key.length}`,
    );
  }
  return key;
}

/** True when the secret is well formed (see parseWebhookSecret). */
export function isValidWebhookSecret(secret: string): boolean {
  try {
    parseWebhookSecret(secret);
    return true;
  } catch {
    return false;
  }
}

function importKey(key: Uint8Array<ArrayBuffer>, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

function signedContent(id: string, timestamp: number | string, body: string): Uint8Array<ArrayBuffer> {
  // TextEncoder always returns a fresh ArrayBuffer; Workers types only say ArrayBufferLike.
  return encoder.encode(`${id}.${timestamp}.${body}`) as Uint8Array<ArrayBuffer>;
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error('webhook-timestamp must be whole unix seconds');
}

function checkMessageId(id: string): void {
  // The id is part of the signed content and a header value: no separators that would change either.
  if (typeof id !== 'string' || !id || /[\s,]/.test(id)) throw new Error('webhook-id must be a non-empty string without spaces or commas');
}

/** The `webhook-signature` header value: `v1,<base64>` per secret, space-separated, in the order given. */
export async function signStandardWebhook(message: StandardWebhookMessage, secrets: readonly string[]): Promise<string> {
  if (!secrets.length) throw new Error('at least one webhook secret is needed to sign');
  checkMessageId(message.id);
  checkTimestamp(message.timestamp);
  const content = signedContent(message.id, message.timestamp, message.body);
  const signatures: string[] = [];
  for (const secret of secrets) {
    const key = await importKey(parseWebhookSecret(secret), 'sign');
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, content));
    signatures.push(`v1,${bytesToBase64(mac)}`);
  }
  return signatures.join(' ');
}

/** The headers of one delivery attempt (the id stays the same across retries; the timestamp does not). */
export async function standardWebhookHeaders(
  msgId: string,
  timestampSeconds: number,
  body: string,
  secrets: readonly string[],
): Promise<StandardWebhookHeaders> {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': await signStandardWebhook({ id: msgId, timestamp: timestampSeconds, body }, secrets),
    'content-type': 'application/json',
  };
}

export interface VerifyStandardWebhookOptions {
  /** The receiver's clock in unix seconds; defaults to now. */
  nowSeconds?: number;
  /** Default 300 (5 minutes). */
  toleranceSeconds?: number;
}

export type VerifyResult =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; reason: string };

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

/** Compares in time that depends only on the lengths, never on where the bytes differ. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Verifies a request the way a Standard Webhooks receiver does: any `v1` signature in the header
 * matching any of the secrets, compared in constant time, and a timestamp within the tolerance.
 */
export async function verifyStandardWebhook(
  body: string,
  headers: HeaderBag,
  secrets: string | readonly string[],
  options: VerifyStandardWebhookOptions = {},
): Promise<VerifyResult> {
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatureHeader = header(headers, 'webhook-signature');
  if (!id || !timestampText || !signatureHeader) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  if (!/^\d{1,15}$/.test(timestampText)) return { ok: false, reason: 'webhook-timestamp is not unix seconds' };
  const timestamp = Number(timestampText);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (now - timestamp > tolerance) return { ok: false, reason: 'webhook-timestamp is too old' };
  if (timestamp - now > tolerance) return { ok: false, reason: 'webhook-timestamp is too far in the future' };

  const candidates: Uint8Array[] = [];
  for (const part of signatureHeader.split(' ')) {
    const comma = part.indexOf(',');
    if (comma < 0 || part.slice(0, comma) !== 'v1') continue;
    const bytes = base64ToBytes(part.slice(comma + 1));
    if (bytes) candidates.push(bytes);
  }
  if (!candidates.length) return { ok: false, reason: 'no v1 signature in webhook-signature' };

  const content = signedContent(id, timestampText, body);
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const key = await importKey(parseWebhookSecret(secret), 'sign');
    const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, content));
    let matched = false;
    // Every candidate is compared, so the time taken does not tell which one matched.
    for (const candidate of candidates) matched = constantTimeEqual(candidate, expected) || matched;
    if (matched) return { ok: true, id, timestamp };
  }
  return { ok: false, reason: 'no matching signature' };
}
