// What each subscription format's receiver actually gets, end to end: the HTTP API, the monitor,
// the real WebhookDispatcher with the real undici sender, and a real receiver on 127.0.0.1 with one
// path per format (standard, slack, teams, pagerduty). Covers issue 17's outbound points: text
// escaped for Slack and literal for Teams, test pings in each format, 32-character PagerDuty
// routing keys, and resolved incidents that keep their title.
import { describe, it, type TestContext } from 'vitest';
import { WebhookDispatcher } from '../../src/core/outbox/dispatcher.js';
import { commitAtomically } from '../../src/core/store/client.js';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { createWebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { createTestApp, errorPaths, expectErrorShape, rawClient } from '../helpers.js';
import { ok, runDispatcher, startWebhookReceiver, waitFor, withWebhookDeps, type DispatcherLoop } from '../support/webhook-receiver.js';

const FORMATS = ['standard', 'slack', 'teams', 'pagerduty'] as const;
type Format = (typeof FORMATS)[number];
const ROUTING_KEY = 'e93facc04764012d7bfb002500d5d1a6';
const ASSET_NAME = 'Usuda <A2> & TT&C';
const ESCAPED_NAME = 'Usuda &lt;A2&gt; &amp; TT&amp;C';

async function setup(ctx: TestContext) {
  const base = await createTestApp();
  let loop: DispatcherLoop | undefined;
  const t = withWebhookDeps(base, { allowPrivate: true, wake: () => loop?.wake() });
  const receiver = await startWebhookReceiver();
  const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 1_000 });
  ctx.onTestFinished(async () => {
    await loop?.stop();
    await sender.close();
    await receiver.close();
    base.close();
  });
  const secrets: string[] = [];
  const env = {
    t,
    receiver,
    start() {
      loop = runDispatcher(new WebhookDispatcher({ db: t.sqlite.db, send: sender.send, retryScheduleSeconds: [0.2, 0.2] }));
    },
    /** One subscription per format, each to its own path (`/standard`, `/slack`…), all verified by the receiver. */
    async subscribeEach(events: string[]): Promise<Record<Format, { id: number; secret: string }>> {
      const subs = {} as Record<Format, { id: number; secret: string }>;
      for (const format of FORMATS) {
        const body = { url: receiver.urlFor(`/${format}`), events, format, ...(format === 'pagerduty' ? { routingKey: ROUTING_KEY } : {}) };
        subs[format] = await ok(t.call('POST', '/api/webhooks', { body }), 201);
        secrets.push(subs[format].secret);
      }
      receiver.setSecrets(secrets);
      return subs;
    },
    /** The parsed bodies one format's path accepted, in arrival order, once there are `count`. */
    async bodies(format: Format, count: number): Promise<any[]> {
      const got = await receiver.waitForRequests(count, { path: `/${format}`, acceptedOnly: true });
      for (const r of got) if (!r.verified) throw new Error(`${format}: signature did not verify: ${r.verifyError}`);
      return got.map((r) => receiver.json(r));
    },
    /** An asset with an external check, and a monitor that turns its observations into incidents. */
    async station(name: string) {
      const assetId = (await ok(t.call('POST', '/api/assets', { body: { key: 'gs-usuda', kind: 'ground_station', name, criticality: 'high' } }), 201)).id;
      const check = await ok(t.call('POST', '/api/checks', { body: { key: 'usuda-ext', assetId, kind: 'external', intervalSeconds: 60, failureThreshold: 1, successThreshold: 1 } }), 201);
      let now = Date.now();
      const monitor = await Monitor.load(t.sqlite.db, now);
      await commitAtomically(t.sqlite.db, monitor.planReassessment(t.sqlite.db, now));
      const observe = async (status: 'up' | 'down', message: string | null = null) => {
        now = Math.max(now + 1, Date.now());
        await commitAtomically(t.sqlite.db, monitor.planObservations(t.sqlite.db, [{ checkId: check.id, at: now, observation: { status, latencyMs: null, message } }], now));
      };
      await observe('up');
      return { assetId, observe };
    },
  };
  return env;
}

/** Every object in a JSON tree. */
function nodes(value: unknown): Record<string, any>[] {
  if (Array.isArray(value)) return value.flatMap(nodes);
  if (value === null || typeof value !== 'object') return [];
  return [value as Record<string, any>, ...Object.values(value).flatMap(nodes)];
}

