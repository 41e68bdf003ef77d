import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { incidents } from '../../src/core/store/schema/index.js';
import { createTestApp, expectErrorShape, rawClient, tableCounts, type TestApp } from '../helpers.js';

let t: TestApp;
let assetId: number;

beforeEach(async () => {
  t = await createTestApp();
  const res = await t.call('POST', '/api/assets', { body: { key: 'gs-kourou', kind: 'ground_station', name: 'Kourou' } });
  if (res.status !== 201) throw new Error(`setup: ${res.status} ${res.text}`);
  assetId = res.body.id;
});
afterEach(() => t.close());

const MIN = 60_000;
const BASE = Date.UTC(2025, 2, 1, 12);
let seq = 0;

/** Inserts an incident row directly, for exact figures. Times are offsets in ms from `startedAt`. */
async function insertIncident(spec: {
  startedAt?: number; ttd: number; tta?: number | null; ttr?: number | null; severity?: 'info' | 'minor' | 'major' | 'critical'; functionIds?: number[];
}): Promise<number> {
  const startedAt = spec.startedAt ?? BASE;
  const openedAt = startedAt + spec.ttd;
  const resolvedAt = spec.ttr == null ? null : startedAt + spec.ttr;
  const ref = `inc-${++seq}`;
  await t.sqlite.db.insert(incidents).values({
    ref, assetId, functionIds: spec.functionIds ?? [], state: resolvedAt === null ? 'open' : 'resolved', severity: spec.severity ?? 'major',
    title: `Kourou is down (${ref})`, startedAt, openedAt,
    acknowledgedAt: spec.tta == null ? null : openedAt + spec.tta, acknowledgedBy: spec.tta == null ? null : 'token:duty-officer', resolvedAt,
  });
  const row = rawClient(t.sqlite).prepare('select id from incidents where ref = ?').get(ref) as { id: number };
  return row.id;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The incident's own events in its timeline (the timeline also carries its asset's events). */
const incidentEvents = (timeline: Array<{ type: string }>) => timeline.map((e) => e.type).filter((type) => type.startsWith('incident.'));

describe('list and get', () => {
  it('lists newest first, filtered by state, with the fields other tools rely on', async () => {
    const resolved = await insertIncident({ ttd: 1 * MIN, ttr: 10 * MIN });
    const open = await insertIncident({ startedAt: BASE + 60 * MIN, ttd: 2 * MIN, functionIds: [] });

    const all = await t.call('GET', '/api/incidents', { token: t.tokens.viewer });
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { id: number }) => i.id)).toEqual([open, resolved]);

    const onlyOpen = await t.call('GET', '/api/incidents?state=open');
    expect(onlyOpen.body.items).toHaveLength(1);
    expect(onlyOpen.body.items[0]).toMatchObject({
      id: open, assetId, functionIds: [], state: 'open', openedAt: iso(BASE + 62 * MIN), acknowledgedAt: null, resolvedAt: null,
      startedAt: iso(BASE + 60 * MIN), ttdMs: 2 * MIN, ttaMs: null, ttrMs: null,
    });
    const onlyResolved = await t.call('GET', '/api/incidents?state=resolved');
    expect(onlyResolved.body.items.map((i: { id: number }) => i.id)).toEqual([resolved]);
    expect(onlyResolved.body.items[0]).toMatchObject({ resolvedAt: iso(BASE + 10 * MIN), ttrMs: 10 * MIN });

    expectErrorShape(await t.call('GET', '/api/incidents?state=closed'), 400);
    expectErrorShape(await t.call('GET', '/api/incidents', { token: null }), 401);
  });

  it('gets one incident with updates and timeline; an unknown id is 404', async () => {
    const id = await insertIncident({ ttd: MIN });
    const res = await t.call('GET', `/api/incidents/${id}`, { token: t.tokens.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, state: 'open', updates: [] });
    expect(Array.isArray(res.body.timeline)).toBe(true);
    expectErrorShape(await t.call('GET', '/api/incidents/9999'), 404);
  });
});

describe('acknowledge', () => {
  it('an officer acknowledges; doing it again keeps the first acknowledgement and records one event', async () => {
    const id = await insertIncident({ startedAt: Date.now() - 5 * MIN, ttd: MIN });
    const first = await t.call('POST', `/api/incidents/${id}/ack`, { token: t.tokens.officer });
    expect(first.status).toBe(200);
    expect(first.body.acknowledgedAt).not.toBeNull();
    expect(first.body.acknowledgedBy).toMatch(/officer/);
    expect(first.body.ttaMs).toBeGreaterThanOrEqual(4 * MIN - 1000);

    await new Promise((r) => setTimeout(r, 10));
    const again = await t.call('POST', `/api/incidents/${id}/ack`, { token: t.tokens.admin });
    expect(again.status).toBe(200);
    expect(again.body.acknowledgedAt).toBe(first.body.acknowledgedAt);
    expect(again.body.acknowledgedBy).toBe(first.body.acknowledgedBy);
    const events = rawClient(t.sqlite).prepare(`select type, subject_id as subjectId from events where type = 'incident.acknowledged'`).all();
    expect(events).toEqual([{ type: 'incident.acknowledged', subjectId: id }]);

    // the acknowledgement shows in the timeline
    const detail = await t.call('GET', `/api/incidents/${id}`);
    expect(incidentEvents(detail.body.timeline)).toEqual(['incident.acknowledged']);
  });

  it('a viewer cannot acknowledge; an unknown incident is 404', async () => {
    const id = await insertIncident({ ttd: MIN });
    const before = tableCounts(t.sqlite);
    expect(expectErrorShape(await t.call('POST', `/api/incidents/${id}/ack`, { token: t.tokens.viewer }), 403).code).toBe('forbidden');
    expectErrorShape(await t.call('POST', `/api/incidents/${id}/ack`, { token: null }), 401);
    expect(tableCounts(t.sqlite)).toEqual(before);
    expectErrorShape(await t.call('POST', '/api/incidents/9999/ack', { token: t.tokens.officer }), 404);
  });
});

