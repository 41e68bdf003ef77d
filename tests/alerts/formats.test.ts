import { describe, expect, it } from 'vitest';
import { WEBHOOK_FORMATS } from '../../src/core/store/schema/webhooks.js';
import {
  boundDedupKey,
  formatEvent,
  formatPagerDuty,
  STANDARD_MAX_BYTES,
  type AlertEvent,
} from '../../src/core/outbox/formats/index.js';

const TS = Date.UTC(2025, 2, 11, 5, 46, 18);
const ISO = '2025-03-11T05:46:18.000Z';
const options = { publicUrl: 'https://coop.example.org/', routingKey: 'R0UTINGKEY0000000000000000000000' };

function event(partial: Partial<AlertEvent> & Pick<AlertEvent, 'type' | 'data'>): AlertEvent {
  return { id: 42, ts: TS, subjectKind: 'asset', subjectKey: null, severity: 'info', drillRunId: null, ...partial };
}

const assetDown = event({
  id: 101,
  type: 'asset.down',
  subjectKind: 'asset',
  subjectKey: 'jaxa-usuda',
  severity: 'critical',
  data: {
    assetKey: 'jaxa-usuda', assetName: 'JAXA Usuda', kind: 'ground_station', previous: 'up', status: 'down',
    reason: 'http: connection refused', functionKeys: ['missile-warning-relay'],
  },
});
const assetUp = event({ ...assetDown, id: 102, type: 'asset.up', severity: 'info', data: { ...assetDown.data, previous: 'down', status: 'up', reason: null } });
const assetDegraded = event({ ...assetDown, id: 103, type: 'asset.degraded', severity: 'minor', data: { ...assetDown.data, status: 'degraded' } });
const groups = [{ name: 'relay stations', k: 1, n: 2, available: 1 }];
const fnData = { functionKey: 'missile-warning-relay', functionName: 'Missile-warning relay', tier: 'PMEF', groups };
const functionLost = event({ id: 201, type: 'function.lost', subjectKind: 'function', subjectKey: 'missile-warning-relay', severity: 'critical', data: { ...fnData, status: 'lost', previous: 'operational', redundancy: 'none' } });
const functionDegraded = event({ ...functionLost, id: 202, type: 'function.degraded', severity: 'minor', data: { ...fnData, status: 'degraded', previous: 'operational', redundancy: 'SPOF' } });
const functionOperational = event({ ...functionLost, id: 203, type: 'function.operational', severity: 'info', data: { ...fnData, status: 'operational', previous: 'lost', redundancy: 'N' } });
const redundancyLost = event({ ...functionLost, id: 204, type: 'redundancy.lost', severity: 'major', data: { ...fnData, status: 'operational', previous: 'operational', redundancy: 'SPOF' } });
const redundancyRestored = event({ ...functionLost, id: 205, type: 'redundancy.restored', severity: 'info', data: { ...fnData, status: 'operational', previous: 'operational', redundancy: 'N-1' } });
const REF = '0b7c4e4e-8c7f-4f0e-9d7a-1f3f0c9b2a11';
const incident = (id: number, type: string, data: Record<string, unknown>) =>
  event({ id, type, subjectKind: 'incident', subjectKey: REF, severity: 'critical', data: { incidentRef: REF, ...data } });
const opened = incident(301, 'incident.opened', {
  title: 'JAXA Usuda is down (affects Missile-warning relay)', assetKey: 'jaxa-usuda', functionKeys: ['missile-warning-relay'],
  startedAt: TS - 30_000, openedAt: TS, ttdMs: 30_000,
});
const acknowledged = incident(302, 'incident.acknowledged', { title: opened.data['title'], acknowledgedBy: 'duty-officer', ttaMs: 120_000 });
const updated = incident(303, 'incident.updated', { title: opened.data['title'], status: 'identified', message: 'Feed cut at the Usuda antenna' });
const resolved = incident(304, 'incident.resolved', { title: opened.data['title'], assetKey: 'jaxa-usuda', resolvedAt: TS + 600_000 });
const drillAssetDown = event({ ...assetDown, id: 401, drillRunId: 7, severity: 'major' });
const drillStarted = event({
  id: 402, type: 'drill.started', subjectKind: 'drill_run', subjectKey: 'usuda-failover', drillRunId: 7,
  data: { drillId: 3, drillKey: 'usuda-failover', runId: 7, targets: ['jaxa-usuda'], mode: 'simulate' },
});
const rtoBreached = event({
  id: 403, type: 'rto.breached', subjectKind: 'drill_run', subjectKey: 'usuda-failover', drillRunId: 7, severity: 'minor',
  data: { drillId: 3, drillKey: 'usuda-failover', runId: 7, ttfMs: 95_000, rtoSeconds: 60 },
});