const card = (teams: any) => teams.attachments[0].content;
/** The text a Teams card shows, paragraph by paragraph (RichTextBlocks of TextRuns). */
const paragraphs = (teams: any) => nodes(card(teams)).filter((n) => n.type === 'RichTextBlock').map((b) => b.inlines.map((r: any) => r.text).join(''));
/** Every text Slack parses as mrkdwn: the fallback `text` and each mrkdwn object. */
const slackMrkdwn = (slack: any) => [slack.text, ...nodes(slack.blocks).filter((n) => n.type === 'mrkdwn').map((n) => n.text)];

describe.concurrent('outbound formats through a real receiver', () => {
  it('Slack escapes &, < and > in the fallback text and every mrkdwn text; Teams shows event text literally, never as markdown', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    await env.subscribeEach(['asset.down']);
    env.start();
    const { observe } = await env.station(ASSET_NAME);
    const reason = '**Act now**: [restore the feed](https://evil.example/) & <!channel>';
    await observe('down', reason);

    const [slack] = await env.bodies('slack', 1);
    expect(slack.text).toBe(`🔴 ${ESCAPED_NAME} is down`);
    const texts = slackMrkdwn(slack);
    expect(texts.length).toBeGreaterThan(3);
    for (const text of texts) {
      expect(text).not.toContain(ASSET_NAME);
      expect(text).not.toContain('<!channel>');
      expect(text.replace(/<!date\^[^>]*>|<https?:[^>]*>/g, '')).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
    }
    expect(texts.join('\n')).toContain('&amp; &lt;!channel&gt;');
    const header = slack.blocks.find((b: any) => b.type === 'header');
    expect(header.text).toMatchObject({ type: 'plain_text', text: `🔴 ${ASSET_NAME} is down` });

    const [teams] = await env.bodies('teams', 1);
    // No TextBlock or Fact (whose text Teams renders as markdown) anywhere in the card.
    expect(nodes(card(teams)).filter((n) => n.type === 'TextBlock' || n.type === 'FactSet' || 'facts' in n)).toEqual([]);
    const shown = paragraphs(teams);
    expect(shown[0]).toBe(`🔴 ${ASSET_NAME} is down`);
    expect(shown).toContain(`usuda-ext: ${reason}`);
    expect(shown).toContain(`Asset: ${ASSET_NAME} (gs-usuda)`);
  });

  it('a test ping is a message of each format, labelled a test: signed standard body, Slack text, Teams Adaptive Card, PagerDuty resolve', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const subs = await env.subscribeEach(['asset.down']);
    env.start();
    for (const format of FORMATS) await ok(env.t.call('POST', `/api/webhooks/${subs[format].id}/test`), 202);

    const [standard] = await env.bodies('standard', 1);
    const received = env.receiver.accepted('/standard')[0]!;
    expect(env.receiver.verify(received, subs.standard.secret)).toBe(true);
    expect(standard).toMatchObject({ type: 'ping', data: { webhookId: subs.standard.id, drill: false } });
    expect(new Date(standard.timestamp).toISOString()).toBe(standard.timestamp);

    const [slack] = await env.bodies('slack', 1);
    expect(typeof slack.text).toBe('string');
    expect(slack.text).toMatch(/^🔔 Test message from coopwatch: not an alert/);
    expect(slack.blocks.find((b: any) => b.type === 'header').text.text).toMatch(/Test message/);

    const [teams] = await env.bodies('teams', 1);
    expect(teams).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }] });
    expect(card(teams)).toMatchObject({ type: 'AdaptiveCard', version: expect.stringMatching(/^1\.\d$/), body: expect.any(Array) });
    expect(card(teams).body.length).toBeGreaterThan(0);
    expect(paragraphs(teams)[0]).toMatch(/^🔔 Test message from coopwatch: not an alert/);

    const [pagerduty] = await env.bodies('pagerduty', 1);
    // A resolve of a key no alert has: accepted by PagerDuty, pages no one.
    expect(pagerduty).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'coopwatch-test-ping' });
    expect(pagerduty.payload.summary).toMatch(/^Test message from coopwatch/);

    for (const body of [slack, teams, pagerduty]) expect(JSON.stringify(body)).not.toMatch(/🔴|🚨|Severity|DRILL/);
    for (const format of FORMATS) {
      await waitFor(`${format} ping succeeded`, async () => (await ok(env.t.call('GET', `/api/webhooks/${subs[format].id}/deliveries`))).items[0]?.status === 'succeeded');
    }
  });

  it('a resolved incident keeps its title in every format: standard data, Slack, Teams and the PagerDuty resolve', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    await env.subscribeEach(['incident.opened', 'incident.resolved']);
    env.start();
    const { observe } = await env.station('JAXA Usuda');
    await observe('down', 'dish fault');
    const [incident] = (await ok(env.t.call('GET', '/api/incidents'))).items;
    expect(incident.title).toBe('JAXA Usuda is down');
    await observe('up');

    const [, standard] = await env.bodies('standard', 2);
    expect(standard).toMatchObject({ type: 'incident.resolved', data: { incidentRef: incident.ref, title: incident.title } });
    const [, slack] = await env.bodies('slack', 2);
    expect(slack.text).toBe(`✅ Incident resolved: ${incident.title}`);
    const [, teams] = await env.bodies('teams', 2);
    expect(paragraphs(teams)[0]).toBe(`✅ Incident resolved: ${incident.title}`);
    const [, pagerduty] = await env.bodies('pagerduty', 2);
    expect(pagerduty).toMatchObject({ event_action: 'resolve', dedup_key: incident.ref, payload: { summary: `Incident resolved: ${incident.title}` } });
    for (const body of [slack, teams, pagerduty]) expect(JSON.stringify(body)).not.toContain(`incident ${incident.ref}`);
  });

  it('a pagerduty routingKey must be 32 characters, on create and on PATCH; the masked key sent back keeps the stored one', async (ctx) => {
    const { expect } = ctx;
    const env = await setup(ctx);
    const { t } = env;
    const body = { url: env.receiver.urlFor('/pagerduty'), events: ['incident.opened'], format: 'pagerduty' };
    const count = () => (rawClient(t.sqlite).prepare('select count(*) as n from webhooks').get() as { n: number }).n;
    for (const routingKey of [ROUTING_KEY.slice(1), `${ROUTING_KEY}0`, 'PD-ROUTING-123']) {
      const res = await t.call('POST', '/api/webhooks', { body: { ...body, routingKey } });
      const error = expectErrorShape(res, 400);
      expect(errorPaths(res), routingKey).toEqual(['routingKey']);
      expect(error.details[0]!.message).toMatch(/routingKey must be 32 characters/);
    }
    expect(count()).toBe(0);

    const sub = await ok(t.call('POST', '/api/webhooks', { body: { ...body, routingKey: ROUTING_KEY } }), 201);
    expect(sub.routingKey).toBe(ROUTING_KEY);
    expect((await ok(t.call('GET', `/api/webhooks/${sub.id}`))).routingKey).toBe('********');
    for (const routingKey of ['short', `${ROUTING_KEY}x`]) {
      const res = await t.call('PATCH', `/api/webhooks/${sub.id}`, { body: { name: 'refused', routingKey } });
      expectErrorShape(res, 400);
      expect(errorPaths(res)).toEqual(['routingKey']);
      expect(res.body.error.details[0].message).toMatch(/32 characters/);
    }
    // A standard subscription switched to pagerduty needs a key of 32 characters too.
    const standard = await ok(t.call('POST', '/api/webhooks', { body: { ...body, format: 'standard', routingKey: 'leftover' } }), 201);
    expect(errorPaths(await t.call('PATCH', `/api/webhooks/${standard.id}`, { body: { format: 'pagerduty' } }))).toEqual(['routingKey']);
    // The mask keeps the stored key; nothing of the refused patches was written.
    const kept = await ok(t.call('PATCH', `/api/webhooks/${sub.id}`, { body: { name: 'PagerDuty', routingKey: '********' } }));
    expect(kept).toMatchObject({ name: 'PagerDuty', routingKey: '********', hasRoutingKey: true });
    const row = rawClient(t.sqlite).prepare('select name, routing_key as routingKey, format from webhooks order by id').all();
    expect(row).toEqual([{ name: 'PagerDuty', routingKey: ROUTING_KEY, format: 'pagerduty' }, { name: expect.any(String), routingKey: 'leftover', format: 'standard' }]);

    // And the key that reaches PagerDuty is the stored one.
    env.receiver.setSecrets([sub.secret]);
    env.start();
    await ok(t.call('POST', `/api/webhooks/${sub.id}/test`), 202);
    const [ping] = await env.bodies('pagerduty', 1);
    expect(ping.routing_key).toBe(ROUTING_KEY);
  });
});
