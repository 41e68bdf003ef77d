// kill -9 under load. The real service runs as a child process with checks probing real targets
// that flip between healthy and failing (state changes, incidents, function impact), a simulated
// drill started again and again (one is usually in flight), and two webhook subscribers: one that
// answers (and sometimes fails, leaving retries pending), one that is down for the whole run. At
// random moments the process is killed with SIGKILL and started again on the same database file.
// After every kill: PRAGMA integrity_check passes, the runs in flight are closed (rolled back as
// interrupted), and the scheduler is running again within seconds, its first runs spread over
// the interval rather than fired at once. At the end the down subscriber comes up, and both must
// have received every event recorded before (at least once, under its stable webhook-id).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../../../src/core/outbox/schemas.js';
import { startTargetServer, type TargetServer } from '../../support/target-server.js';
import { HOOK_PATH, startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';
import { tally } from '../tally.js';
import { api, FULL, integrityCheck, inventoryYaml, killAll, peek, sampleRss, sleep, startService, waitFor, type Service } from './harness.js';

const KILLS = FULL ? 10 : 3;
/** How long the load runs between a (re)start and the next kill, ms. */
const UP_MIN_MS = FULL ? 2_000 : 1_500;
const UP_MAX_MS = FULL ? 9_000 : 4_000;
const ASSETS = 8;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-crash-'));
afterAll(async () => {
  await killAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

describe('kill -9 at random moments under load', () => {
  it('leaves an intact database, no half-done drill, a scheduler that resumes without a burst, and every event delivered', async () => {
    const file = path.join(dir, 'coopwatch.db');
    const targets: TargetServer[] = await Promise.all(Array.from({ length: ASSETS }, () => startTargetServer('healthy')));
    const keys = targets.map((_, i) => `gs-${i}`);
    const seed = path.join(dir, 'seed.yaml');
    fs.writeFileSync(
      seed,
      inventoryYaml(
        targets.map((t, i) => ({ key: keys[i]!, url: `${t.url}/health` })),
        [
          { key: 'relay', k: 1, members: keys.slice(0, 3) },
          { key: 'downlink', k: 2, members: keys.slice(3, 6) },
          { key: 'tracking', k: 1, members: keys.slice(6, 8) },
        ],
      ),
    );
    const up = await startWebhookReceiver();
    const down = await startWebhookReceiver();
    await down.setMode('down');
    // Retries every 2 s for longer than the run, so the subscriber that is down all along is still being retried when it returns.
    const schedule = ['0.2s', '0.5s', '1s', ...Array.from({ length: FULL ? 140 : 90 }, () => (FULL ? '3s' : '2s'))].join(',');
    const env = { COOPWATCH_DB: file, COOPWATCH_SEED: seed, COOPWATCH_WEBHOOK_RETRY_SCHEDULE: schedule, COOPWATCH_WEBHOOK_TIMEOUT_MS: '2000' };

    let service: Service = await startService(env);
    let rss = sampleRss(() => service.rssMiB());
    let peakRss = 0;
    const call = (method: string, url: string, body?: unknown) => api(service.base)(method, url, body);

    const subscribe = async (receiver: WebhookReceiver) => {
      const res = await call('POST', '/api/webhooks', { url: receiver.urlFor(HOOK_PATH), events: [...WEBHOOK_EVENT_TYPES], includeDrills: true });
      expect(res.status).toBe(201);
      receiver.setSecrets([res.body.secret]);
      return res.body.id as number;
    };
    const subscriptions = [await subscribe(up), await subscribe(down)];
    // Each subscription receives the events after its own creation: the second may be made after
    // the monitor's first events, which the first subscription gets and the second never does.
    const createdAt = new Map(
      [up, down].map((receiver, i) => [
        receiver,
        peek(file, (db) => (db.prepare(`select id from events where type = 'webhook.created' and subject_id = ?`).get(subscriptions[i]) as { id: number }).id),
      ]),
    );
    const cursor0 = peek(file, (db) => (db.prepare('select min(cursor_event_id) as c from webhooks').get() as { c: number }).c);
    const gs0 = (await call('GET', `/api/assets?limit=50`)).body.items.find((a: { key: string }) => a.key === 'gs-0').id as number;
    const relay = (await call('GET', '/api/functions')).body.items.find((f: { key: string }) => f.key === 'relay').id as number;
    const drill = await call('POST', '/api/drills', {
      key: 'gs-0-outage', name: 'gs-0 outage', targetAssetIds: [gs0], mode: 'simulated',
      hypothesis: { functionIds: [relay] }, guardrails: { maxDurationSeconds: 60, abortOnOutsideAssetDown: false },
    });
    expect(drill.status).toBe(201);

    // The load: targets gs-3..gs-7 flip between healthy and failing; a drill run is started whenever none runs.
    let loading = true;
    const flipper = (async () => {
      while (loading) {
        const target = targets[random(3, ASSETS)]!;
        target.setMode(target.mode === 'healthy' ? 'failing' : 'healthy');
        await sleep(random(150, 500));
      }
    })();
    const drills = (async () => {
      while (loading) {
        await call('POST', `/api/drills/${drill.body.id}/runs`).catch(() => undefined);
        await sleep(300);
      }
    })();
    const flaky = (async () => {
      while (loading) {
        await sleep(random(1_000, 3_000));
        if (!loading) break;
        await up.setMode('status:500');
        await sleep(random(200, 800));
        await up.setMode('ok');
      }
    })();

    let kills = 0;
    let drillsInFlight = 0;
    let integrityOk = 0;
    let integrityFailed = 0;
    let worstResumeMs = 0;
    let lastKillMaxEventId = 0;
    try {
      for (let i = 0; i < KILLS; i++) {
        await sleep(random(UP_MIN_MS, UP_MAX_MS));
        await service.kill9();
        kills++;
        rss.stop();
        peakRss = Math.max(peakRss, rss.peak);

        const verdict = integrityCheck(file);
        if (verdict === 'ok') integrityOk++;
        else integrityFailed++;
        expect(verdict, `integrity_check after kill ${kills}`).toBe('ok');
        const atKill = peek(file, (db) => ({
          maxEventId: (db.prepare('select coalesce(max(id), 0) as id from events').get() as { id: number }).id,
          events: (db.prepare('select count(*) as n from events').get() as { n: number }).n,
          running: (db.prepare(`select id from drill_runs where status = 'running'`).all() as Array<{ id: number }>).map((r) => r.id),
        }));
        lastKillMaxEventId = atKill.maxEventId;
        drillsInFlight += atKill.running.length;

        service = await startService(env);
        rss = sampleRss(() => service.rssMiB());
        const restartedAt = service.listeningAt;

        // No drill left half-done: what was running at the kill is rolled back and closed.
        await waitFor('the interrupted runs closed', () =>
          peek(file, (db) => atKill.running.every((id) => (db.prepare('select status from drill_runs where id = ?').get(id) as { status: string }).status === 'interrupted')),
        15_000);
        // Nothing committed before the kill went missing.
        expect(peek(file, (db) => (db.prepare('select count(*) as n from events where id <= ?').get(atKill.maxEventId) as { n: number }).n)).toBe(atKill.events);

        // The scheduler resumes within seconds: every check has a result again…
        const firstRuns = await waitFor('every check to run after the restart', () => {
          const rows = peek(file, (db) => db.prepare('select check_id as id, min(ts) as at from check_results where ts >= ? group by check_id').all(restartedAt) as Array<{ id: number; at: number }>);
          return rows.length === ASSETS ? rows : undefined;
        }, 20_000);
        const starts = firstRuns.map((r) => r.at).sort((a, b) => a - b);
        worstResumeMs = Math.max(worstResumeMs, starts.at(-1)! - restartedAt);
        // …and without a burst: the first runs are spread over the 1 s interval, not fired at once.
        const inOneWindow = Math.max(...starts.map((s) => starts.filter((t) => t >= s && t < s + 100).length));
        expect(inOneWindow, `first runs after restart ${kills}: ${starts.map((s) => s - restartedAt).join(', ')} ms`).toBeLessThanOrEqual(ASSETS / 2);
      }
    } finally {
      loading = false;
      await Promise.all([flipper, drills, flaky]);
    }

    // Settle: every target healthy, the last drill run over, then the down subscriber comes back.
    for (const t of targets) t.setMode('healthy');
    await up.setMode('ok');
    await waitFor('no drill running', async () => {
      const runs = peek(file, (db) => db.prepare(`select id from drill_runs where status = 'running'`).all() as Array<{ id: number }>);
      for (const r of runs) await call('POST', `/api/drills/${drill.body.id}/runs/${r.id}/abort`, { reason: 'end of the reliability run' }).catch(() => undefined);
      return runs.length === 0;
    }, 60_000, 500);
    await waitFor('every asset up', async () => {
      const res = await call('GET', '/api/assets?limit=50');
      return res.body.items.every((a: { status: string }) => a.status === 'up');
    }, 30_000, 250);
    await down.setMode('ok');

    const types = WEBHOOK_EVENT_TYPES as readonly string[];
    const expected = peek(file, (db) =>
      (db.prepare('select id, type from events where id > ? order by id').all(cursor0) as Array<{ id: number; type: string }>).filter((e) => types.includes(e.type)).map((e) => e.id),
    );
    const beforeLastKill = expected.filter((id) => id <= lastKillMaxEventId);
    const receivedIds = (r: WebhookReceiver) => new Set(r.accepted().map((q) => q.webhookId));
    const expectedBy = (r: WebhookReceiver) => expected.filter((id) => id > createdAt.get(r)!);
    await waitFor('every event delivered to both subscribers', () =>
      [up, down].every((r) => {
        const got = receivedIds(r);
        return expectedBy(r).every((id) => got.has(`msg_${id}`));
      }),
    FULL ? 120_000 : 60_000, 250).catch(() => undefined);

    let lost = 0;
    let deliveredMin = Infinity;
    for (const receiver of [up, down]) {
      const got = receivedIds(receiver);
      const missing = expectedBy(receiver).filter((id) => !got.has(`msg_${id}`));
      lost += missing.length;
      deliveredMin = Math.min(deliveredMin, beforeLastKill.filter((id) => got.has(`msg_${id}`)).length);
      // At least once under a stable webhook-id: every copy of a message is the same signed message.
      const byId = new Map<string, Set<string>>();
      for (const r of receiver.accepted()) byId.set(r.webhookId!, (byId.get(r.webhookId!) ?? new Set()).add(r.rawBody));
      for (const [id, bodies] of byId) {
        expect(bodies.size, `copies of ${id}`).toBe(1);
        expect(`msg_${receiver.json(receiver.accepted().find((r) => r.webhookId === id)!).data.eventId}`).toBe(id);
      }
      expect(receiver.accepted().every((r) => r.verified)).toBe(true);
      expect(missing, `events never delivered to subscriber ${receiver.url}`).toEqual([]);
    }
    // A simulated drill never pages: gs-0 (whose target never failed) has no real outage on record
    // and no incident — also when a kill interrupted a run: the restart closes it and its marks
    // stay on the monitor until the target is back, so the recovery is the drill's too.
    const leaks = peek(file, (db) => db.prepare(`select id, type from events where subject_key = 'gs-0' and type like 'asset.%' and type not in ('asset.created', 'asset.updated') and drill_run_id is null and json_extract(data, '$.previous') != 'unknown'`).all() as Array<{ id: number; type: string }>);
    expect(leaks).toEqual([]);
    tally('drill recoveries recorded as real', leaks.length);
    expect(peek(file, (db) => db.prepare('select count(*) as n from incidents where asset_id = ?').get(gs0) as { n: number }).n).toBe(0);
    const failed = peek(file, (db) => db.prepare(`select count(*) as n from webhook_deliveries where status in ('failed', 'skipped')`).get() as { n: number }).n;
    expect(failed).toBe(0);

    // Stopped cleanly at the end, the file is intact as well.
    rss.stop();
    peakRss = Math.max(peakRss, rss.peak);
    expect(await service.stop()).toBe(0);
    const last = integrityCheck(file);
    if (last === 'ok') integrityOk++;
    else integrityFailed++;
    expect(last).toBe('ok');

    tally('faults injected', kills, 'kill -9');
    tally('restarts', kills);
    tally('drills in flight at a kill', drillsInFlight);
    tally('events before', beforeLastKill.length);
    tally('events after', deliveredMin);
    tally('deliveries lost', lost);
    tally('integrity checks passed', integrityOk);
    tally('integrity checks failed', integrityFailed);
    tally('scheduler resumed within (s)', Math.round(worstResumeMs / 100) / 10);
    tally('peak RSS MiB', Math.round(peakRss));
    expect(subscriptions).toHaveLength(2);
    expect(lost).toBe(0);

    await Promise.all([...targets.map((t) => t.close()), up.close(), down.close()]);
  }, FULL ? 600_000 : 150_000);
});

