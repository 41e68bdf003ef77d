// Push checks: equipment behind a firewall reports in through POST /api/push/{token}; the
// running monitor turns heartbeats (and their absence) into asset status.
import { describe, it, type TestContext } from 'vitest';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, expectErrorShape, waitFor, ok } from '../helpers.js';

/** A database with one asset and its push check (interval 1 s, grace 1 s), and the monitor running on it. */
async function setup(ctx: TestContext) {
  const t = await createTestApp();
  const runtime = createNodeProbeRuntime();
  let live: LiveMonitor | undefined;
  let beating: ReturnType<typeof setInterval> | undefined;
  const stopHeartbeats = () => {
    if (beating) clearInterval(beating);
    beating = undefined;
  };
  ctx.onTestFinished(async () => {
    stopHeartbeats();
    await live?.stop();
    await runtime.close();
    t.close();
  });

  const asset = await ok(t.call('POST', '/api/assets', { body: { key: 'term-alice-springs', kind: 'ground_station', name: 'Alice Springs terminal' } }), 201);
  const check = await ok(
    t.call('POST', '/api/checks', {
      body: {
        key: 'alice-springs-heartbeat', assetId: asset.id, kind: 'push', intervalSeconds: 1, timeoutMs: 500,
        failureThreshold: 2, successThreshold: 1, push: { graceSeconds: 1 },
      },
    }),
    201,
  );
  live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200 });
  return {
    t,
    assetId: asset.id as number,
    check,
    assetStatus: async (id: number) => (await ok(t.call('GET', `/api/assets/${id}`))).status as string,
    /** Sends a heartbeat now and every 250 ms, the way a ground terminal's agent would (no bearer token). */
    startHeartbeats(pushUrl: string, body?: Record<string, unknown>) {
      stopHeartbeats();
      const send = () => void t.call('POST', pushUrl, { token: null, ...(body ? { body } : {}) });
      send();
      beating = setInterval(send, 250);
    },
    stopHeartbeats,
  };
}

describe.concurrent('push checks', () => {
  it('a heartbeat is accepted without a bearer token and names the check', async (ctx) => {
    const { expect } = ctx;
    const { t, check } = await setup(ctx);
    expect(check.pushUrl).toBe(`/api/push/${check.push.token}`);
    const res = await t.call('POST', check.pushUrl, { token: null, body: { status: 'up', metrics: { snrDb: 12.5 } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, check: 'alice-springs-heartbeat' });
    // the body is optional
    expect((await t.call('POST', check.pushUrl, { token: null })).status).toBe(200);
  });

  it('heartbeats keep it up; silence takes it down and opens an incident', async (ctx) => {
    const { expect } = ctx;
    const { t, assetStatus, startHeartbeats, stopHeartbeats, assetId, check } = await setup(ctx);

    startHeartbeats(check.pushUrl);
    await waitFor('up', async () => (await assetStatus(assetId)) === 'up');
    // it stays up as long as the heartbeats keep coming, across more than one window (2 s)
    const until = Date.now() + 2_500;
    while (Date.now() < until) {
      expect(await assetStatus(assetId)).toBe('up');
      await new Promise((r) => setTimeout(r, 200));
    }

    stopHeartbeats();
    await waitFor('down after silence', async () => (await assetStatus(assetId)) === 'down');
    const down = await ok(t.call('GET', `/api/assets/${assetId}`));
    expect(down.statusReason).toMatch(/no heartbeat for \d+ s/);
    const { items } = await ok(t.call('GET', '/api/incidents?state=open'));
    expect(items.map((i: { assetId: number }) => i.assetId)).toEqual([assetId]);
  });

  it('a heartbeat reporting degraded makes it degraded, with the reason it gave; up again after', async (ctx) => {
    const { expect } = ctx;
    const { t, assetStatus, startHeartbeats, assetId, check } = await setup(ctx);

    startHeartbeats(check.pushUrl, { status: 'degraded', message: 'LNA temperature high' });
    await waitFor('degraded', async () => (await assetStatus(assetId)) === 'degraded');
    const degraded = await ok(t.call('GET', `/api/assets/${assetId}`));
    expect(degraded.statusReason).toMatch(/LNA temperature high/);
    expect((await ok(t.call('GET', '/api/incidents'))).items).toEqual([]);

    startHeartbeats(check.pushUrl, { status: 'up' });
    await waitFor('up', async () => (await assetStatus(assetId)) === 'up');
  });

  it('an unknown token is 404 with the error shape; a malformed one is 400', async (ctx) => {
    const { expect } = ctx;
    const { t } = await setup(ctx);
    const unknown = await t.call('POST', `/api/push/${'Z'.repeat(32)}`, { token: null, body: { status: 'up' } });
    const error = expectErrorShape(unknown, 404);
    expect(error.code).toBe('not_found');
    // the error does not echo the whole secret back
    expect(error.message).not.toContain('Z'.repeat(32));
    expectErrorShape(await t.call('POST', '/api/push/short', { token: null }), 400);
    expectErrorShape(await t.call('POST', `/api/push/${'Z'.repeat(32)}`, { token: null, body: { status: 'sideways' } }), 400);
  });
});
