import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { incidents } from '../../src/core/store/schema/index.js';
import { createTestApp, expectErrorShape, rawClient, type TestApp } from '../helpers.js';

let t: TestApp;
let incidentId: number;

beforeEach(async () => {
  t = await createTestApp();
  const asset = await t.call('POST', '/api/assets', { body: { key: 'aws-tokyo', kind: 'cloud_region', name: 'AWS Tokyo' } });
  const page = await t.call('POST', '/api/status-pages', { body: { slug: 'public', title: 'Status', components: [{ name: 'Tokyo region', assetId: asset.body.id }] } });
  if (page.status !== 201) throw new Error(`setup: ${page.status} ${page.text}`);
  const now = Date.now();
  await t.sqlite.db.insert(incidents).values({
    ref: 'inc-visibility', assetId: asset.body.id, functionIds: [], state: 'open', severity: 'major', title: 'AWS Tokyo is down', startedAt: now - 60_000, openedAt: now - 30_000,
  });
  incidentId = (rawClient(t.sqlite).prepare('select id from incidents').get() as { id: number }).id;
});
afterEach(() => t.close());

/** Every answer the public can read about the page. */
async function publicAnswers(): Promise<string> {
  const urls = ['/status/public', '/status/public/summary.json', '/status/public/feed.atom', '/status/public/badge.svg'];
  const summary = await t.call('GET', '/status/public/summary.json', { token: null });
  for (const c of summary.body.components as Array<{ id: string }>) urls.push(`/status/public/components/${c.id}/badge.svg`);
  const texts = await Promise.all(urls.map(async (url) => (await t.call('GET', url, { token: null })).text));
  return texts.join('\n');
}

describe('update visibility', () => {
  it('defaults to internal; the update, its event and the watch floor say which it is', async () => {
    const res = await t.call('POST', `/api/incidents/${incidentId}/updates`, { token: t.tokens.officer, body: { status: 'identified', message: 'Rotating the VPN keys' } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.updates).toEqual([expect.objectContaining({ status: 'identified', visibility: 'internal', message: 'Rotating the VPN keys' })]);
    const published = await t.call('POST', `/api/incidents/${incidentId}/updates`, { token: t.tokens.officer, body: { status: 'monitoring', message: 'Traffic is back', visibility: 'public' } });
    expect(published.body.updates.map((u: { visibility: string }) => u.visibility)).toEqual(['internal', 'public']);
    const events = rawClient(t.sqlite).prepare(`select data from events where type = 'incident.updated' order by id`).all() as Array<{ data: string }>;
    expect(events.map((e) => JSON.parse(e.data).visibility)).toEqual(['internal', 'public']);

    const answers = await publicAnswers();
    expect(answers).toContain('Traffic is back');
    expect(answers).not.toContain('VPN keys');
  });

  it('refuses an unknown visibility naming the field', async () => {
    const res = await t.call('POST', `/api/incidents/${incidentId}/updates`, { token: t.tokens.officer, body: { status: 'identified', message: 'x', visibility: 'secret' } });
    const error = expectErrorShape(res, 400);
    expect(JSON.stringify(error)).toContain('visibility');
  });

  it('no internal update ever appears in any public answer (property)', async () => {
    const word = fc.stringMatching(/^[a-z]{6,12}$/);
    const update = fc.record({ visibility: fc.constantFrom('internal', 'public'), status: fc.constantFrom('investigating', 'identified', 'monitoring'), word });
    await fc.assert(
      fc.asyncProperty(fc.array(update, { minLength: 1, maxLength: 6 }), async (updates) => {
        rawClient(t.sqlite).prepare('delete from incident_updates').run();
        for (const [n, u] of updates.entries()) {
          const message = `${u.visibility}-${n}-${u.word}`;
          const res = await t.call('POST', `/api/incidents/${incidentId}/updates`, { token: t.tokens.officer, body: { status: u.status, message, visibility: u.visibility } });
          if (res.status !== 201) throw new Error(res.text);
        }
        const answers = await publicAnswers();
        for (const [n, u] of updates.entries()) {
          const message = `${u.visibility}-${n}-${u.word}`;
          if (u.visibility === 'internal') expect(answers).not.toContain(message);
          else expect(answers).toContain(message);
        }
      }),
      { numRuns: 25 },
    );
  });
});
