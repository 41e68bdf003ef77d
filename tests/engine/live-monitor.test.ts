// The running system against real loopback targets: LiveMonitor probes, flushes results in
// batches, and turns them into asset/function states, events and incidents in the same
// database the API reads. Everything here is observed through the API or the database.
import { describe, it } from 'vitest';
import { events, maintenanceWindows } from '../../src/core/store/schema/index.js';
import { waitFor, ok } from '../helpers.js';
import { liveMonitorEnv as setup } from '../support/live-monitor-env.js';

// ---- tests ---------------------------------------------------------------------------------

describe.concurrent('an asset through an outage', () => {
  it('up, down after the failure threshold with an incident, acknowledged, resolved on recovery', async (ctx) => {
    const { expect } = ctx;
    const { t, target, startMonitor, createAsset, createHttpCheck, asset, fn, check, incidentsList, assetStatusIs, eventsOf, resultsOf } = await setup(ctx);
    const server = await target('healthy');
    const stationId = await createAsset('gs-kiruna', { criticality: 'high' });
    const c = await createHttpCheck('kiruna-health', stationId, server.url);
    await startMonitor();

    await assetStatusIs(stationId, 'up');
    expect(await incidentsList()).toEqual([]);

    const failedAt = Date.now();
    server.setMode('failing');
    await assetStatusIs(stationId, 'down');
    const failures = resultsOf(c.id).filter((r) => r.ts >= failedAt && r.status === 2);
    expect(failures.length).toBeGreaterThanOrEqual(2);
    // confirmed by the second failure in a row (failureThreshold: 2), not the first
    expect(Date.parse((await check(c.id)).statusSince)).toBe(failures[1]!.ts);

    const open = await waitFor('an open incident', async () => (await incidentsList('?state=open'))[0]);
    expect(open).toMatchObject({ assetId: stationId, functionIds: [], state: 'open', acknowledgedAt: null, resolvedAt: null });
    expect(typeof open.id).toBe('number');
    expect(Date.parse(open.openedAt)).toBeGreaterThanOrEqual(failedAt);
    expect(open.ttdMs).toBeGreaterThanOrEqual(0);

    // the state change, its event and the incident are in the same database
    const downEvents = eventsOf('asset.down', { kind: 'asset', id: stationId });
    expect(downEvents).toHaveLength(1);
    expect(downEvents[0]!.data).toMatchObject({ assetKey: 'gs-kiruna', previous: 'up', status: 'down' });
    expect(downEvents[0]!.data.reason).toMatch(/kiruna-health: status 503/);
    expect(eventsOf('incident.opened', { kind: 'incident', id: open.id })).toHaveLength(1);
    expect((await asset(stationId)).statusReason).toMatch(/503/);
    expect((await check(c.id)).status).toBe('down');

    // a viewer cannot acknowledge; an officer can
    expect((await t.call('POST', `/api/incidents/${open.id}/ack`, { token: t.tokens.viewer })).status).toBe(403);
    const acked = await ok(t.call('POST', `/api/incidents/${open.id}/ack`, { token: t.tokens.officer }));
    expect(acked.acknowledgedAt).not.toBeNull();
    expect(acked.acknowledgedBy).toMatch(/officer/);
    expect(acked.state).toBe('open');

    server.setMode('healthy');
    await assetStatusIs(stationId, 'up');
    const resolved = await waitFor('resolved incident', async () => (await incidentsList('?state=resolved'))[0]);
    expect(resolved).toMatchObject({ id: open.id, state: 'resolved', acknowledgedAt: acked.acknowledgedAt });
    expect(resolved.resolvedAt).not.toBeNull();
    expect(Date.parse(resolved.resolvedAt)).toBeGreaterThanOrEqual(Date.parse(resolved.openedAt));
    expect(resolved.ttdMs).toBeGreaterThanOrEqual(0);
    expect(resolved.ttrMs).toBeGreaterThan(0);
    expect(await incidentsList('?state=open')).toEqual([]);
    expect(eventsOf('incident.resolved', { kind: 'incident', id: open.id })).toHaveLength(1);
    expect(eventsOf('asset.up', { kind: 'asset', id: stationId }).at(-1)!.data).toMatchObject({ previous: 'down' });

    // the timeline tells the story in order
    const detail = await ok(t.call('GET', `/api/incidents/${open.id}`));
    const types = detail.timeline.map((e: { type: string }) => e.type);
    expect(types.indexOf('asset.down')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('incident.opened')).toBeGreaterThan(types.indexOf('asset.down'));
    expect(types.indexOf('incident.acknowledged')).toBeGreaterThan(types.indexOf('incident.opened'));
    expect(types.indexOf('incident.resolved')).toBeGreaterThan(types.indexOf('incident.acknowledged'));
  });

  it('a slow target over its latency budget is degraded, not down, and opens no incident', async (ctx) => {
    const { expect } = ctx;
    const { t, target, startMonitor, createAsset, createHttpCheck, asset, fn, check, incidentsList, assetStatusIs, eventsOf, resultsOf } = await setup(ctx);
    const server = await target('healthy');
    const id = await createAsset('moc-darmstadt');
    const c = await createHttpCheck('darmstadt-api', id, server.url, { timeoutMs: 2_000 }, { latencyBudgetMs: 150 });
    await startMonitor();
    await assetStatusIs(id, 'up');

    server.setMode('slow', { delayMs: 400 });
    await assetStatusIs(id, 'degraded');
    const reason = (await asset(id)).statusReason as string;
    expect(reason).toMatch(/over budget 150 ms/);
    // stays degraded while slow
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await asset(id)).status).toBe('degraded');
    expect(resultsOf(c.id).some((r) => r.status === 2)).toBe(false);
    expect(eventsOf('asset.degraded', { kind: 'asset', id })).toHaveLength(1);
    expect(eventsOf('asset.down')).toHaveLength(0);
    expect(await incidentsList()).toEqual([]);
  });

  it('a black-holed target times out and goes down while other checks keep running on time', async (ctx) => {
    const { expect } = ctx;
    const { t, target, startMonitor, createAsset, createHttpCheck, asset, fn, check, incidentsList, assetStatusIs, eventsOf, resultsOf } = await setup(ctx);
    const hole = await target('black-hole');
    const healthy = await target('healthy');
    const holeA = await createAsset('gs-hole-a');
    const holeB = await createAsset('gs-hole-b');
    const fine = await createAsset('gs-fine');
    await createHttpCheck('hole-a', holeA, hole.url);
    await createHttpCheck('hole-b', holeB, `${hole.url}b`);
    const fineCheck = await createHttpCheck('fine', fine, healthy.url);
    // two slots: the black-holed probes could take both if their timeouts were not enforced
    const monitor = await startMonitor({ concurrency: 2 });

    await assetStatusIs(holeA, 'down');
    await assetStatusIs(holeB, 'down');
    expect((await asset(holeA)).statusReason).toMatch(/timed out/);
    expect((await asset(fine)).status).toBe('up');

    const since = Date.now();
    await new Promise((r) => setTimeout(r, 4_000));
    const runs = resultsOf(fineCheck.id).filter((r) => r.ts >= since - 1_000);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.every((r) => r.status === 0)).toBe(true);
    const gaps = runs.slice(1).map((r, i) => r.ts - runs[i]!.ts);
    expect(Math.max(...gaps)).toBeLessThan(2_500);
    expect(monitor.scheduler.inFlightCount).toBeLessThanOrEqual(2);
  });

  it('a check whose schedule changes while a probe is in flight keeps running', async (ctx) => {
    const { expect } = ctx;
    const { t, target, startMonitor, createAsset, createHttpCheck, asset, fn, check, incidentsList, assetStatusIs, eventsOf, resultsOf } = await setup(ctx);
    const hole = await target('black-hole');
    const id = await createAsset('gs-retimed');
    const c = await createHttpCheck('retimed', id, hole.url, { intervalSeconds: 2, timeoutMs: 1_500 });
    await startMonitor();
    // wait until a probe hangs on the target, then change the interval under it
    await waitFor('a probe in flight', () => hole.requests > 0, 5_000);
    await ok(t.call('PATCH', `/api/checks/${c.id}`, { body: { intervalSeconds: 1 } }));
    const before = hole.requests;
    await waitFor('the check to keep running after the change', () => hole.requests >= before + 2, 8_000);
  });
});

