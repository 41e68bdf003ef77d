// Officers open, resolve, reopen and re-grade incidents by hand; the monitor leaves a hand
// resolution alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, errorPaths, expectErrorShape, ok, rawClient, refusedWithoutWrites, tableCounts, waitFor, type TestApp } from '../helpers.js';

let t: TestApp;
let assetId: number;
let functionId: number;

beforeEach(async () => {
  t = await createTestApp();
  assetId = (await ok(t.call('POST', '/api/assets', { body: { key: 'gs-kiruna', kind: 'ground_station', name: 'Kiruna' } }), 201)).id;
  functionId = (await ok(t.call('POST', '/api/functions', {
    body: { key: 'tt-c', name: 'TT&C', tier: 'PMEF', rtoSeconds: 300, mtdSeconds: 900, groups: [{ name: 'stations', k: 1, members: [{ assetId }] }] },
  }), 201)).id;
});
afterEach(() => t.close());

const incidentEvents = (id: number) =>
  (rawClient(t.sqlite).prepare(`select type, data from events where subject_kind = 'incident' and subject_id = ? order by id`).all(id) as Array<{ type: string; data: string }>)
    .map((e) => ({ type: e.type, data: JSON.parse(e.data) }));

async function openByHand(body: Record<string, unknown> = {}) {
  return ok(t.call('POST', '/api/incidents', { token: t.tokens.officer, body: { title: 'Uplink interference reported by Kiruna', severity: 'major', assetId, functionIds: [functionId], ...body } }), 201);
}

