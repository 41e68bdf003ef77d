// The Cron Trigger on Workers: one tick probes what is due, records state, opens and resolves
// incidents, advances drills and delivers signed webhooks — against real sockets on 127.0.0.1.
import { createScheduledController, env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import worker from '../../src/hosts/workers/main.js';
import { call, eventually, expectStatus } from './client.js';

const fixture = inject('fixtureUrl');
const MINUTE = 60_000;
let clock = Date.now();

/** Runs the scheduled handler as the next minute's Cron Trigger would. */
async function tick(cron = '* * * * *'): Promise<void> {
  clock += MINUTE;
  await worker.scheduled(createScheduledController({ scheduledTime: clock, cron }), env);
}

async function setTarget(mode: 'healthy' | 'failing'): Promise<void> {
  await (await fetch(`${fixture}/control?mode=${mode}`, { method: 'POST' })).text();
}

/** What the receiver's /hook got. */
async function received(): Promise<Array<{ headers: Record<string, string>; body: string }>> {
  return ((await (await fetch(`${fixture}/received`)).json()) as Array<{ path: string; headers: Record<string, string>; body: string }>).filter((r) => r.path === '/hook');
}

async function deliveryCount(): Promise<number> {
  return (await env.DB.prepare('select count(*) as n from webhook_deliveries').first<{ n: number }>())!.n;
}

async function assetStatus(id: number): Promise<string> {
  return (await expectStatus(call('GET', `/api/assets/${id}`), 200)).status;
}

describe('the scheduled handler', () => {
  let stationId: number;

  beforeAll(async () => {
    await (await fetch(`${fixture}/control?mode=healthy&reset=1`, { method: 'POST' })).text();
    stationId = (await expectStatus(call('POST', '/api/assets', { body: { key: 'gs-kiruna', kind: 'ground_station', name: 'Kiruna', criticality: 'high' } }), 201)).id;
    await expectStatus(call('POST', '/api/checks', {
      body: { key: 'kiruna-health', assetId: stationId, kind: 'http', intervalSeconds: 30, failureThreshold: 1, successThreshold: 1, http: { url: `${fixture}/target` } },
    }), 201);
    await expectStatus(call('POST', '/api/webhooks', { body: { url: `${fixture}/hook`, events: ['asset.down', 'incident.opened', 'incident.resolved'] } }), 201);
  });

  it('probes a healthy target and marks the asset up, with the result stored', async () => {
    await tick();
    expect(await assetStatus(stationId)).toBe('up');
    const { results } = await env.DB.prepare('select status, latency_ms as latency from check_results').all<{ status: number; latency: number }>();
    expect(results).toHaveLength(1);
    expect(results[0]!.status).toBe(0);
  });

  it('sees the target fail on the next tick: asset down, incident opened, signed webhooks delivered', async () => {
    await setTarget('failing');
    await tick();
    expect(await assetStatus(stationId)).toBe('down');

    const incidents = await expectStatus(call('GET', '/api/incidents'), 200);
    expect(incidents.items).toEqual([expect.objectContaining({ state: 'open', title: expect.stringContaining('Kiruna is down') })]);

    // The tick queues the deliveries; the queue consumer sends them.
    const deliveries = await eventually(
      () => env.DB.prepare('select status, message_id as messageId from webhook_deliveries order by id').all<{ status: string; messageId: string }>(),
      (d) => d.results.every((row) => row.status !== 'pending'),
    );
    expect(deliveries.results.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);

    const got = await received();
    const types = got.map((r) => JSON.parse(r.body).type);
    expect(types).toEqual(['asset.down', 'incident.opened']);
    for (const [i, r] of got.entries()) {
      expect(r.headers['webhook-id']).toBe(deliveries.results[i]!.messageId);
      expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    }
  });

  it('resolves the incident when the target recovers', async () => {
    await setTarget('healthy');
    await tick();
    expect(await assetStatus(stationId)).toBe('up');
    const incidents = await expectStatus(call('GET', '/api/incidents'), 200);
    expect(incidents.items[0]).toMatchObject({ state: 'resolved' });
    const got = await eventually(received, (all) => all.some((r) => JSON.parse(r.body).type === 'incident.resolved'));
    expect(got.map((r) => JSON.parse(r.body).type)).toContain('incident.resolved');
  });

  it('runs a check once per interval, not on every tick', async () => {
    const check = await expectStatus(call('POST', '/api/checks', {
      body: { key: 'kiruna-hourly', assetId: stationId, kind: 'http', intervalSeconds: 3600, http: { url: `${fixture}/target` } },
    }), 201);
    const results = async () => (await env.DB.prepare('select count(*) as n from check_results where check_id = ?').bind(check.id).first<{ n: number }>())!.n;
    await tick();
    expect(await results()).toBe(1);
    await tick();
    await tick();
    expect(await results()).toBe(1);
  });
});

describe('push checks on a tick', () => {
  it('judges a push check by the heartbeats stored between ticks', async () => {
    const terminal = (await expectStatus(call('POST', '/api/assets', { body: { key: 'vsat-terminal-7', kind: 'ground_station', name: 'VSAT terminal 7' } }), 201)).id;
    const push = await expectStatus(call('POST', '/api/checks', {
      body: { key: 'terminal-7-heartbeat', assetId: terminal, kind: 'push', intervalSeconds: 1, failureThreshold: 1, successThreshold: 1, push: { graceSeconds: 0 } },
    }), 201);
    await expectStatus(call('POST', push.pushUrl, { token: null }), 200);
    await tick();
    expect(await assetStatus(terminal)).toBe('up');
    // No heartbeat for longer than interval + grace (1 s, by the wall clock heartbeats are stamped with): down.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await tick();
    expect(await assetStatus(terminal)).toBe('down');
    await expectStatus(call('DELETE', `/api/checks/${push.id}`), 204);
  });
});

describe('a simulated drill across ticks', () => {
  it('is taken up by each tick where the last left it: detected, failed over, restored — with no incident and no page', async () => {
    const station = async (key: string) =>
      (await expectStatus(call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key } }), 201)).id as number;
    const [a, b] = [await station('gs-awarua'), await station('gs-hartebeesthoek')];
    for (const [key, assetId] of [['awarua-health', a], ['hartebeesthoek-health', b]] as const) {
      await expectStatus(call('POST', '/api/checks', { body: { key, assetId, kind: 'http', intervalSeconds: 30, failureThreshold: 1, successThreshold: 1, http: { url: `${fixture}/target` } } }), 201);
    }
    const fn = await expectStatus(call('POST', '/api/functions', {
      body: { key: 'tt-and-c-south', name: 'TT&C south', tier: 'MEF', rtoSeconds: 900, mtdSeconds: 3600, groups: [{ name: 'stations', k: 1, members: [{ assetId: a }, { assetId: b }] }] },
    }), 201);
    await setTarget('healthy');
    await tick();
    const incidentsBefore = (await expectStatus(call('GET', '/api/incidents'), 200)).items.length;
    const deliveriesBefore = await deliveryCount();

    const drill = await expectStatus(call('POST', '/api/drills', {
      body: { key: 'awarua-loss', name: 'Awarua loss', targetAssetIds: [a], mode: 'simulated', hypothesis: { functionIds: [fn.id] }, guardrails: { maxDurationSeconds: 3600 } },
    }), 201);
    const run = await expectStatus(call('POST', `/api/drills/${drill.id}/runs`), 201);
    expect(run.status).toBe('running');
    expect(await assetStatus(a)).toBe('down');

    for (let i = 0; i < 5; i++) {
      await tick();
      const now = await expectStatus(call('GET', `/api/drills/${drill.id}/runs/${run.id}`), 200);
      if (now.status !== 'running') break;
      // Until failover is confirmed the target stays down by simulation: a fresh tick must not undo it.
      if (now.failoverCompletedAt === null) expect(await assetStatus(a)).toBe('down');
    }
    const done = await expectStatus(call('GET', `/api/drills/${drill.id}/runs/${run.id}`), 200);
    expect(done).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(done.steps.map((s: { step: string }) => s.step)).toEqual(['resolve_targets', 'inject', 'detected', 'failed_over', 'rollback', 'restored']);
    expect(await assetStatus(a)).toBe('up');

    expect((await expectStatus(call('GET', '/api/incidents'), 200)).items).toHaveLength(incidentsBefore);
    expect(await deliveryCount()).toBe(deliveriesBefore);
    const marked = await env.DB.prepare("select count(*) as n from events where type = 'asset.down' and subject_key = 'gs-awarua' and drill_run_id = ?").bind(run.id).first<{ n: number }>();
    expect(marked!.n).toBe(1);
  });
});