describe.concurrent('mission functions over two assets (1-of-2)', () => {
  it('SPOF when one fails, lost when both fail, operational with N again on recovery', async (ctx) => {
    const { expect } = ctx;
    const { t, target, startMonitor, createAsset, createHttpCheck, asset, fn, check, incidentsList, assetStatusIs, eventsOf, resultsOf } = await setup(ctx);
    const cableA = await target('healthy');
    const cableB = await target('healthy');
    const a = await createAsset('svalbard-cable-1', { kind: 'service' });
    const b = await createAsset('svalbard-cable-2', { kind: 'service' });
    const fast = { failureThreshold: 1, successThreshold: 1 };
    await createHttpCheck('cable-1', a, cableA.url, fast);
    await createHttpCheck('cable-2', b, cableB.url, fast);
    const created = await ok(
      t.call('POST', '/api/functions', {
        body: {
          key: 'svalbard-downlink', name: 'Svalbard downlink', tier: 'MEF', rtoSeconds: 600, mtdSeconds: 3600,
          groups: [{ name: 'subsea cables', k: 1, members: [{ assetId: a }, { assetId: b }] }],
        },
      }),
      201,
    );
    const fnId: number = created.id;
    await startMonitor();
    await assetStatusIs(a, 'up');
    await assetStatusIs(b, 'up');
    expect(await fn(fnId)).toMatchObject({ status: 'operational', redundancy: 'N' });

    cableA.setMode('failing');
    await assetStatusIs(a, 'down');
    await waitFor('function SPOF', async () => (await fn(fnId)).redundancy === 'SPOF');
    expect(await fn(fnId)).toMatchObject({ status: 'degraded', redundancy: 'SPOF' });
    const lostRedundancy = eventsOf('redundancy.lost', { kind: 'function', id: fnId });
    expect(lostRedundancy).toHaveLength(1);
    expect(lostRedundancy[0]!.data).toMatchObject({ functionKey: 'svalbard-downlink', redundancy: 'SPOF', status: 'degraded' });
    expect(eventsOf('function.degraded', { kind: 'function', id: fnId })).toHaveLength(1);
    // the cable's own incident names the function it hurts
    const first = await waitFor('incident for cable 1', async () => (await incidentsList('?state=open')).find((i) => i.assetId === a));
    expect(first.functionIds).toEqual([fnId]);

    cableB.setMode('failing');
    await assetStatusIs(b, 'down');
    await waitFor('function lost', async () => (await fn(fnId)).status === 'lost');
    expect(await fn(fnId)).toMatchObject({ status: 'lost', redundancy: 'none' });
    expect(eventsOf('function.lost', { kind: 'function', id: fnId })).toHaveLength(1);
    const open = await incidentsList('?state=open');
    expect(open.some((i) => i.functionIds.includes(fnId) && i.assetId === b)).toBe(true);
    // losing the function makes the incident that lost it more severe than the first cable's
    const second = open.find((i) => i.assetId === b)!;
    expect(['major', 'critical']).toContain(second.severity);

    cableA.setMode('healthy');
    cableB.setMode('healthy');
    await assetStatusIs(a, 'up');
    await assetStatusIs(b, 'up');
    await waitFor('function operational with N', async () => {
      const f = await fn(fnId);
      return f.status === 'operational' && f.redundancy === 'N';
    });
    expect(eventsOf('redundancy.restored', { kind: 'function', id: fnId }).length).toBeGreaterThanOrEqual(1);
    expect(eventsOf('function.operational', { kind: 'function', id: fnId }).length).toBeGreaterThanOrEqual(1);
    await waitFor('all incidents resolved', async () => (await incidentsList('?state=open')).length === 0);
  });
});