describe('by hand', () => {
  it('an officer opens an incident with a first update; it is announced in the same write', async () => {
    const created = await openByHand({ update: { status: 'investigating', message: 'Operators report noise on S-band' } });
    expect(created).toMatchObject({ state: 'open', severity: 'major', assetId, functionIds: [functionId], title: 'Uplink interference reported by Kiruna', ttdMs: 0 });
    expect(created.updates).toEqual([expect.objectContaining({ status: 'investigating', visibility: 'internal', message: 'Operators report noise on S-band' })]);
    const events = incidentEvents(created.id);
    expect(events.map((e) => e.type)).toEqual(['incident.opened', 'incident.updated']);
    expect(events[0]!.data).toMatchObject({ assetKey: 'gs-kiruna', functionKeys: ['tt-c'], ttdMs: 0 });
    const listed = await ok(t.call('GET', '/api/incidents?state=open', { token: t.tokens.viewer }));
    expect(listed.items.map((i: { id: number }) => i.id)).toEqual([created.id]);
  });

  it('refuses bad input naming the field, writes nothing, and needs an officer', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ title: '' }, 400, 'title'],
      [{ severity: 'catastrophic' }, 400, 'severity'],
      [{ assetId: 9999 }, 422, 'assetId'],
      [{ functionIds: [functionId, 9999] }, 422, 'functionIds'],
      [{ update: { status: 'investigating', message: 'x', visibility: 'everyone' } }, 400, 'update.visibility'],
      [{ colour: 'red' }, 400, ''],
    ];
    const before = tableCounts(t.sqlite);
    for (const [extra, status, path] of cases) {
      const res = await t.call('POST', '/api/incidents', { token: t.tokens.officer, body: { title: 'x', severity: 'minor', ...extra } });
      expectErrorShape(res, status);
      if (path) expect(errorPaths(res)).toContain(path);
    }
    expectErrorShape(await t.call('POST', '/api/incidents', { token: t.tokens.viewer, body: { title: 'x', severity: 'minor' } }), 403);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('a resolved update resolves it; reopen opens it again; each change has its event', async () => {
    const { id } = await openByHand();
    const resolved = await ok(t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.officer, body: { status: 'resolved', message: 'Interference source found', visibility: 'public' } }), 201);
    expect(resolved).toMatchObject({ state: 'resolved' });
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.ttrMs).toBeGreaterThanOrEqual(0);
    // a postmortem note keeps the first resolution
    const note = await ok(t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.officer, body: { status: 'resolved', message: 'Postmortem filed' } }), 201);
    expect(note.resolvedAt).toBe(resolved.resolvedAt);
    expectErrorShape(await t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.officer, body: { status: 'monitoring', message: 'x' } }), 409);

    const reopened = await ok(t.call('POST', `/api/incidents/${id}/reopen`, { token: t.tokens.officer }));
    expect(reopened).toMatchObject({ state: 'open', resolvedAt: null, ttrMs: null });
    expectErrorShape(await t.call('POST', `/api/incidents/${id}/reopen`, { token: t.tokens.officer }), 409);
    expectErrorShape(await t.call('POST', `/api/incidents/${id}/reopen`, { token: t.tokens.viewer }), 403);
    expectErrorShape(await t.call('POST', '/api/incidents/9999/reopen', { token: t.tokens.officer }), 404);

    const events = incidentEvents(id);
    expect(events.map((e) => e.type)).toEqual(['incident.opened', 'incident.updated', 'incident.resolved', 'incident.updated', 'incident.reopened']);
    expect(events[2]!.data).toMatchObject({ assetKey: 'gs-kiruna' });
    expect(events[4]!.data).toMatchObject({ reopenedBy: 'token:test-officer' });
  });

  it('PATCH sets the title and severity; an empty or wrong body is 400 naming the field', async () => {
    const { id } = await openByHand();
    const edited = await ok(t.call('PATCH', `/api/incidents/${id}`, { token: t.tokens.officer, body: { severity: 'critical' } }));
    expect(edited).toMatchObject({ severity: 'critical', title: 'Uplink interference reported by Kiruna' });
    const retitled = await ok(t.call('PATCH', `/api/incidents/${id}`, { token: t.tokens.officer, body: { title: 'Kiruna S-band interference' } }));
    expect(retitled).toMatchObject({ severity: 'critical', title: 'Kiruna S-band interference' });
    expect(incidentEvents(id).filter((e) => e.type === 'incident.edited').map((e) => e.data)).toEqual([
      { incidentRef: edited.ref, title: 'Uplink interference reported by Kiruna', changed: ['severity'] },
      { incidentRef: edited.ref, title: 'Kiruna S-band interference', changed: ['title'] },
    ]);
    expect(errorPaths(await t.call('PATCH', `/api/incidents/${id}`, { token: t.tokens.officer, body: {} }))).toContain('severity');
    expect(errorPaths(await t.call('PATCH', `/api/incidents/${id}`, { token: t.tokens.officer, body: { severity: 'huge' } }))).toContain('severity');
    expectErrorShape(await t.call('PATCH', `/api/incidents/${id}`, { token: t.tokens.viewer, body: { severity: 'minor' } }), 403);
    expectErrorShape(await t.call('PATCH', '/api/incidents/9999', { token: t.tokens.officer, body: { severity: 'minor' } }), 404);
  });

  it('PATCH sets the affected components; unknown ones are 422 naming the field and change nothing', async () => {
    const { id } = await openByHand({ functionIds: [] });
    const other = (await ok(t.call('POST', '/api/assets', { body: { key: 'gs-esrange', kind: 'ground_station', name: 'Esrange' } }), 201)).id;
    const edited = await ok(t.call('PATCH', `/api/incidents/${id}`, { token: t.tokens.officer, body: { affected: { assets: [assetId, other], functions: [functionId] } } }));
    expect(edited).toMatchObject({ affected: { assets: [assetId, other], functions: [functionId] }, functionIds: [functionId], cause: { assetId } });
    const { paths } = await refusedWithoutWrites(t, 'PATCH', `/api/incidents/${id}`, { token: t.tokens.officer, body: { affected: { assets: [9999], functions: [8888] } } }, 422);
    expect(paths).toEqual(['affected.assets', 'affected.functions']);
    expect((await ok(t.call('GET', `/api/incidents/${id}`))).affected).toEqual({ assets: [assetId, other], functions: [functionId] });
  });
});

