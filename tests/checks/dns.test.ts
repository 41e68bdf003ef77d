import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseAnswer, run } from '../../checks/dns.js';
import { dnsSettingsSchema } from '../../src/core/domain/checks.js';
import { createNodeProbeRuntime, type NodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { refusedPort } from '../support/target-server.js';

// A tiny authoritative DNS server over UDP on loopback, enough for c-ares to talk to.
type RecordType = 'A' | 'CNAME' | 'TXT';
const TYPE_CODES: Record<RecordType, number> = { A: 1, CNAME: 5, TXT: 16 };
type ZoneEntry = Partial<Record<RecordType, string[]>> | 'servfail' | 'silent';

interface DnsServer {
  resolver: string;
  close(): Promise<void>;
}

async function startDnsServer(zone: Record<string, ZoneEntry>): Promise<DnsServer> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, peer) => {
    const reply = answerQuery(query, zone);
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    resolver: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function answerQuery(query: Buffer, zone: Record<string, ZoneEntry>): Buffer | null {
  const labels: string[] = [];
  let offset = 12;
  while (query[offset]! > 0) {
    const length = query[offset]!;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  const questionEnd = offset + 5;
  const qtype = query.readUInt16BE(offset + 1);
  const entry = zone[labels.join('.').toLowerCase()];
  if (entry === 'silent') return null;

  let rcode = 0;
  const answers: Buffer[] = [];
  if (entry === undefined) rcode = 3; // NXDOMAIN
  else if (entry === 'servfail') rcode = 2;
  else {
    for (const [type, values] of Object.entries(entry) as [RecordType, string[]][]) {
      if (TYPE_CODES[type] !== qtype) continue;
      for (const value of values) answers.push(resourceRecord(qtype, rdata(type, value)));
    }
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8000 | 0x0400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2); // QR AA RD RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}

function resourceRecord(type: number, data: Buffer): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  fixed.writeUInt16BE(type, 2);
  fixed.writeUInt16BE(1, 4); // IN
  fixed.writeUInt32BE(60, 6);
  fixed.writeUInt16BE(data.length, 10);
  return Buffer.concat([fixed, data]);
}

function rdata(type: RecordType, value: string): Buffer {
  if (type === 'A') return Buffer.from(value.split('.').map(Number));
  if (type === 'TXT') return Buffer.concat([Buffer.from([value.length]), Buffer.from(value, 'ascii')]);
  const parts = value.split('.').filter(Boolean);
  return Buffer.concat([...parts.map((part) => Buffer.concat([Buffer.from([part.length]), Buffer.from(part, 'ascii')])), Buffer.from([0])]);
}

let dns: DnsServer;
let runtime: NodeProbeRuntime;

beforeAll(async () => {
  dns = await startDnsServer({
    'gs-svalbard.coop.test': { A: ['10.20.0.1', '10.20.0.2'] },
    'moc.coop.test': { CNAME: ['MOC-Primary.coop.test'] },
    'status.coop.test': { TXT: ['state=nominal'] },
    'empty.coop.test': {},
    'broken.coop.test': 'servfail',
    'silent.coop.test': 'silent',
  });
  runtime = createNodeProbeRuntime();
});
afterAll(async () => {
  await runtime.close();
  await dns.close();
});

function probe(settings: Record<string, unknown>, timeoutMs = 2_000) {
  return run(dnsSettingsSchema.parse({ resolver: dns.resolver, ...settings }), runtime.context(AbortSignal.timeout(timeoutMs)));
}

describe('dns probe against a loopback DNS server', () => {
  it('is up when the name resolves and every expected value is among the answers', async () => {
    expect(await probe({ name: 'gs-svalbard.coop.test' })).toMatchObject({ status: 'up', message: null });
    expect(await probe({ name: 'GS-Svalbard.coop.test', expected: ['10.20.0.2', '10.20.0.1'] })).toMatchObject({ status: 'up' });
  });

  it('matches answers case-insensitively and ignores a trailing dot', async () => {
    expect(await probe({ name: 'moc.coop.test', type: 'CNAME', expected: ['moc-primary.COOP.test.'] })).toMatchObject({ status: 'up' });
    expect(await probe({ name: 'status.coop.test', type: 'TXT', expected: ['STATE=nominal'] })).toMatchObject({ status: 'up' });
  });

  it('is down when an expected value is missing, naming what it got', async () => {
    expect(await probe({ name: 'gs-svalbard.coop.test', expected: ['10.20.0.1', '10.20.0.9'] })).toMatchObject({
      status: 'down',
      message: 'expected 10.20.0.9 among the A answers, got 10.20.0.1, 10.20.0.2',
    });
  });

  it('is down when the name does not exist or has no records of the type', async () => {
    expect(await probe({ name: 'nowhere.coop.test' })).toMatchObject({ status: 'down', message: 'nowhere.coop.test does not exist (NXDOMAIN)' });
    expect(await probe({ name: 'empty.coop.test' })).toMatchObject({ status: 'down', message: 'no A records for empty.coop.test' });
    expect(await probe({ name: 'gs-svalbard.coop.test', type: 'TXT' })).toMatchObject({ status: 'down', message: 'no TXT records for gs-svalbard.coop.test' });
  });

  it('is down when the resolver fails', async () => {
    expect(await probe({ name: 'broken.coop.test' })).toMatchObject({ status: 'down', message: 'resolver failed to answer for broken.coop.test (SERVFAIL)' });
    const observation = await probe({ name: 'gs-svalbard.coop.test', resolver: `127.0.0.1:${await refusedPort()}` });
    expect(observation.status).toBe('down');
    expect(observation.message).toMatch(/^resolver (refused the connection|did not answer)$/);
  });

  it('gives up on a resolver that never answers when the check times out', async () => {
    const started = performance.now();
    expect(await probe({ name: 'silent.coop.test' }, 300)).toMatchObject({ status: 'down', message: expect.stringMatching(/^timed out after 3\d\d ms$/) });
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('normaliseAnswer', () => {
  it('lower-cases and drops one trailing dot', () => {
    expect(normaliseAnswer(' Ground.Example. ')).toBe('ground.example');
    expect(normaliseAnswer('10.0.0.1')).toBe('10.0.0.1');
  });
});
