// Durability of the webhook outbox across a process restart: the events table and the
// deliveries in SQLite are the queue, so a new process (a new WebhookDispatcher on the same
// database file, re-opened with openSqlite) picks up where the old one stopped — nothing lost,
// nothing sent twice except at-least-once retries of one webhook-id.
import { describe, it, type TestContext } from 'vitest';
import { WebhookDispatcher, type Send } from '../../src/core/outbox/dispatcher.js';
import { createWebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { commitAtomically } from '../../src/core/store/client.js';
import { openSqlite, type SqliteHandle } from '../../src/hosts/node/sqlite.js';
import { recordEvent, type EventSpec } from '../../src/core/store/events.js';
import { createTestApp, rawClient } from '../helpers.js';
import { HOOK_PATH, ok, runDispatcher, sleep, startWebhookReceiver, waitFor, withWebhookDeps, type DispatcherLoop, type ReceivedRequest } from '../support/webhook-receiver.js';

const SCHEDULE = [0.2, 0.3, 0.5, 1, 1, 1, 1];

interface Process {
  sqlite: SqliteHandle;
  loop: DispatcherLoop;
  /** Sends that reached the network (the receiver may or may not have answered). */
  readonly sends: number;
  /** webhook-ids whose answer came after the crash: sent, never recorded. */
  readonly lost: string[];
}

async function setup(ctx: TestContext) {
  const base = await createTestApp();
  const t = withWebhookDeps(base, { allowPrivate: true });
  const receiver = await startWebhookReceiver();
  const processes: Process[] = [];
  const senders: Array<{ close(): Promise<void> }> = [];
  ctx.onTestFinished(async () => {
    for (const p of processes) await Promise.race([p.loop.stop(), sleep(200)]);
    for (const s of senders) await s.close();
    await receiver.close();
    for (const p of processes) p.sqlite.close();
    base.close();
  });
  const file = base.sqlite.file;

  return {
    t,
    receiver,
    /**
     * A coopwatch process: its own connection to the database file and its own dispatcher.
     * `crashAfterAnswers`: when that many answers have come back the process "dies": that answer
     * and any later one are never recorded, and nothing more is sent.
     */
    startProcess(options: { crashAfterAnswers?: number } = {}): Process {
      const sqlite = openSqlite(file);
      const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 500 });
      senders.push(sender);
      let sends = 0;
      let answers = 0;
      let crashed = false;
      const lost: string[] = [];
      const never = new Promise<never>(() => {});
      const send: Send = async (request) => {
        if (crashed) return never;
        sends++;
        const res = await sender.send(request);
        if (options.crashAfterAnswers !== undefined && ++answers >= options.crashAfterAnswers) crashed = true;
        if (!crashed) return res;
        lost.push(request.headers['webhook-id']!);
        return never;
      };
      const dispatcher = new WebhookDispatcher({ db: sqlite.db, send, retryScheduleSeconds: SCHEDULE });
      const process: Process = {
        sqlite,
        loop: runDispatcher(dispatcher),
        get sends() {
          return sends;
        },
        lost,
      };
      processes.push(process);
      return process;
    },
    async record(...specs: EventSpec[]): Promise<number[]> {
      const ids: number[] = [];
      for (const spec of specs) {
        await commitAtomically(t.sqlite.db, [recordEvent(t.ctx, spec)]);
        ids.push((rawClient(t.sqlite).prepare('select max(id) as id from events').get() as { id: number }).id);
      }
      return ids;
    },
    deliveryRows(sqlite: SqliteHandle, webhookId: number) {
      return rawClient(sqlite).prepare('select * from webhook_deliveries where webhook_id = ? order by id').all(webhookId) as any[];
    },
    cursor(sqlite: SqliteHandle, webhookId: number): number {
      return (rawClient(sqlite).prepare('select cursor_event_id as c from webhooks where id = ?').get(webhookId) as { c: number }).c;
    },
  };
}

