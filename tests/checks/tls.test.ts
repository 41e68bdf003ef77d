import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../checks/tls.js';
import { tlsSettingsSchema } from '../../src/core/domain/checks.js';
import { createNodeProbeRuntime, type NodeProbeRuntime } from '../../src/hosts/node/probes.js';
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
