// Flapping through the running system: LiveMonitor probes a real loopback target answering
// alternately fast and too slow (up, down, up…), and the asset turns flapping once, with one
// asset.flapping event and webhook, no incident, and back to up when the target steadies. A steady
// neighbour never flaps. Observed through the API, the events table and a webhook receiver.
import { describe, it } from 'vitest';
import { percentStateChange } from '../../src/core/domain/flapping.js';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { commitAtomically } from '../../src/core/store/client.js';
import { WebhookDispatcher } from '../../src/core/outbox/dispatcher.js';
import { describeEvent } from '../../src/core/outbox/formats/describe.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createWebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { createApp } from '../../src/http/app.js';
import { clientFor, createTestApp, ok, rawClient, waitFor } from '../helpers.js';
import { startTargetServer } from '../support/target-server.js';
import { HOOK_PATH, startWebhookReceiver } from '../support/webhook-receiver.js';

describe('a flapping target', () => {
  it('turns its asset flapping once (one event, one webhook, no incident) and back up when it steadies; a steady target never flaps', async (ctx) => {
    const { expect } = ctx;
    const t = await createTestApp();
    const runtime = createNodeProbeRuntime();
    const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 1_000 });
    const [flappy, steady, receiver] = await Promise.all([startTargetServer('healthy'), startTargetServer('healthy'), startWebhookReceiver('ok')]);
    let live: LiveMonitor | undefined;
    ctx.onTestFinished(async () => {
      await live?.stop();
      await runtime.close();
      await sender.close();
      for (const closable of [flappy, steady, receiver]) await closable.close();
      t.close();
    });
    const asset = async (key: string) => (await ok(t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key } }), 201)).id as number;
    const check = (key: string, assetId: number, url: string) => ok(t.call('POST', '/api/checks', {
      body: { key, assetId, kind: 'http', intervalSeconds: 1, timeoutMs: 300, failureThreshold: 2, successThreshold: 2, http: { url, expectStatus: 200 } },
    }), 201);
    const statusOf = async (id: number) => (await ok(t.call('GET', `/api/assets/${id}`))) as { status: string; statusReason: string | null };
    const assetEvents = (id: number) => (rawClient(t.sqlite)
      .prepare("select type, data from events where subject_kind = 'asset' and subject_id = ? and type like 'asset.%' and type != 'asset.created' order by id")
      .all(id) as Array<{ type: string; data: string }>).map((r) => ({ type: r.type, data: JSON.parse(r.data) }));

    const flappyId = await asset('gs-flappy');
    const steadyId = await asset('gs-steady');
    await check('flappy-health', flappyId, flappy.url);
    await check('steady-health', steadyId, steady.url);
    // k-of-n: a flapping member still serves, so the function stays operational.
    const relay = await ok(t.call('POST', '/api/functions', {
      body: { key: 'relay', name: 'Relay', tier: 'PMEF', rtoSeconds: 600, mtdSeconds: 3_600, groups: [{ name: 'sites', k: 1, members: [{ assetId: flappyId }] }] },
    }), 201);
    const withPrivateHooks = clientFor(createApp({ database: () => t.sqlite.db, webhooks: { allowPrivate: true } }), t.tokens);
    await ok(withPrivateHooks('POST', '/api/webhooks', { body: { url: receiver.urlFor(HOOK_PATH), events: ['asset.flapping'] } }), 201);
    live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200 });
    await waitFor('both up', async () => (await statusOf(flappyId)).status === 'up' && (await statusOf(steadyId)).status === 'up');

    // Every other answer is too slow for the 300 ms timeout: up, down, up, down… never two in a row.
    flappy.setMode('slow', { delayMs: [0, 1_000] });
    await waitFor('flapping', async () => (await statusOf(flappyId)).status === 'flapping', 15_000);
    expect((await statusOf(flappyId)).statusReason).toMatch(/^flappy-health: flapping \(\d+% state change over the last 21 checks\)$/);
    expect((await ok(t.call('GET', `/api/functions/${relay.id}`))).status).toBe('operational');
    // It keeps alternating, and is not announced again.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await statusOf(flappyId)).status).toBe('flapping');
    expect(assetEvents(flappyId).map((e) => e.type)).toEqual(['asset.up', 'asset.flapping']);
    expect(assetEvents(flappyId)[1]!.data).toMatchObject({ previous: 'up', status: 'flapping', assetKey: 'gs-flappy', functionKeys: ['relay'] });
    expect((await ok(t.call('GET', '/api/incidents'))).items).toEqual([]);

    const dispatcher = new WebhookDispatcher({ db: t.sqlite.db, send: sender.send });
    await dispatcher.fanOut();
    await dispatcher.deliverDue();
    const [delivery] = await receiver.waitForRequests(1);
    const body = receiver.json(delivery!);
    expect(body).toMatchObject({ type: 'asset.flapping', data: { assetKey: 'gs-flappy', status: 'flapping' } });
    // Chat formats give it its own headline.
    const described = describeEvent({ id: 1, ts: Date.now(), type: body.type, subjectKind: 'asset', subjectKey: 'gs-flappy', severity: 'info', drillRunId: null, data: body.data });
    expect(described.headline).toBe('gs-flappy is flapping — affects relay');

    // Steady again: flapping stops once the changes have aged out of the 21-check window.
    flappy.setMode('healthy');
    await waitFor('up again', async () => (await statusOf(flappyId)).status === 'up', 40_000);
    expect(assetEvents(flappyId).map((e) => e.type)).toEqual(['asset.up', 'asset.flapping', 'asset.up']);
    expect(assetEvents(flappyId)[2]!.data).toMatchObject({ previous: 'flapping', status: 'up' });
    expect(assetEvents(steadyId).map((e) => e.type)).toEqual(['asset.up']);
    expect(receiver.requests).toHaveLength(1);
  }, 70_000);

  it('keeps its flap history across a fresh load (a restart, or a Workers tick), rebuilt from the stored results', async (ctx) => {
    const { expect } = ctx;
    const t = await createTestApp();
    ctx.onTestFinished(() => t.close());
    const assetId = (await ok(t.call('POST', '/api/assets', { body: { key: 'gs-reloaded', kind: 'ground_station', name: 'gs-reloaded' } }), 201)).id as number;
    const check = await ok(t.call('POST', '/api/checks', {
      body: { key: 'reloaded-health', assetId, kind: 'http', intervalSeconds: 60, failureThreshold: 2, successThreshold: 2, http: { url: 'http://127.0.0.1:9/' } },
    }), 201);
    // Four results stored by an earlier run, alternating up and down a minute apart: not yet 20 %.
    const now = Date.now();
    const earlier = await Monitor.load(t.sqlite.db, now - 5 * 60_000);
    for (let i = 0; i < 4; i++) {
      const at = now - (4 - i) * 60_000;
      const status = i % 2 ? 'down' : 'up';
      await commitAtomically(t.sqlite.db, earlier.planObservations(t.sqlite.db, [{ checkId: check.id, at, observation: { status, latencyMs: null, message: status } }], at));
    }
    const monitor = await Monitor.load(t.sqlite.db, now);
    expect(percentStateChange(monitor.checkState(check.id)!.flap)).toBeGreaterThan(15);
    // Two more alternating results: flapping, though this process saw only those two.
    for (const [i, status] of (['up', 'down'] as const).entries()) {
      const at = now + i * 60_000;
      await commitAtomically(t.sqlite.db, monitor.planObservations(t.sqlite.db, [{ checkId: check.id, at, observation: { status, latencyMs: null, message: status } }], at));
    }
    expect(monitor.checkState(check.id)!.status).toBe('flapping');
    expect((await ok(t.call('GET', `/api/assets/${assetId}`))).status).toBe('flapping');
  });
});