const assetEvent = (assetKey: string, status: 'down' | 'up'): EventSpec => ({
  type: `asset.${status}`, subjectKind: 'asset', subjectKey: assetKey, severity: status === 'down' ? 'major' : 'info',
  data: { assetKey, assetName: assetKey, kind: 'ground_station', status, previous: status === 'down' ? 'up' : 'down', reason: null, functionKeys: [] },
});

/** Checks what the receiver accepted: every event once per webhook-id, in order per asset. */
function checkArrivals(expect: TestContext['expect'], got: ReceivedRequest[], json: (r: ReceivedRequest) => any, eventIds: number[]) {
  const byId = new Map<string, ReceivedRequest[]>();
  for (const r of got) byId.set(r.webhookId!, [...(byId.get(r.webhookId!) ?? []), r]);
  expect([...byId.keys()].sort()).toEqual(eventIds.map((id) => `msg_${id}`).sort());
  for (const [id, copies] of byId) {
    // Repeats of one webhook-id carry the same message.
    expect(new Set(copies.map((c) => c.rawBody)).size).toBe(1);
    expect(`msg_${json(copies[0]!).data.eventId}`).toBe(id);
  }
  // First arrival of each message, per asset, in event order.
  const firsts = [...byId.values()].map((copies) => copies[0]!).sort((a, b) => a.seq - b.seq);
  for (const key of new Set(firsts.map((r) => json(r).data.assetKey))) {
    const order = firsts.filter((r) => json(r).data.assetKey === key).map((r) => json(r).data.eventId as number);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }
  return byId;
}