const ALL = [
  assetDown, assetUp, assetDegraded, functionLost, functionDegraded, functionOperational, redundancyLost, redundancyRestored,
  opened, acknowledged, updated, resolved, drillAssetDown, drillStarted, rtoBreached,
];

const parse = (e: AlertEvent, format: (typeof WEBHOOK_FORMATS)[number]) => {
  const out = formatEvent(format, e, options);
  if (!out) return null;
  expect(out.contentType).toBe('application/json');
  return JSON.parse(out.body) as Record<string, any>;
};

describe('standard format', () => {
  it('is { type, timestamp, data } with the event data, eventId, severity, drill and assetKey', () => {
    expect(parse(assetDown, 'standard')).toEqual({
      type: 'asset.down',
      timestamp: ISO,
      data: {
        ...assetDown.data,
        eventId: 101,
        severity: 'critical',
        drill: false,
        drillRunId: null,
        subject: { kind: 'asset', key: 'jaxa-usuda' },
        assetKey: 'jaxa-usuda',
      },
    });
  });

  it('always carries assetKey: null for a function event, the incident asset for an incident', () => {
    expect(parse(functionLost, 'standard')!.data).toMatchObject({ assetKey: null, functionKey: 'missile-warning-relay', groups });
    expect(parse(opened, 'standard')!.data).toMatchObject({ assetKey: 'jaxa-usuda', incidentRef: REF });
    expect(parse(drillStarted, 'standard')!.data).toHaveProperty('assetKey', null);
  });

  it('marks drill events drill: true', () => {
    expect(parse(drillAssetDown, 'standard')!.data).toMatchObject({ drill: true, drillRunId: 7 });
    expect(parse(drillStarted, 'standard')!.data).toMatchObject({ drill: true });
    expect(parse(rtoBreached, 'standard')!.data).toMatchObject({ drill: true });
  });

  it('stays under 20 KB however large the data', () => {
    const huge = event({
      ...assetDown,
      data: { ...assetDown.data, reason: 'x'.repeat(100_000), functionKeys: Array.from({ length: 5000 }, (_, i) => `fn-${i}`), nested: { a: { b: 'y'.repeat(50_000) } } },
    });
    const out = formatEvent('standard', huge, options)!;
    expect(new TextEncoder().encode(out.body).length).toBeLessThanOrEqual(STANDARD_MAX_BYTES);
    const body = JSON.parse(out.body);
    expect(body).toMatchObject({ type: 'asset.down', timestamp: ISO, data: { assetKey: 'jaxa-usuda', eventId: 101 } });
    expect(body.data.reason.length).toBeLessThan(100_000);
    expect(body.data.reason.endsWith('…')).toBe(true);
  });
});

describe('slack format', () => {
  it('has a fallback text and blocks with status, asset, severity and time fields', () => {
    const body = parse(assetDown, 'slack')!;
    expect(body.text).toBe('🔴 JAXA Usuda is down — affects missile-warning-relay');
    const types = body.blocks.map((b: { type: string }) => b.type);
    expect(types[0]).toBe('header');
    expect(types).toContain('section');
    expect(types.at(-1)).toBe('context');
    const fields = body.blocks.find((b: any) => b.fields).fields.map((f: any) => f.text);
    expect(fields).toEqual(expect.arrayContaining([
      '*Status*\ndown (was up)',
      '*Asset*\nJAXA Usuda (jaxa-usuda)',
      '*Severity*\nCritical',
      `*Time*\n<!date^${TS / 1000}^{date_short_pretty} {time_secs}|${ISO}>`,
    ]));
    expect(fields.length).toBeLessThanOrEqual(10);
    expect(JSON.stringify(body.blocks)).toContain('<https://coop.example.org/|Open coopwatch>');
    expect(JSON.stringify(body)).not.toContain('DRILL');
  });

  it('labels a drill event DRILL in the text and the blocks', () => {
    for (const e of [drillAssetDown, drillStarted, rtoBreached]) {
      const body = parse(e, 'slack')!;
      expect(body.text).toMatch(/^🧪 DRILL — /);
      expect(body.blocks[0].text.text).toContain('*DRILL*');
      expect(body.blocks[1]).toMatchObject({ type: 'header', text: { text: expect.stringMatching(/^DRILL: /) } });
    }
  });

  it('escapes mrkdwn control characters and keeps the header within 150 characters', () => {
    const e = event({ ...assetDown, data: { ...assetDown.data, assetName: `<!channel> & ${'n'.repeat(300)}` } });
    const body = parse(e, 'slack')!;
    const header = body.blocks.find((b: any) => b.type === 'header');
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    expect(JSON.stringify(body.blocks.filter((b: any) => b.type !== 'header'))).not.toContain('<!channel>');
    expect(JSON.stringify(body.blocks)).toContain('&lt;!channel&gt; &amp;');
  });

  it('formats every event type', () => {
    for (const e of ALL) expect(parse(e, 'slack')!.text.length).toBeGreaterThan(5);
    expect(parse(functionLost, 'slack')!.text).toBe('🔴 Missile-warning relay (PMEF) is lost');
    expect(parse(redundancyLost, 'slack')!.text).toBe('🟠 Missile-warning relay (PMEF) has lost redundancy (SPOF)');
    expect(parse(resolved, 'slack')!.text).toBe('✅ Incident resolved: JAXA Usuda is down (affects Missile-warning relay)');
    // An incident.resolved stored before it carried the title still names the incident.
    const { title: _t, ...untitled } = resolved.data;
    expect(parse(event({ ...resolved, data: untitled }), 'slack')!.text).toBe(`✅ Incident resolved: incident ${REF}`);
  });

  it('escapes the fallback text too: an asset name with &, < and > is shown, not parsed', () => {
    const e = event({ ...assetDown, data: { ...assetDown.data, assetName: 'Usuda <A2> & TT&C' } });
    expect(parse(e, 'slack')!.text).toBe('🔴 Usuda &lt;A2&gt; &amp; TT&amp;C is down — affects missile-warning-relay');
  });
});

