// The watch floor's JSON and a public status page with 90-day bars on Workers + D1: the SQL they
// lean on (json_array per asset row, group_concat per subject) runs on D1 too.
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, expectStatus } from './client.js';

describe('pages on Workers + D1', () => {
  it('serves /watch.json with the assets as a table, and a status page with its bars and summary', async () => {
    const a = await expectStatus(call('POST', '/api/assets', { body: { key: 'gs-w1', kind: 'ground_station', name: 'W1', lat: 1.5, lon: 2.5 } }), 201);
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    await env.DB.prepare(
      `insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples) values ('asset', ?, 'day', ?, 100, 50, 0, 0, 0)`,
    ).bind(a.id, day - 86_400_000).run();

    const login = await SELF.fetch('https://coopwatch.test/login', {
      method: 'POST', body: new URLSearchParams({ token: env.COOPWATCH_ADMIN_TOKEN, next: '/' }), redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const watch = await SELF.fetch('https://coopwatch.test/watch.json', { headers: { cookie } });
    expect(watch.status).toBe(200);
    const data = (await watch.json()) as { assetFields: string[]; assets: unknown[][] };
    const row = data.assets.find((r) => r[1] === 'gs-w1')!;
    expect(Object.fromEntries(data.assetFields.map((f, i) => [f, row[i]]))).toMatchObject({ id: a.id, key: 'gs-w1', status: 'unknown', lat: 1.5, lon: 2.5 });

    await expectStatus(call('POST', '/api/status-pages', { body: { slug: 'w', title: 'W', components: [{ assetId: a.id, name: 'W1' }] } }), 201);
    const page = await SELF.fetch('https://coopwatch.test/status/w');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('50 % up');
    const summary = await SELF.fetch('https://coopwatch.test/status/w/summary.json');
    expect(summary.status).toBe(200);
    expect(summary.headers.get('x-content-type-options')).toBe('nosniff');
    expect(((await summary.json()) as { components: Array<{ name: string }> }).components.map((c) => c.name)).toEqual(['W1']);
    // Precompressed for gzip readers and not encoded a second time by the runtime; ETag → 304.
    const zipped = await SELF.fetch('https://coopwatch.test/status/w/summary.json', { headers: { 'accept-encoding': 'gzip' } });
    const raw = new Uint8Array(await zipped.arrayBuffer());
    const text = raw[0] === 0x1f && raw[1] === 0x8b
      ? await new Response(new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'))).text()
      : new TextDecoder().decode(raw);
    expect(JSON.parse(text).components.map((c: { name: string }) => c.name)).toEqual(['W1']);
    const etag = zipped.headers.get('etag')!;
    expect((await SELF.fetch('https://coopwatch.test/status/w/summary.json', { headers: { 'if-none-match': etag } })).status).toBe(304);
  });
});
