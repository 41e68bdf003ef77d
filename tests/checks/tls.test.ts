import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../checks/tls.js';
import { tlsSettingsSchema } from '../../src/core/domain/checks.js';
import { createNodeProbeRuntime, type NodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, errorPaths } from '../helpers.js';
import { refusedPort, startSilentTcpServer, startTlsTargetServer, type SilentTcpServer, type TlsTargetServer } from '../support/target-server.js';

let fresh: TlsTargetServer;
let nearExpiry: TlsTargetServer;
let expired: TlsTargetServer;
let silent: SilentTcpServer;
let runtime: NodeProbeRuntime;

beforeAll(async () => {
  [fresh, nearExpiry, expired, silent] = await Promise.all([
    startTlsTargetServer({ daysValid: 90 }),
    startTlsTargetServer({ daysValid: 5 }),
    startTlsTargetServer({ daysValid: -3 }),
    startSilentTcpServer(),
  ]);
  runtime = createNodeProbeRuntime({ extraCaCertificates: [fresh.caCertificate] });
});
afterAll(async () => {
  await runtime.close();
  await Promise.all([fresh.close(), nearExpiry.close(), expired.close(), silent.close()]);
});

function probe(settings: Record<string, unknown>, timeoutMs = 2_000) {
  return run(tlsSettingsSchema.parse({ host: '127.0.0.1', servername: 'localhost', ...settings }), runtime.context(AbortSignal.timeout(timeoutMs)));
}

describe('tls probe', () => {
  it('is up with days to expiry when the certificate is valid and far from expiry', async () => {
    const observation = await probe({ port: fresh.port });
    expect(observation).toMatchObject({ status: 'up', message: null });
    expect(observation.metrics?.['daysToExpiry']).toBeGreaterThan(89);
    expect(observation.metrics?.['daysToExpiry']).toBeLessThanOrEqual(90);
  });

  it('checks the IP address itself when no servername is given', async () => {
    expect(await probe({ port: fresh.port, servername: undefined })).toMatchObject({ status: 'up' });
  });

  it('is degraded when fewer than warnDays remain', async () => {
    const observation = await probe({ port: nearExpiry.port, warnDays: 14 });
    expect(observation.status).toBe('degraded');
    expect(observation.message).toMatch(/^certificate expires in 4\.9 days \(.+ UTC\), under the 14-day warning$/);
    expect(observation.metrics?.['daysToExpiry']).toBeCloseTo(5, 0);
    expect(await probe({ port: nearExpiry.port, warnDays: 3 })).toMatchObject({ status: 'up' });
  });

  it('is down when the certificate has expired', async () => {
    const observation = await probe({ port: expired.port });
    expect(observation.status).toBe('down');
    expect(observation.message).toMatch(/^certificate expired 3 days ago/);
    expect(observation.metrics?.['daysToExpiry']).toBeLessThan(-2.9);
  });

  it('is down when the certificate is not for the host name', async () => {
    const observation = await probe({ port: fresh.port, servername: 'mission-ops.example' });
    expect(observation.status).toBe('down');
    expect(observation.message).toMatch(/^certificate is not valid for mission-ops\.example: Hostname\/IP does not match certificate's altnames/);
  });

  it('is down when the issuer is not trusted', async () => {
    const untrusting = createNodeProbeRuntime();
    try {
      const observation = await run(tlsSettingsSchema.parse({ host: '127.0.0.1', port: fresh.port, servername: 'localhost' }), untrusting.context(AbortSignal.timeout(2_000)));
      expect(observation).toMatchObject({ status: 'down', message: 'certificate is not valid for localhost: certificate cannot be verified (untrusted issuer or missing intermediate)' });
    } finally {
      await untrusting.close();
    }
  });

  it('is down when nothing listens, or the handshake never comes', async () => {
    expect(await probe({ port: await refusedPort() })).toMatchObject({ status: 'down', message: 'connection refused' });
    const started = performance.now();
    expect(await probe({ port: silent.port }, 300)).toMatchObject({ status: 'down', message: expect.stringMatching(/^timed out after 3\d\d ms$/) });
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('a private CA (caPem)', () => {
  const untrusted = 'certificate is not valid for localhost: certificate cannot be verified (untrusted issuer or missing intermediate)';
  const runWith = async (probes: NodeProbeRuntime, settings: Record<string, unknown>) =>
    run(tlsSettingsSchema.parse({ host: '127.0.0.1', port: fresh.port, servername: 'localhost', ...settings }), probes.context(AbortSignal.timeout(2_000)));
  const otherCa = async () =>
    (await generate([{ name: 'commonName', value: 'some other CA' }], { keyType: 'ec', extensions: [{ name: 'basicConstraints', cA: true, critical: true }] })).cert;

  it('is down as untrusted without caPem, and up when caPem names the CA that signed the certificate', async () => {
    const plain = createNodeProbeRuntime();
    try {
      expect(await runWith(plain, {})).toMatchObject({ status: 'down', message: untrusted });
      expect(await runWith(plain, { caPem: fresh.caCertificate })).toMatchObject({ status: 'up', message: null });
      // a bundle: another CA first, then the right one
      expect(await runWith(plain, { caPem: `${await otherCa()}\n${fresh.caCertificate}` })).toMatchObject({ status: 'up' });
    } finally {
      await plain.close();
    }
  });

  it('trusts only caPem, not the runtime’s roots or extra CAs, when it is given', async () => {
    expect(await probe({ port: fresh.port })).toMatchObject({ status: 'up' });
    expect(await probe({ port: fresh.port, caPem: await otherCa() })).toMatchObject({ status: 'down', message: untrusted });
  });

  it('accepts only PEM certificates, within 64 KiB', async () => {
    const ok = (caPem: string) => tlsSettingsSchema.safeParse({ host: 'mocc.example', caPem }).success;
    expect(ok(fresh.caCertificate)).toBe(true);
    expect(ok(`\n${fresh.caCertificate}\n\n${fresh.caCertificate}\n`)).toBe(true);
    const key = (await generate([{ name: 'commonName', value: 'x' }], { keyType: 'ec' })).private;
    for (const bad of ['', 'not a certificate', key, `${fresh.caCertificate}\n${key}`, `${fresh.caCertificate}trailing`, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----']) {
      expect(ok(bad), bad.slice(0, 40)).toBe(false);
    }
    expect(ok(fresh.caCertificate.repeat(Math.ceil(65_537 / fresh.caCertificate.length)))).toBe(false);
  });

  it('is refused through the API with 400 naming tls.caPem, and stored when valid', async () => {
    const t = await createTestApp();
    try {
      const asset = await t.call('POST', '/api/assets', { body: { key: 'mocc', kind: 'mission_ops_center', name: 'MOC' } });
      const check = (caPem: string) => ({ key: 'mocc-tls', assetId: asset.body.id, kind: 'tls', tls: { host: 'mocc.example', caPem } });
      const refused = await t.call('POST', '/api/checks', { body: check('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----') });
      expect(refused.status).toBe(400);
      expect(errorPaths(refused)).toEqual(['tls.caPem']);
      const created = await t.call('POST', '/api/checks', { body: check(fresh.caCertificate) });
      expect(created.status, created.text).toBe(201);
      expect(created.body.tls.caPem).toBe(fresh.caCertificate);
    } finally {
      t.close();
    }
  });
});
