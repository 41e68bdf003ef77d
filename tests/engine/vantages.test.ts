// Quorum between vantages, in the monitor itself: a check run from central and two site agents
// is down only when two of them see it down; below that it is disputed (its asset degraded, no
// incident, nothing paged as an outage); a silent agent is lost and its votes stop counting, and
// a check left with too few live vantages reads unknown, never up. Agents' batches go through
// the live monitor's intake: committed with their id (a retry is not counted twice), late
// results filed into history without voting.
import { eq } from 'drizzle-orm';
import { describe, it } from 'vitest';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { AgentIntake } from '../../src/core/monitor/agent-intake.js';
import type { ObservationRecord } from '../../src/core/monitor/check-definition.js';
import { commitAtomically } from '../../src/core/store/client.js';
import { checks, vantages } from '../../src/core/store/schema/index.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, ok, rawClient, type TestApp } from '../helpers.js';

const T0 = 1_800_000_000_000;

async function fleetWithVantages(t: TestApp, checkVantages: string[]) {
  for (const name of ['svalbard-site', 'tokyo-moc']) {
    await t.sqlite.db.insert(vantages).values({ name, kind: 'agent', graceSeconds: 60, status: 'live', since: T0, lastSeenAt: T0, createdAt: T0 });
  }
  const ids = Object.fromEntries((await t.sqlite.db.select().from(vantages)).map((v) => [v.name, v.id]));
  const asset = await ok(t.call('POST', '/api/assets', { body: { key: 'gs-svalbard', kind: 'ground_station', name: 'Svalbard' } }), 201);
  const check = await ok(t.call('POST', '/api/checks', {
    body: { key: 'svalbard-api', assetId: asset.id, kind: 'http', intervalSeconds: 10, failureThreshold: 1, successThreshold: 1, http: { url: 'http://127.0.0.1:9/' } },
  }), 201);
  await t.sqlite.db.update(checks).set({ vantages: checkVantages }).where(eq(checks.id, check.id));
  return { assetId: asset.id as number, checkId: check.id as number, ids: ids as Record<string, number> };
}

function result(checkId: number, at: number, status: 'up' | 'down', vantageId?: number): ObservationRecord {
  return { checkId, at, vantageId, observation: { status, latencyMs: 5, message: status === 'down' ? 'HTTP 503' : null } };
}

/** A check run from central, svalbard-site and tokyo-moc, and a monitor to feed it results. */
async function threeVantageMonitor(t: TestApp) {
  const fleet = await fleetWithVantages(t, ['central', 'svalbard-site', 'tokyo-moc']);
  const db = t.sqlite.db;
  const monitor = await Monitor.load(db, T0);
  const apply = (records: ObservationRecord[], at: number) => commitAtomically(db, monitor.planObservations(db, records, at));
  /** One result from each vantage at `at`: central's, svalbard-site's, tokyo-moc's. */
  const fromAll = (at: number, statuses: ['up' | 'down', 'up' | 'down', 'up' | 'down']) =>
    apply([undefined, fleet.ids['svalbard-site'], fleet.ids['tokyo-moc']].map((v, i) => result(fleet.checkId, at, statuses[i]!, v)), at + 100);
  return { ...fleet, monitor, apply, fromAll };
}