describe.concurrent('the outbox survives a restart', () => {
  it('deliveries queued while the receiver is down are sent by the next process, each exactly once, in order', async (ctx) => {
    const { expect } = ctx;
    const { t, receiver, startProcess, record, deliveryRows, cursor } = await setup(ctx);
    const [before] = await record(assetEvent('gs-a', 'down')); // older than the subscription: never sent
    const sub = await ok(t.call('POST', '/api/webhooks', { body: { url: receiver.urlFor(HOOK_PATH), events: ['asset.down', 'asset.up'] } }), 201);
    receiver.setSecrets([sub.secret]);
    await receiver.setMode('down');

    const first = startProcess();
    const queued = await record(assetEvent('gs-a', 'up'), assetEvent('gs-b', 'down'), assetEvent('gs-a', 'down'), assetEvent('gs-b', 'up'), assetEvent('gs-c', 'down'));
    await waitFor('all queued and the heads tried', () => {
      const rows = deliveryRows(first.sqlite, sub.id);
      return rows.length === queued.length && rows.filter((r) => r.attempts > 0).length >= 3;
    });
    // The crash: the process stops between passes and is never heard from again.
    await first.loop.stop();
    // Written while no process runs: past the cursor, not yet fanned out.
    const later = await record(assetEvent('gs-c', 'up'), assetEvent('gs-a', 'up'));
    expect(cursor(first.sqlite, sub.id)).toBe(queued.at(-1));
    expect(deliveryRows(first.sqlite, sub.id).every((r) => r.status === 'pending')).toBe(true);
    expect(receiver.requests).toHaveLength(0);

    await receiver.setMode('ok');
    const second = startProcess();
    const all = [...queued, ...later];
    const got = await receiver.waitForRequests(all.length, { acceptedOnly: true });
    await sleep(400);
    expect(receiver.requests).toHaveLength(all.length); // no repeats at all: nothing was in flight at the crash
    expect(got.every((r) => r.verified)).toBe(true);
    checkArrivals(expect, got, receiver.json, all);
    expect(got.some((r) => receiver.json(r).data.eventId === before)).toBe(false);
    await waitFor('all succeeded', () => deliveryRows(second.sqlite, sub.id).every((r) => r.status === 'succeeded'));
    expect(deliveryRows(second.sqlite, sub.id)).toHaveLength(all.length);
    expect(cursor(second.sqlite, sub.id)).toBe(later.at(-1));
  });

  it('a delivery sent but not recorded when the process died is sent again with the same webhook-id; nothing else repeats', async (ctx) => {
    const { expect } = ctx;
    const { t, receiver, startProcess, record, deliveryRows } = await setup(ctx);
    const sub = await ok(t.call('POST', '/api/webhooks', { body: { url: receiver.urlFor(HOOK_PATH), events: ['asset.down', 'asset.up'] } }), 201);
    receiver.setSecrets([sub.secret]);
    const events = await record(assetEvent('gs-a', 'down'), assetEvent('gs-a', 'up'), assetEvent('gs-a', 'down'), assetEvent('gs-b', 'down'), assetEvent('gs-b', 'up'));

    const first = startProcess({ crashAfterAnswers: 2 });
    await receiver.waitForRequests(2, { acceptedOnly: true });
    await sleep(200);
    const sentBeforeCrash = first.sends;
    expect(first.lost.length).toBeGreaterThanOrEqual(1);
    await sleep(200);
    expect(first.sends).toBe(sentBeforeCrash); // dead: nothing more goes out
    const pending = deliveryRows(first.sqlite, sub.id).filter((r) => r.status === 'pending');
    expect(pending.length).toBeGreaterThanOrEqual(events.length - 1);
    void first.loop.stop(); // never completes: its pass waits forever on the answer it will not record

    const second = startProcess();
    await waitFor('all succeeded', () => {
      const rows = deliveryRows(second.sqlite, sub.id);
      return rows.length === events.length && rows.every((r) => r.status === 'succeeded');
    });
    await sleep(300);
    const got = receiver.accepted();
    const byId = checkArrivals(expect, got, receiver.json, events);
    // At least once: what was in flight at the crash came twice, under the same webhook-id; the rest once.
    const repeats = [...byId.entries()].filter(([, copies]) => copies.length > 1);
    expect(repeats.map(([id]) => id).sort()).toEqual([...first.lost].sort());
    expect(repeats.every(([, copies]) => copies.length === 2)).toBe(true);
    expect(got).toHaveLength(events.length + first.lost.length);
    expect(got.every((r) => r.verified)).toBe(true);
  });

  it('what was delivered before a restart is not sent again after it; new events are', async (ctx) => {
    const { expect } = ctx;
    const { t, receiver, startProcess, record, deliveryRows, cursor } = await setup(ctx);
    const sub = await ok(t.call('POST', '/api/webhooks', { body: { url: receiver.urlFor(HOOK_PATH), events: ['asset.down', 'asset.up'] } }), 201);
    const sent = await record(assetEvent('gs-a', 'down'), assetEvent('gs-a', 'up'), assetEvent('gs-b', 'down'));
    const first = startProcess();
    await receiver.waitForRequests(sent.length, { acceptedOnly: true });
    await waitFor('recorded', () => deliveryRows(first.sqlite, sub.id).every((r) => r.status === 'succeeded'));
    await first.loop.stop();
    // Events the subscription does not want also move its cursor past them.
    const [ignored] = await record({ type: 'incident.updated', subjectKind: 'incident', subjectKey: 'x', data: { incidentRef: 'x', title: 'x', status: 'investigating', message: 'x', visibility: 'internal' } });

    const second = startProcess();
    await waitFor('cursor moved past the ignored event', () => cursor(second.sqlite, sub.id) === ignored);
    await sleep(400);
    expect(receiver.requests).toHaveLength(sent.length);
    await second.loop.stop();

    const third = startProcess();
    await sleep(300);
    expect(receiver.requests).toHaveLength(sent.length);
    const [fresh] = await record(assetEvent('gs-b', 'up'));
    const got = await receiver.waitForRequests(sent.length + 1, { acceptedOnly: true });
    await sleep(300);
    expect(receiver.requests).toHaveLength(sent.length + 1);
    expect(got.map((r) => r.webhookId).sort()).toEqual([...sent, fresh].map((id) => `msg_${id}`).sort());
    expect(got.at(-1)!.webhookId).toBe(`msg_${fresh}`);
    expect(deliveryRows(third.sqlite, sub.id)).toHaveLength(sent.length + 1);
  });
});