describe('teams format', () => {
  it('is a Workflows message with one Adaptive Card 1.4 attachment', () => {
    const body = parse(assetDown, 'teams')!;
    expect(body).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }] });
    expect(body.attachments).toHaveLength(1);
    const card = body.attachments[0].content;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.body[0]).toMatchObject({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: '🔴 JAXA Usuda is down — affects missile-warning-relay', weight: 'Bolder' }] });
    const facts = card.body.find((b: any) => b.id === 'facts').items;
    expect(facts).toEqual(expect.arrayContaining([
      { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'Status: ', weight: 'Bolder' }, { type: 'TextRun', text: 'down (was up)' }] },
      { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'Severity: ', weight: 'Bolder' }, { type: 'TextRun', text: 'Critical' }] },
      { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'Time: ', weight: 'Bolder' }, { type: 'TextRun', text: ISO }] },
    ]));
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open coopwatch', url: 'https://coop.example.org/' }]);
    expect(JSON.stringify(body)).not.toContain('DRILL');
  });

  it('labels a drill event DRILL at the top of the card', () => {
    for (const e of [drillAssetDown, drillStarted, rtoBreached]) {
      const card = parse(e, 'teams')!.attachments[0].content;
      expect(card.body[0]).toMatchObject({ type: 'Container', items: [{ type: 'RichTextBlock', inlines: [{ text: expect.stringContaining('DRILL') }] }] });
      expect(card.body[1].inlines[0].text).toMatch(/^DRILL: /);
    }
  });

  it('puts event text only in TextRuns, which Teams never renders as markdown', () => {
    const markup = '[Restore now](https://evil.example/) **urgent** _x_\n- item';
    const e = event({ ...assetDown, data: { ...assetDown.data, assetName: markup, reason: markup } });
    const json = formatEvent('teams', e, options)!.body;
    expect(json).not.toMatch(/"type":"(TextBlock|FactSet)"/);
    const runs = [...json.matchAll(/"type":"TextRun","text":("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string);
    expect(runs).toContain(markup);
    expect(runs.some((r) => r.includes(`${markup} is down`))).toBe(true);
  });

  it('omits the link without a public URL', () => {
    const card = JSON.parse(formatEvent('teams', assetDown, {})!.body).attachments[0].content;
    expect(card.actions).toBeUndefined();
  });
});

describe('pagerduty format', () => {
  const pd = (e: AlertEvent) => parse(e, 'pagerduty');
  const correlated = (id: number, severity: AlertEvent['severity'], previousSeverity: string) => event({
    ...incident(id, 'incident.correlated', {
      title: opened.data['title'], change: 'symptom_attached', subjectKind: 'function', subjectKey: 'missile-warning-relay', causeKey: 'jaxa-usuda', previousSeverity,
    }),
    severity,
  });

  it('triggers an Events API v2 alert for an incident, keyed by the incident', () => {
    expect(pd(opened)).toEqual({
      routing_key: options.routingKey,
      event_action: 'trigger',
      dedup_key: REF,
      payload: {
        summary: expect.stringContaining('JAXA Usuda is down'),
        source: 'jaxa-usuda',
        severity: 'critical',
        timestamp: ISO,
        component: 'jaxa-usuda',
        group: 'incident',
        class: 'incident.opened',
        custom_details: expect.objectContaining({ incidentRef: REF, eventId: 301, drill: false }),
      },
      client: 'coopwatch',
      client_url: 'https://coop.example.org/',
      links: [{ href: 'https://coop.example.org/', text: 'Open coopwatch' }],
    });
  });

  it('maps severities critical→critical, major→error, minor→warning, info→info', () => {
    const sev = (severity: AlertEvent['severity']) => pd(event({ ...opened, severity }))!.payload.severity;
    expect([sev('critical'), sev('major'), sev('minor'), sev('info')]).toEqual(['critical', 'error', 'warning', 'info']);
  });

  it('keeps one dedup key across trigger → acknowledge → resolve → reopen of an incident, and skips updates and edits', () => {
    const reopened = incident(305, 'incident.reopened', { title: opened.data['title'], reopenedBy: 'duty-officer' });
    const keys = [opened, acknowledged, resolved, reopened].map((e) => pd(e)!);
    expect(keys.map((b) => b.event_action)).toEqual(['trigger', 'acknowledge', 'resolve', 'trigger']);
    expect(new Set(keys.map((b) => b.dedup_key))).toEqual(new Set([REF]));
    expect(formatEvent('pagerduty', updated, options)).toBeNull();
    expect(formatEvent('pagerduty', incident(306, 'incident.edited', { title: 'x', changed: ['title'] }), options)).toBeNull();
  });

  it('pages once per cause: asset, function and redundancy changes are not sent on their own', () => {
    for (const e of [assetDown, assetUp, assetDegraded, functionLost, functionDegraded, functionOperational, redundancyLost, redundancyRestored]) {
      expect(formatEvent('pagerduty', e, options), e.type).toBeNull();
    }
  });

  it('re-triggers the incident\'s own key when a symptom raises its severity, and stays quiet when it does not', () => {
    expect(pd(correlated(307, 'critical', 'major'))).toMatchObject({ event_action: 'trigger', dedup_key: REF, payload: { severity: 'critical' } });
    expect(formatEvent('pagerduty', correlated(308, 'major', 'major'), options)).toBeNull();
  });

  it('keeps drill alerts apart from real ones and labels them', () => {
    expect(formatEvent('pagerduty', drillAssetDown, options)).toBeNull();
    expect(pd(drillStarted)).toMatchObject({ event_action: 'trigger', dedup_key: 'event:402', payload: { custom_details: { drill: true, drillRunId: 7 } } });
    expect(pd(drillStarted)!.payload.summary).toMatch(/^\[DRILL\] /);
    expect(pd(rtoBreached)!.payload.summary).toBe('[DRILL] RTO breached in drill usuda-failover: 95 s > 60 s');
  });

  it('bounds the summary to 1024 characters and dedup keys to 255', () => {
    const long = event({ ...opened, subjectKey: 'k'.repeat(400), data: { ...opened.data, incidentRef: 'k'.repeat(400), title: 'N'.repeat(3000), assetKey: 'a'.repeat(400) } });
    const body = pd(long)!;
    expect(body.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(body.dedup_key.length).toBeLessThanOrEqual(255);
    expect(body.payload.source.length).toBeLessThanOrEqual(255);
    for (const e of ALL) {
      const b = pd(e);
      if (b) expect(b.payload.summary.length).toBeLessThanOrEqual(1024);
    }
    expect(boundDedupKey('a'.repeat(300))).toBe(boundDedupKey('a'.repeat(300)));
    expect(boundDedupKey('a'.repeat(300))).not.toBe(boundDedupKey(`${'a'.repeat(299)}b`));
  });

  it('needs a routing key', () => {
    expect(() => formatPagerDuty(opened, {})).toThrow(/routing key/);
  });
});

describe('formatEvent', () => {
  it('produces valid JSON for every format and event', () => {
    for (const format of WEBHOOK_FORMATS) {
      for (const e of ALL) {
        const out = formatEvent(format, e, options);
        if (out) expect(() => JSON.parse(out.body)).not.toThrow();
        else expect([format, e.type]).toEqual(['pagerduty', expect.stringMatching(/^(asset|function|redundancy)\.|^incident\.updated$/)]);
      }
    }
  });

  it('handles an event type it does not know', () => {
    const ping = event({ id: 9, type: 'webhook.ping', subjectKind: 'webhook', subjectKey: 'sub-1', data: {} });
    expect(parse(ping, 'standard')).toMatchObject({ type: 'webhook.ping', data: { assetKey: null, eventId: 9 } });
    expect(parse(ping, 'slack')!.text).toContain('webhook.ping');
    expect(parse(ping, 'pagerduty')).toMatchObject({ event_action: 'trigger', dedup_key: 'event:9' });
    expect(() => formatEvent('xml' as never, ping, options)).toThrow(/unknown alert format/);
  });
});
