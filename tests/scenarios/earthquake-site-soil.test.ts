// Site soil per asset: `avs30` through the assets API, the apply file and the export, and the
// what-if using it in place of the scenario's default (src/core/scenarios/impact.ts → earthquake.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ok, type TestApp } from '../helpers.js';
import { exportInventoryYaml } from '../../src/core/services/inventory/export.js';

let t: TestApp;
const ids: Record<string, number> = {};

type AssessedAsset = { assetKey: string; intensity: number; intensityClass: string; distanceKm: number; avs30Used: number };
const TOHOKU = {
  lat: 38.103, lon: 142.86, depthKm: 24, mw: 9.0, faultType: 'interplate',
  segments: [{ lat: 37.882, lon: 143.598, strikeDeg: 195, dipDeg: 12, lengthKm: 435, widthKm: 190, topDepthKm: 10 }],
};

async function assess(params: Record<string, unknown> = TOHOKU) {
  const body = await ok<{ assets: AssessedAsset[] }>(t.call('POST', '/api/scenarios/assess', { body: { kind: 'earthquake', params, includeAll: true } }));
  return Object.fromEntries(body.assets.map((a) => [a.assetKey, a]));
}

beforeAll(async () => {
  t = await createTestApp();
  // Two sites at the same place in Sendai: one on delta lowland, one with no soil given.
  for (const [key, avs30] of [['sendai-soft', 180], ['sendai-unknown', undefined]] as const) {
    ids[key] = (await ok(t.call('POST', '/api/assets', { body: { key, name: key, kind: 'datacenter', lat: 38.27, lon: 140.92, ...(avs30 ? { avs30 } : {}) } }), 201)).id;
  }
  ids.rock = (await ok(t.call('POST', '/api/assets', { body: { key: 'tsukuba-rock', name: 'rock', kind: 'datacenter', lat: 36.07, lon: 140.13, avs30: 900 } }), 201)).id;
});

afterAll(() => t.close());

describe('asset avs30', () => {
  it('is stored and shown by id, and null when not given', async () => {
    expect((await ok<{ avs30: number | null }>(t.call('GET', `/api/assets/${ids['sendai-soft']}`))).avs30).toBe(180);
    expect((await ok<{ avs30: number | null }>(t.call('GET', `/api/assets/${ids['sendai-unknown']}`))).avs30).toBeNull();
  });

  it('is refused out of range, naming the field', async () => {
    const res = await t.call('PATCH', `/api/assets/${ids['sendai-unknown']}`, { body: { avs30: 50 } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('avs30');
  });

  it('is used instead of the scenario default, and reported as avs30Used with the distance to the rupture', async () => {
    const a = await assess();
    expect(a['sendai-soft']!.avs30Used).toBe(180);
    expect(a['sendai-unknown']!.avs30Used).toBe(400);
    expect(a['tsukuba-rock']!.avs30Used).toBe(900);
    expect(a['sendai-soft']!.distanceKm).toBe(a['sendai-unknown']!.distanceKm);
    expect(a['sendai-soft']!.distanceKm).toBeGreaterThan(50);
    // 10^(0.66·log10(400/180)) ≈ 1.69× the PGV: +0.39 in intensity on the ≥ 4 branch.
    expect(a['sendai-soft']!.intensity - a['sendai-unknown']!.intensity).toBeCloseTo(1.72 * 0.66 * Math.log10(400 / 180), 1);
    // The scenario's avs30 only reaches the sites without their own.
    const withDefault = await assess({ ...TOHOKU, avs30: 250 });
    expect(withDefault['sendai-unknown']!.avs30Used).toBe(250);
    expect(withDefault['sendai-soft']!.avs30Used).toBe(180);
  });

  it('can be cleared by PATCH null', async () => {
    await ok(t.call('PATCH', `/api/assets/${ids.rock}`, { body: { avs30: null } }));
    expect((await assess())['tsukuba-rock']!.avs30Used).toBe(400);
    await ok(t.call('PATCH', `/api/assets/${ids.rock}`, { body: { avs30: 900 } }));
  });

  it('round-trips through the export and the apply file', async () => {
    const yaml = await exportInventoryYaml(t.ctx);
    expect(yaml).toMatch(/key: sendai-soft[\s\S]*?avs30: 180/);
    const changed = yaml.replace(/avs30: 180/, 'avs30: 220');
    const res = await t.call('POST', '/api/inventory/apply', { raw: changed, headers: { 'content-type': 'application/yaml' } });
    expect(res.status).toBe(200);
    expect((await ok<{ avs30: number }>(t.call('GET', `/api/assets/${ids['sendai-soft']}`))).avs30).toBe(220);
  });
});