describe('a check run from three vantages', () => {
  it('is disputed below quorum, down at quorum, and unknown when its agents are lost', async ({ expect, onTestFinished }) => {
    const t = await createTestApp();
    onTestFinished(() => t.close());
    const { assetId, checkId, ids, monitor, apply, fromAll } = await threeVantageMonitor(t);
    const sv = ids['svalbard-site']!;
    const tk = ids['tokyo-moc']!;

    await fromAll(T0 + 1_000, ['up', 'up', 'up']);
    expect(monitor.checkState(checkId)?.status).toBe('up');
    expect(monitor.assetStatus(assetId)).toBe('up');

    // The site's backhaul is cut: only the site agent sees the API down.
    await fromAll(T0 + 2_000, ['up', 'down', 'up']);
    expect(monitor.checkState(checkId)).toMatchObject({ status: 'disputed', message: 'down from svalbard-site, up from central and tokyo-moc' });
    expect(monitor.assetStatus(assetId)).toBe('degraded');
    const asset = await ok(t.call('GET', `/api/assets/${assetId}`));
    expect(asset.statusReason).toBe('svalbard-api: disputed: down from svalbard-site, up from central and tokyo-moc');
    expect((await ok(t.call('GET', '/api/incidents'))).items).toEqual([]);
    const votes = rawClient(t.sqlite).prepare('select vantage_id as vantageId, status from check_votes where check_id = ? order by vantage_id').all(checkId);
    expect(votes).toEqual([{ vantageId: ids.central, status: 'up' }, { vantageId: sv, status: 'down' }, { vantageId: tk, status: 'up' }]);

    // A second vantage agrees: quorum (2 of 3) is reached and it is an outage.
    await apply([result(checkId, T0 + 3_000, 'down', tk)], T0 + 3_100);
    expect(monitor.checkState(checkId)?.status).toBe('down');
    expect(monitor.assetStatus(assetId)).toBe('down');
    expect((await ok(t.call('GET', '/api/incidents'))).items).toHaveLength(1);

    // Both agents fall silent past their 60 s grace: their votes stop counting, and the one
    // vantage left is fewer than the quorum: unknown, never a false up (central says up).
    await apply([result(checkId, T0 + 70_000, 'up')], T0 + 70_000);
    expect(monitor.vantage(sv)?.status).toBe('lost');
    expect(monitor.checkState(checkId)).toMatchObject({
      status: 'unknown', message: 'not enough vantages: 1 of 2 needed (svalbard-site lost, tokyo-moc lost)',
    });
    const lost = rawClient(t.sqlite).prepare("select subject_key as name, data from events where type = 'vantage.lost' order by id").all() as Array<{ name: string; data: string }>;
    expect(lost.map((e) => e.name)).toEqual(['svalbard-site', 'tokyo-moc']);
    // With svalbard-site lost, central and tokyo-moc still made two; tokyo-moc's loss left one.
    expect(JSON.parse(lost[0]!.data)).toMatchObject({ checks: ['svalbard-api'], checksWithoutQuorum: [], graceSeconds: 60 });
    expect(JSON.parse(lost[1]!.data)).toMatchObject({ checks: ['svalbard-api'], checksWithoutQuorum: ['svalbard-api'] });
    expect(rawClient(t.sqlite).prepare('select status from vantages where id = ?').get(sv)).toEqual({ status: 'lost' });

    // One agent reports again: restored, and with two live votes up the check is up.
    monitor.noteVantageSeen(tk, T0 + 71_000);
    await apply([result(checkId, T0 + 71_000, 'up', tk)], T0 + 71_000);
    expect(monitor.vantage(tk)?.status).toBe('live');
    expect(monitor.checkState(checkId)?.status).toBe('up');
    expect(rawClient(t.sqlite).prepare("select count(*) as n from events where type = 'vantage.restored' and subject_key = 'tokyo-moc'").get()).toEqual({ n: 1 });
  });

  it('comes back after a restart with the votes it had', async ({ expect, onTestFinished }) => {
    const t = await createTestApp();
    onTestFinished(() => t.close());
    const { checkId, fromAll } = await threeVantageMonitor(t);
    const db = t.sqlite.db;
    await fromAll(T0 + 1_000, ['up', 'down', 'up']);
    const second = await Monitor.load(db, T0 + 5_000);
    expect(second.checkState(checkId)?.status).toBe('disputed');
    // tokyo-moc's stored view still counts: one more down vote reaches quorum.
    await commitAtomically(db, second.planObservations(db, [result(checkId, T0 + 6_000, 'down')], T0 + 6_100));
    expect(second.checkState(checkId)?.status).toBe('down');
  });
});

