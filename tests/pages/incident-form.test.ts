// The watch floor's incident update form says who will see the update: internal (preselected)
// or public. Through app.request; no browser needed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, ok, type TestApp } from '../helpers.js';

let t: TestApp;
let officer: string;
let incidentId: number;

async function signIn(token: string): Promise<string> {
  const res = await t.app.request('/login', { method: 'POST', body: new URLSearchParams({ token, next: '/' }), redirect: 'manual' });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

beforeEach(async () => {
  t = await createTestApp();
  officer = await signIn(t.tokens.officer);
  incidentId = (await ok(t.call('POST', '/api/incidents', { token: t.tokens.officer, body: { title: 'Relay link noisy', severity: 'minor' } }), 201)).id;
});
afterEach(() => t.close());

const floor = async () => (await t.app.request('/', { headers: { cookie: officer } })).text();
const post = (form: Record<string, string>) =>
  t.app.request(`/incidents/${incidentId}/updates`, { method: 'POST', headers: { cookie: officer }, body: new URLSearchParams(form), redirect: 'manual' });

describe('incident update form', () => {
  it('offers internal (checked) and public, each labelled', async () => {
    const html = await floor();
    expect(html).toMatch(new RegExp(`<input type="radio" name="visibility" value="internal" id="update-internal-${incidentId}" checked=""/> Internal \\(officers only\\)`));
    expect(html).toMatch(new RegExp(`<input type="radio" name="visibility" value="public" id="update-public-${incidentId}"/> Public \\(status pages and feeds\\)`));
  });

  it('stores what the officer chose; no choice is internal; a bogus one is refused', async () => {
    const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await floor())![1]!;
    expect((await post({ _csrf: csrf, status: 'identified', message: 'For us', visibility: 'internal' })).status).toBe(303);
    expect((await post({ _csrf: csrf, status: 'monitoring', message: 'For everyone', visibility: 'public' })).status).toBe(303);
    expect((await post({ _csrf: csrf, status: 'monitoring', message: 'No choice sent' })).status).toBe(303);
    expect((await post({ _csrf: csrf, status: 'monitoring', message: 'x', visibility: 'world' })).status).toBe(400);
    const incident = await ok(t.call('GET', `/api/incidents/${incidentId}`));
    expect(incident.updates.map((u: { message: string; visibility: string }) => [u.message, u.visibility])).toEqual([
      ['For us', 'internal'], ['For everyone', 'public'], ['No choice sent', 'internal'],
    ]);
  });

  it('the card marks its latest update internal or public', async () => {
    const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await floor())![1]!;
    const marker = async () => /<span class="visibility visibility-(\w+)">(\w+)<\/span>/.exec(await floor())?.slice(1);
    expect(await marker()).toBeUndefined();
    await post({ _csrf: csrf, status: 'monitoring', message: 'For everyone', visibility: 'public' });
    expect(await marker()).toEqual(['public', 'Public']);
    await post({ _csrf: csrf, status: 'monitoring', message: 'For us' });
    expect(await marker()).toEqual(['internal', 'Internal']);
  });
});