describe('updates', () => {
  it('officers add updates, which come back in order with their author', async () => {
    const id = await insertIncident({ ttd: MIN });
    const first = await t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.officer, body: { status: 'investigating', message: 'Antenna control unit not answering' } });
    expect(first.status).toBe(201);
    const second = await t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.officer, body: { status: 'identified', message: 'UPS tripped; on generator' } });
    expect(second.status).toBe(201);
    expect(second.body.updates.map((u: { status: string; message: string }) => [u.status, u.message])).toEqual([
      ['investigating', 'Antenna control unit not answering'],
      ['identified', 'UPS tripped; on generator'],
    ]);
    expect(second.body.updates[0].author).toMatch(/officer/);
    expect(incidentEvents(second.body.timeline)).toEqual(['incident.updated', 'incident.updated']);
  });

  it('need an officer: a viewer is refused with 403 and nothing is written', async () => {
    const id = await insertIncident({ ttd: MIN });
    const before = tableCounts(t.sqlite);
    const res = await t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.viewer, body: { status: 'investigating', message: 'x' } });
    expect(expectErrorShape(res, 403).code).toBe('forbidden');
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('validate the body', async () => {
    const id = await insertIncident({ ttd: MIN });
    expectErrorShape(await t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.officer, body: { status: 'panicking', message: 'x' } }), 400);
    expectErrorShape(await t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.officer, body: { status: 'monitoring', message: '   ' } }), 400);
    expectErrorShape(await t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.officer, body: { status: 'monitoring', message: 'x', extra: 1 } }), 400);
    expectErrorShape(await t.call('POST', '/api/incidents/9999/updates', { token: t.tokens.officer, body: { status: 'monitoring', message: 'x' } }), 404);
  });

  it('on a resolved incident only a "resolved" update (e.g. a postmortem note) is accepted; others are 409', async () => {
    const id = await insertIncident({ ttd: MIN, ttr: 30 * MIN });
    const before = tableCounts(t.sqlite);
    for (const status of ['investigating', 'identified', 'monitoring']) {
      const res = await t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.officer, body: { status, message: 'late note' } });
      expect(expectErrorShape(res, 409).code).toBe('conflict');
    }
    expect(tableCounts(t.sqlite)).toEqual(before);
    const note = await t.call('POST', `/api/incidents/${id}/updates`, { token: t.tokens.officer, body: { status: 'resolved', message: 'Postmortem: UPS battery replaced' } });
    expect(note.status).toBe(201);
    expect(note.body.updates).toHaveLength(1);
  });
});

describe('recovery report', () => {
  const from = BASE;
  const to = BASE + 24 * 60 * MIN;

  async function seed() {
    // in the period: TTD 60/30/90/120 s; TTA 120/60/–/30 s; TTR 600/300/900/– s
    await insertIncident({ startedAt: BASE + 1 * 60 * MIN, ttd: 60_000, tta: 120_000, ttr: 600_000, severity: 'critical' });
    await insertIncident({ startedAt: BASE + 2 * 60 * MIN, ttd: 30_000, tta: 60_000, ttr: 300_000, severity: 'major' });
    await insertIncident({ startedAt: BASE + 3 * 60 * MIN, ttd: 90_000, tta: null, ttr: 900_000, severity: 'major' });
    await insertIncident({ startedAt: BASE + 4 * 60 * MIN, ttd: 120_000, tta: 30_000, ttr: null, severity: 'minor' });
    // outside it: opened before `from`, and at `to` exactly (the end is exclusive)
    await insertIncident({ startedAt: BASE - 60 * MIN, ttd: 5_000, tta: 5_000, ttr: 5_000_000 });
    await insertIncident({ startedAt: to - 1_000, ttd: 1_000, tta: 1, ttr: 2_000 });
  }

  it('counts incidents opened in [from, to) and gives mean, p50 and p95 of TTD, TTA and TTR', async () => {
    await seed();
    const res = await t.call('GET', `/api/reports/recovery?from=${iso(from)}&to=${iso(to)}`, { token: t.tokens.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: iso(from),
      to: iso(to),
      incidents: 4,
      open: 1,
      detect: { count: 4, meanMs: 75_000, p50Ms: 60_000, p95Ms: 120_000 },
      acknowledge: { count: 3, meanMs: 70_000, p50Ms: 60_000, p95Ms: 120_000 },
      recover: { count: 3, meanMs: 600_000, p50Ms: 600_000, p95Ms: 900_000 },
      bySeverity: { critical: 1, major: 2, minor: 1, info: 0 },
    });
  });

  it('an empty period has counts of zero and no figures', async () => {
    await seed();
    const res = await t.call('GET', `/api/reports/recovery?from=${iso(BASE - 10 * 24 * 60 * MIN)}&to=${iso(BASE - 9 * 24 * 60 * MIN)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      incidents: 0,
      open: 0,
      detect: { count: 0, meanMs: null, p50Ms: null, p95Ms: null },
      recover: { count: 0, meanMs: null, p50Ms: null, p95Ms: null },
    });
  });

  it('refuses from after to, and a malformed date', async () => {
    const { details } = expectErrorShape(await t.call('GET', `/api/reports/recovery?from=${iso(to)}&to=${iso(from)}`), 400);
    expect(details.map((d) => d.path)).toContain('from');
    expectErrorShape(await t.call('GET', '/api/reports/recovery?from=yesterday'), 400);
    expectErrorShape(await t.call('GET', '/api/reports/recovery', { token: null }), 401);
  });
});