describe('deleting an asset', () => {
  it('resolves its open incidents in the same write, with an update saying why; resolved ones are left alone', async () => {
    const { id: earlier } = await openByHand({ title: 'Earlier' });
    await ok(t.call('POST', `/api/incidents/${earlier}/updates`, { token: t.tokens.officer, body: { status: 'resolved', message: 'Done' } }), 201);
    const before = await ok(t.call('GET', `/api/incidents/${earlier}`));
    const { id } = await openByHand();
    const other = (await ok(t.call('POST', '/api/assets', { body: { key: 'gs-inuvik', kind: 'ground_station', name: 'Inuvik' } }), 201)).id;
    const { id: elsewhere } = await openByHand({ assetId: other, functionIds: [] });

    expect((await t.call('DELETE', `/api/assets/${assetId}?force=true`)).status).toBe(204);
    const after = await ok(t.call('GET', `/api/incidents/${id}`));
    expect(after).toMatchObject({ state: 'resolved', assetId: null });
    expect(after.resolvedAt).not.toBeNull();
    expect(after.updates.at(-1)).toMatchObject({ status: 'resolved', visibility: 'internal', message: 'Resolved because asset "gs-kiruna" was deleted.' });
    expect(incidentEvents(id).map((e) => e.type)).toEqual(['incident.opened', 'incident.updated', 'incident.resolved']);
    expect(await ok(t.call('GET', `/api/incidents/${earlier}`))).toMatchObject({ state: 'resolved', resolvedAt: before.resolvedAt, updates: before.updates });
    expect(await ok(t.call('GET', `/api/incidents/${elsewhere}`))).toMatchObject({ state: 'open' });
  });
});

describe('the monitor and a hand resolution', () => {
  it('a hand-resolved incident of a down asset stays resolved; recovery keeps its resolution; the next failure opens a new one', async () => {
    const runtime = createNodeProbeRuntime();
    const check = await ok(t.call('POST', '/api/checks', {
      body: { key: 'kiruna-heartbeat', assetId, kind: 'push', intervalSeconds: 1, timeoutMs: 500, failureThreshold: 2, successThreshold: 1, push: { graceSeconds: 1 } },
    }), 201);
    const live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200 });
    try {
      const open = async () => (await ok(t.call('GET', `/api/incidents?state=open&assetId=${assetId}`))).items as Array<{ id: number }>;
      const someOpen = async () => ((await open()).length ? open() : null);
      const beat = () => setInterval(() => void t.call('POST', check.pushUrl, { token: null }), 250);
      let beating = beat();
      await waitFor('the asset is up', async () => (await ok(t.call('GET', `/api/assets/${assetId}`))).status === 'up', 15_000);
      clearInterval(beating);
      const first = (await waitFor('an incident opens on silence', someOpen, 15_000))[0]!;
      const resolved = await ok(t.call('POST', `/api/incidents/${first.id}/updates`, { token: t.tokens.officer, body: { status: 'resolved', message: 'Known: antenna stowed for maintenance' } }), 201);
      await new Promise((r) => setTimeout(r, 2500));
      expect(await open()).toEqual([]);

      beating = beat();
      await waitFor('the asset recovers', async () => (await ok(t.call('GET', `/api/assets/${assetId}`))).status === 'up', 15_000);
      clearInterval(beating);
      await new Promise((r) => setTimeout(r, 300));
      const after = await ok(t.call('GET', `/api/incidents/${first.id}`));
      expect(after).toMatchObject({ state: 'resolved', resolvedAt: resolved.resolvedAt, ttrMs: resolved.ttrMs });

      const second = (await waitFor('a new failure opens a new incident', someOpen, 15_000))[0]!;
      expect(second.id).not.toBe(first.id);
    } finally {
      await live.stop();
      await runtime.close();
    }
  }, 60_000);
});