describe('a drill against an asset its agents watch', () => {
  it('never opens an incident: every vantage seeing it down reads as the drill', async ({ expect, onTestFinished }) => {
    const t = await createTestApp();
    onTestFinished(() => t.close());
    const { assetId, monitor, fromAll } = await threeVantageMonitor(t);
    await fromAll(T0 + 1_000, ['up', 'up', 'up']);
    // A live-mode drill: the asset really fails, from every vantage.
    monitor.setDrill(41, { simulatedDown: [], assetIds: [assetId], functionIds: [] });
    await fromAll(T0 + 2_000, ['down', 'down', 'down']);
    expect(monitor.assetStatus(assetId)).toBe('down');
    expect((await ok(t.call('GET', '/api/incidents'))).items).toEqual([]);
    const down = rawClient(t.sqlite).prepare("select drill_run_id as drillRunId from events where type = 'asset.down'").all();
    expect(down).toEqual([{ drillRunId: 41 }]);
  });
});

describe('agent batches through the live monitor', () => {
  it('are committed once per batch id, with late results in history but not voting', async ({ expect, onTestFinished }) => {
    const t = await createTestApp();
    const runtime = createNodeProbeRuntime();
    let live: LiveMonitor | undefined;
    onTestFinished(async () => {
      await live?.stop();
      await runtime.close();
      t.close();
    });
    // Agent-only: the central monitor does not run it.
    const { checkId, ids } = await fleetWithVantages(t, ['svalbard-site', 'tokyo-moc']);
    live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 50, syncIntervalMs: 60_000 });
    expect(live.scheduler.size).toBe(0);
    const intake = new AgentIntake(live, Date.now);
    const now = Date.now();
    const sv = ids['svalbard-site']!;
    const batch = {
      vantageId: sv, batchId: 'svalbard-site-boot1-1', sentAt: now,
      results: [
        // From before a partition: filed, not voted on (it would replay an old outage).
        { checkId, at: now - 300_000, status: 'down' as const, latencyMs: null, message: 'connect ECONNREFUSED' },
        { checkId, at: now - 1_000, status: 'up' as const, latencyMs: 4, message: null },
        { checkId: checkId + 999, at: now - 1_000, status: 'up' as const, latencyMs: 4, message: null },
      ],
    };
    const [receipt, retried] = await Promise.all([intake.submitBatch(batch), intake.submitBatch(batch)]);
    expect(receipt).toEqual({ batchId: batch.batchId, duplicate: false, accepted: 2, late: 1, ignored: 1 });
    expect(retried).toMatchObject({ duplicate: true, accepted: 0 });
    expect(await intake.submitBatch(batch)).toMatchObject({ duplicate: true, accepted: 0 });

    const rows = rawClient(t.sqlite).prepare('select ts, status, vantage_id as vantageId from check_results where check_id = ? order by ts').all(checkId);
    expect(rows).toEqual([{ ts: now - 300_000, status: 2, vantageId: sv }, { ts: now - 1_000, status: 0, vantageId: sv }]);
    const downEvents = rawClient(t.sqlite).prepare("select count(*) as n from events where type = 'asset.down'").get();
    expect(downEvents).toEqual({ n: 0 });
    expect(rawClient(t.sqlite).prepare('select status from check_votes where check_id = ? and vantage_id = ?').get(checkId, sv)).toEqual({ status: 'up' });
    expect(rawClient(t.sqlite).prepare('select status, last_seen_at as lastSeenAt from vantages where id = ?').get(sv)).toMatchObject({ status: 'live' });
    // One live vote of the two needed: not enough vantages yet.
    expect(live.monitor.checkState(checkId)?.message).toBe('not enough vantages: 1 of 2 needed (tokyo-moc has no result)');
  });
});
