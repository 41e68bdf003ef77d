// Classification and policy touch no network. The Node transport is tested against real servers
// on 127.0.0.1 only; names that would resolve elsewhere go through an injected resolver, so no
// traffic ever leaves the loopback interface.
import http from 'node:http';
import type net from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertResolvedAddressAllowed,
  checkDestinationUrl,
  classifyAddress,
  DestinationRefusedError,
  parseIpv6,
  type AddressClass,
} from '../../src/core/outbox/destination.js';
import { formatEvent } from '../../src/core/outbox/formats/index.js';
import { createWebhookSender, WebhookSendError, type WebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { generateWebhookSecret, standardWebhookHeaders } from '../../src/core/outbox/signing.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

describe('classifyAddress', () => {
  const table: Array<[string, AddressClass]> = [
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.254', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.10.20', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a00:1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['[::ffff:192.168.0.1]', 'private'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['64:ff9b::10.1.2.3', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['ff02::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
  ];
  it.each(table)('%s is %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it('throws for text that is not an IP address', () => {
    for (const bad of ['example.com', '1.2.3', '1.2.3.256', '010.0.0.1', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '']) {
      expect(() => classifyAddress(bad), bad).toThrow(/not an IP address/);
    }
  });

  it('parses IPv6 forms', () => {
    expect(parseIpv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6('1:2:3:4:5:6:1.2.3.4')).toEqual([1, 2, 3, 4, 5, 6, 0x0102, 0x0304]);
    expect(parseIpv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIpv6('1:2:3:4:5:6:7:8::')).toBeNull();
  });
});

describe('checkDestinationUrl', () => {
  const strict = { allowPrivate: false };
  const lax = { allowPrivate: true };

  it('accepts public https and http URLs and host names', () => {
    expect(checkDestinationUrl('https://hooks.slack.com/services/T0/B0/x', strict)).toEqual({ ok: true });
    expect(checkDestinationUrl('http://8.8.8.8:8080/hook', strict)).toEqual({ ok: true });
    expect(checkDestinationUrl('https://[2606:4700:4700::1111]/hook', strict)).toEqual({ ok: true });
  });

  it.each([
    ['ftp://example.com/x', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
    ['javascript:alert(1)', /only http and https/],
    ['not a url', /not a valid absolute URL/],
    ['https://user:pass@example.com/hook', /credentials/],
    ['https://token@example.com/hook', /credentials/],
  ])('refuses %s', (url, reason) => {
    const result = checkDestinationUrl(url, lax);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://169.254.1.1/',
    'http://[fe80::1]/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/',
    'http://metadata/computeMetadata/v1/',
    'http://0.0.0.0:8080/',
    'http://[::]/',
    'http://0/',
    'http://0xa9.0xfe.0xa9.0xfe/',
    'http://2852039166/',
  ])('always refuses %s, even with private destinations allowed', (url) => {
    expect(checkDestinationUrl(url, lax).ok).toBe(false);
    expect(checkDestinationUrl(url, strict).ok).toBe(false);
  });

  it.each([
    'http://10.0.0.1/hook',
    'http://172.16.5.4/hook',
    'http://192.168.1.1/hook',
    'http://100.64.0.1/hook',
    'http://127.0.0.1:8080/hook',
    'http://0x7f.1/hook',
    'http://[::1]/hook',
    'http://[::ffff:10.0.0.1]/hook',
    'http://[fd12::1]/hook',
    'http://localhost:8080/hook',
    'http://alerts.localhost/hook',
  ])('refuses %s unless private destinations are allowed', (url) => {
    const refused = checkDestinationUrl(url, strict);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toMatch(/(private|loopback) addresses are refused unless private destinations are allowed/);
    expect(checkDestinationUrl(url, lax)).toEqual({ ok: true });
  });
});

describe('assertResolvedAddressAllowed', () => {
  it('throws a DestinationRefusedError naming the address and the rule', () => {
    expect(() => assertResolvedAddressAllowed('169.254.169.254', { allowPrivate: true })).toThrow(
      'webhook destination 169.254.169.254 refused: cloud metadata addresses are always refused',
    );
    expect(() => assertResolvedAddressAllowed('fe80::1', { allowPrivate: true })).toThrow(/link-local addresses are always refused/);
    expect(() => assertResolvedAddressAllowed('10.1.2.3', { allowPrivate: false })).toThrow(/private addresses are refused unless/);
    expect(() => assertResolvedAddressAllowed('not-an-ip', { allowPrivate: true })).toThrow(/is not an IP address/);
    try {
      assertResolvedAddressAllowed('::ffff:127.0.0.1', { allowPrivate: false });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DestinationRefusedError);
      expect((err as DestinationRefusedError).addressClass).toBe('loopback');
    }
  });

  it('allows public addresses always and private ones when allowed', () => {
    expect(() => assertResolvedAddressAllowed('8.8.8.8', { allowPrivate: false })).not.toThrow();
    expect(() => assertResolvedAddressAllowed('2606:4700:4700::1111', { allowPrivate: false })).not.toThrow();
    expect(() => assertResolvedAddressAllowed('10.1.2.3', { allowPrivate: true })).not.toThrow();
    expect(() => assertResolvedAddressAllowed('127.0.0.1', { allowPrivate: true })).not.toThrow();
  });
});

// ---- the Node transport (src/hosts/node/webhook-sender.ts) ---------------------------------------

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 that records each request and answers 200 with a short body. */
async function startReceiver() {
  const received: Received[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain', 'X-Receiver': 'yes' });
      res.end('thanks');
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const toLoopback = async () => [{ address: '127.0.0.1', family: 4 as const }];
const toMetadata = async () => [{ address: '169.254.169.254', family: 4 as const }];

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let target: TargetServer;
const senders: WebhookSender[] = [];
const sender = (options: Parameters<typeof createWebhookSender>[0]) => {
  const s = createWebhookSender(options);
  senders.push(s);
  return s;
};

beforeAll(async () => {
  receiver = await startReceiver();
  target = await startTargetServer();
});
afterAll(async () => {
  await receiver.close();
  await target.close();
});
afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.close()));
  target.setMode('healthy');
  target.resetCounters();
});

describe('createWebhookSender', () => {
  it('posts a signed Standard Webhooks request that the receiver verifies', async () => {
    const secret = generateWebhookSecret();
    const event = {
      id: 7, ts: Date.now(), type: 'asset.down', subjectKind: 'asset', subjectKey: 'jaxa-usuda', severity: 'critical' as const, drillRunId: null,
      data: { assetKey: 'jaxa-usuda', assetName: 'JAXA Usuda', status: 'down', previous: 'up', functionKeys: [] },
    };
    const { body } = formatEvent('standard', event)!;
    const headers = await standardWebhookHeaders('evt_7', Math.floor(Date.now() / 1000), body, [secret]);
    const result = await sender({ allowPrivate: true, timeoutMs: 2_000 }).send({ url: `http://127.0.0.1:${receiver.port}/hook?x=1`, headers, body });

    expect(result).toMatchObject({ status: 200, bodySnippet: 'thanks', bodyTruncated: false });
    expect(result.headers['x-receiver']).toBe('yes');
    expect(result.headers['content-type']).toBe('text/plain');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const got = receiver.received.at(-1)!;
    expect(got).toMatchObject({ method: 'POST', url: '/hook?x=1', body });
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe('coopwatch-webhooks');
    expect(new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).toMatchObject({ type: 'asset.down', data: { assetKey: 'jaxa-usuda' } });
  });

  it('resolves a host name through the guarded lookup and connects when the address is allowed', async () => {
    const result = await sender({ allowPrivate: true, timeoutMs: 2_000, resolve: toLoopback }).send({
      url: `http://hooks.coop.test:${receiver.port}/named`, headers: {}, body: '{}',
    });
    expect(result.status).toBe(200);
    expect(receiver.received.at(-1)!.headers.host).toBe(`hooks.coop.test:${receiver.port}`);
  });

  it('refuses a loopback destination before any connection unless private destinations are allowed', async () => {
    const before = receiver.connections;
    const strict = sender({ allowPrivate: false, timeoutMs: 2_000, resolve: toLoopback });
    for (const url of [`http://127.0.0.1:${receiver.port}/`, `http://[::ffff:127.0.0.1]:${receiver.port}/`, `http://localhost:${receiver.port}/`]) {
      const err = await strict.send({ url, headers: {}, body: '{}' }).catch((e: unknown) => e);
      expect(err, url).toBeInstanceOf(WebhookSendError);
      expect((err as WebhookSendError).kind).toBe('destination_refused');
      expect((err as Error).message).toMatch(/loopback addresses are refused unless private destinations are allowed/);
    }
    // A name that is checked only after DNS: refused by the lookup, not by the URL check.
    const err = await strict.send({ url: `http://hooks.coop.test:${receiver.port}/`, headers: {}, body: '{}' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'destination_refused', message: expect.stringMatching(/hooks\.coop\.test.*127\.0\.0\.1 refused/) });
    expect(receiver.connections).toBe(before);
  });

  it('refuses a name that resolves to the cloud metadata address, even with private allowed', async () => {
    const err = await sender({ allowPrivate: true, timeoutMs: 2_000, resolve: toMetadata })
      .send({ url: 'http://innocent.example.test/hook', headers: {}, body: '{}' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookSendError);
    expect(err).toMatchObject({ kind: 'destination_refused', message: expect.stringContaining('cloud metadata addresses are always refused') });
  });

  it('refuses metadata and link-local URLs without resolving or connecting', async () => {
    const s = sender({ allowPrivate: true, timeoutMs: 2_000, resolve: () => Promise.reject(new Error('must not resolve')) });
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/', 'http://[fe80::1]/', 'http://u:p@127.0.0.1/']) {
      await expect(s.send({ url, headers: {}, body: '{}' }), url).rejects.toMatchObject({ kind: 'destination_refused' });
    }
  });

  it('does not follow a redirect: the 302 comes back as it is', async () => {
    target.setMode('redirect');
    const result = await sender({ allowPrivate: true, timeoutMs: 2_000 }).send({ url: target.url, headers: {}, body: '{}' });
    expect(result.status).toBe(302);
    expect(result.headers['location']).toBe('/elsewhere');
    expect(target.requests).toBe(1);
  });

  it('gives up at the timeout on a server that never answers', async () => {
    target.setMode('black-hole');
    const started = performance.now();
    const err = await sender({ allowPrivate: true, timeoutMs: 300 }).send({ url: target.url, headers: {}, body: '{}' }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(WebhookSendError);
    expect(err).toMatchObject({ kind: 'timeout', message: 'timed out after 300 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('stops an attempt when the caller aborts it', async () => {
    target.setMode('black-hole');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await sender({ allowPrivate: true, timeoutMs: 5_000 })
      .send({ url: target.url, headers: {}, body: '{}', signal: controller.signal })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'aborted' });
  });

  it('keeps only the first bytes of a huge response and drops the rest', async () => {
    target.setMode('huge-body', { hugeBodyBytes: 256 * 1024 * 1024 });
    const started = performance.now();
    const result = await sender({ allowPrivate: true, timeoutMs: 5_000 }).send({ url: target.url, headers: {}, body: '{}' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result.status).toBe(200);
    expect(result.bodySnippet).toBe('x'.repeat(2048));
    expect(result.bodyTruncated).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(target.bodyBytesSent).toBeLessThan(64 * 1024 * 1024);

    const small = await sender({ allowPrivate: true, timeoutMs: 5_000, maxResponseBytes: 10 }).send({ url: target.url, headers: {}, body: '{}' });
    expect(small.bodySnippet).toHaveLength(10);
  });

  it('reports a refused connection as a network error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await sender({ allowPrivate: true, timeoutMs: 2_000 }).send({ url: `http://127.0.0.1:${port}/`, headers: {}, body: '{}' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'network', message: expect.stringContaining('ECONNREFUSED') });
  });
});