describe.concurrent('suppression', () => {
  it('an asset in a maintenance window shows maintenance while its checks fail, and opens no incident', async (ctx) => {
    const { expect } = ctx;
    const { t, target, startMonitor, createAsset, createHttpCheck, asset, fn, check, incidentsList, assetStatusIs, eventsOf, resultsOf } = await setup(ctx);
    const server = await target('healthy');
    const id = await createAsset('gs-hartebeesthoek');
    const c = await createHttpCheck('hbk-health', id, server.url, { failureThreshold: 1, successThreshold: 1 });
    await startMonitor();
    await assetStatusIs(id, 'up');

    const now = Date.now();
    await t.sqlite.db.insert(maintenanceWindows).values({
      key: 'hbk-antenna-service', title: 'Antenna bearing service', assetIds: [id],
      startsAt: now - 60_000, endsAt: now + 3_600_000, createdAt: now, updatedAt: now,
    });
    await t.sqlite.db.insert(events).values({
      ts: now, type: 'maintenance.created', subjectKind: 'maintenance', subjectKey: 'hbk-antenna-service', actor: 'test', data: {},
    });
    await assetStatusIs(id, 'maintenance');

    server.setMode('failing');
    await waitFor('the check itself to go down', async () => (await check(c.id)).status === 'down');
    // checks keep running, results keep landing, but the asset stays in maintenance
    const count = resultsOf(c.id).length;
    await waitFor('more results', () => resultsOf(c.id).length >= count + 2, 5_000);
    expect((await asset(id)).status).toBe('maintenance');
    expect(eventsOf('asset.down')).toHaveLength(0);
    expect(await incidentsList()).toEqual([]);
  });
});
