// What-if assessment through the API: each scenario kind's selector on a small inventory made
// through the API, k-of-n impact on mission functions with common mode, includeAll, saved versus
// ad-hoc scenarios, and proof that assessing writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, tableCounts, type TestApp, ok } from '../helpers.js';
import type { IntensityClass } from '../../src/core/domain/scenarios.js';
import { intensityClassRank } from '../../src/core/scenarios/earthquake.js';

let t: TestApp;
const ids: Record<string, number> = {};
const fns: Record<string, number> = {};

async function asset(key: string, body: Record<string, unknown>) {
  ids[key] = (await ok(t.call('POST', '/api/assets', { body: { key, name: key, kind: 'ground_station', ...body } }), 201)).id;
}

async function fn(key: string, groups: Array<{ name: string; k: number; members: string[] }>, extra: Record<string, unknown> = {}) {
  const body = {
    key, name: key, tier: 'MEF', rtoSeconds: 600, mtdSeconds: 3600, ...extra,
    groups: groups.map((g) => ({ name: g.name, k: g.k, members: g.members.map((m) => ({ assetId: ids[m] })) })),
  };
  fns[key] = (await ok(t.call('POST', '/api/functions', { body }), 201)).id;
}

type Assessment = {
  assets: Array<{ assetId: number; assetKey: string; impact: string; reason: string; intensity?: number; intensityClass?: string; distanceKm?: number; downAfterHours?: number; recoveryHours: number | null }>;
  functions: Array<{ functionId: number; functionKey: string; status: string; redundancy: string; affected: boolean; alternatesHit: boolean; expectedSecondsToFailover: number | null }>;
  alternatesAlsoHit: number[];
  commonMode: Array<{ group: string; cause: string; assetIds: number[]; functionKey?: string }>;
  summary: Record<string, number>;
  scenarioId?: number;
  assessedAt: string;
};

const assess = (kind: string, params: Record<string, unknown>, includeAll?: boolean) =>
  ok<Assessment>(t.call('POST', '/api/scenarios/assess', { body: { kind, params, ...(includeAll === undefined ? {} : { includeAll }) } }));

/** The affected assets' keys, sorted. */
const hitKeys = (a: Assessment) => a.assets.filter((x) => x.impact !== 'none').map((x) => x.assetKey).sort();
const entry = (a: Assessment, key: string) => a.assets.find((x) => x.assetKey === key);

beforeAll(async () => {
  t = await createTestApp();
  // KA-SAT-like modems: two of one model and firmware (vendor spelled differently), one on newer firmware.
  await asset('modem-a', { kind: 'service', vendor: 'Viasat', model: 'SurfBeam2', firmware: '4.1.0', managementNetwork: 'ka-sat-mgmt' });
  await asset('modem-b', { kind: 'service', vendor: 'viasat', model: 'SURFBEAM2', firmware: '4.1.0', managementNetwork: 'ka-sat-mgmt' });
  await asset('modem-c', { kind: 'service', vendor: 'Viasat', model: 'SurfBeam2', firmware: '5.0.0', managementNetwork: 'ka-sat-mgmt' });
  // Power: one grid region, different backup.
  await asset('dc-long-backup', { kind: 'datacenter', gridRegion: 'tepco', backupPowerHours: 72 });
  await asset('dc-exact-backup', { kind: 'datacenter', gridRegion: 'TEPCO', backupPowerHours: 48 });
  await asset('dc-short-backup', { kind: 'datacenter', gridRegion: 'tepco', backupPowerHours: 8 });
  await asset('dc-no-backup', { kind: 'datacenter', gridRegion: 'tepco' });
  await asset('dc-kansai', { kind: 'datacenter', gridRegion: 'kansai', backupPowerHours: 0 });
  // Fiber: a link crossing the corridor at 35° N, and a parallel one about 200 km north of it.
  await asset('end-south', { kind: 'mission_ops_center', lat: 34.5, lon: 140.5 });
  await asset('end-north', { kind: 'mission_ops_center', lat: 35.5, lon: 140.5 });
  await asset('end-west', { kind: 'mission_ops_center', lat: 36.8, lon: 140.0 });
  await asset('end-east', { kind: 'mission_ops_center', lat: 36.8, lon: 141.0 });
  await asset('link-crossing', { kind: 'network_link', link: { fromAssetId: ids['end-south'], toAssetId: ids['end-north'] } });
  await asset('link-parallel', { kind: 'network_link', link: { fromAssetId: ids['end-west'], toAssetId: ids['end-east'] } });
  // Ground stations: polar, Japanese (35° N, sunlit at 03:00 UTC), American (night at 03:00 UTC).
  await asset('gs-svalbard', { lat: 78.23, lon: 15.39 });
  await asset('gs-katsuura', { lat: 35.21, lon: 140.3, tags: ['jaxa', 'kanto'] });
  await asset('gs-usuda', { lat: 36.13, lon: 138.36, tags: ['jaxa'] });
  await asset('gs-okinawa', { lat: 26.5, lon: 127.85, tags: ['kanto'] });
  await asset('gs-wallops', { lat: 37.94, lon: -75.46 });
  await asset('cloud-tokyo', { kind: 'cloud_region', lat: 35.69, lon: 139.69, tags: ['kanto'] });
  // Earthquake sites: Sendai (≈ 90 km from the Tōhoku rupture) and Osaka (≈ 520 km).
  await asset('site-sendai', { kind: 'datacenter', lat: 38.27, lon: 140.92 });
  await asset('site-osaka', { kind: 'datacenter', lat: 34.69, lon: 135.5 });

  await fn('ka-sat-relay', [{ name: 'uplink modems', k: 1, members: ['modem-a', 'modem-b'] }]);
  await fn('mixed-firmware-relay', [{ name: 'diverse modems', k: 1, members: ['modem-a', 'modem-c'] }]);
  await fn('downlink', [
    { name: 'stations', k: 1, members: ['gs-katsuura', 'gs-usuda'] },
    { name: 'cloud', k: 1, members: ['cloud-tokyo'] },
  ], { tier: 'PMEF' });
});

afterAll(() => t?.close());

describe('cyberattack selector', () => {
  it('matches vendor + model + firmware case-insensitively, and not another firmware', async () => {
    const a = await assess('cyberattack', { selector: { vendor: 'VIASAT', model: 'surfbeam2', firmware: '4.1.0' }, recoveryHours: 720 });
    expect(hitKeys(a)).toEqual(['modem-a', 'modem-b']);
    expect(entry(a, 'modem-a')).toMatchObject({ impact: 'down', recoveryHours: 720 });
    expect(entry(a, 'modem-a')!.reason).toMatch(/firmware 4\.1\.0/);
    expect(entry(a, 'modem-c')).toBeUndefined();
  });

  it('narrows by management network and tags as well (every field must match)', async () => {
    const mgmt = await assess('cyberattack', { selector: { managementNetwork: 'KA-SAT-MGMT' }, impact: 'degraded', recoveryHours: 24 });
    expect(hitKeys(mgmt)).toEqual(['modem-a', 'modem-b', 'modem-c']);
    expect(mgmt.assets.every((x) => x.impact === 'degraded')).toBe(true);
    const none = await assess('cyberattack', { selector: { managementNetwork: 'ka-sat-mgmt', tags: ['jaxa'] }, recoveryHours: 24 });
    expect(hitKeys(none)).toEqual([]);
    const tagged = await assess('cyberattack', { selector: { tags: ['jaxa', 'kanto'] }, recoveryHours: 24 });
    expect(hitKeys(tagged)).toEqual(['gs-katsuura']);
  });
});

describe('power selector', () => {
  it('degrades assets whose backup lasts the outage, takes down the rest after their backup hours', async () => {
    const a = await assess('power', { gridRegion: 'Tepco', outageHours: 48 });
    expect(hitKeys(a)).toEqual(['dc-exact-backup', 'dc-long-backup', 'dc-no-backup', 'dc-short-backup']);
    expect(entry(a, 'dc-long-backup')).toMatchObject({ impact: 'degraded', recoveryHours: 48 });
    expect(entry(a, 'dc-long-backup')!.downAfterHours).toBeUndefined();
    expect(entry(a, 'dc-exact-backup')).toMatchObject({ impact: 'degraded' });
    expect(entry(a, 'dc-short-backup')).toMatchObject({ impact: 'down', downAfterHours: 8, recoveryHours: 48 });
    expect(entry(a, 'dc-short-backup')!.reason).toMatch(/after 8 h/);
    expect(entry(a, 'dc-no-backup')).toMatchObject({ impact: 'down', downAfterHours: 0 });
    expect(entry(a, 'dc-kansai')).toBeUndefined();
  });
});

describe('fiber cut selector', () => {
  it('hits the link crossing the corridor and not a parallel one 200 km away', async () => {
    const a = await assess('fiber_cut', { corridor: { from: { lat: 35.0, lon: 139.8 }, to: { lat: 35.0, lon: 141.2 }, widthKm: 20 } });
    expect(hitKeys(a)).toEqual(['link-crossing']);
    expect(entry(a, 'link-crossing')).toMatchObject({ impact: 'down', recoveryHours: 240 });
    // the stations at the ends are not links: a cable cut does not take them down
    expect(entry(a, 'end-south')).toBeUndefined();
    // widened to reach it, the parallel link is hit too
    const wide = await assess('fiber_cut', { corridor: { from: { lat: 35.0, lon: 139.8 }, to: { lat: 35.0, lon: 141.2 }, widthKm: 250 }, impact: 'degraded' });
    expect(hitKeys(wide)).toEqual(['link-crossing', 'link-parallel']);
  });

  it('hits named links by id', async () => {
    const a = await assess('fiber_cut', { linkIds: [ids['link-parallel']] });
    expect(hitKeys(a)).toEqual(['link-parallel']);
  });
});

describe('space weather selector', () => {
  it('G5 takes down a station in the storm area (poleward of 40° geomagnetic) and not one at 35° N in Japan', async () => {
    const a = await assess('space_weather', { geomagnetic: 5, at: '2024-06-21T03:00:00Z' });
    expect(entry(a, 'gs-svalbard')).toMatchObject({ impact: 'down' });
    expect(entry(a, 'gs-svalbard')!.reason).toMatch(/G5: .*uplink\/downlink and tracking/);
    // Japan lies near 27° geomagnetic latitude: outside a G5's area of impact
    expect(entry(a, 'gs-katsuura')).toBeUndefined();
    // Virginia lies near 48° geomagnetic latitude (the dipole pole leans toward North America): inside it
    expect(entry(a, 'gs-wallops')).toMatchObject({ impact: 'down' });
    // fibre links are never touched
    expect(entry(a, 'link-crossing')).toBeUndefined();
  });

  it('R3 touches no ground station or fibre link (none is an HF radio user); R4 degrades a sunlit station\'s GNSS timing only', async () => {
    // 03:00 UTC: noon in Japan, 23:00 the evening before at Wallops (Virginia)
    const r3 = await assess('space_weather', { radio: 3, at: '2024-06-21T03:00:00Z' });
    expect(hitKeys(r3)).toEqual([]);
    const r4 = await assess('space_weather', { radio: 4, at: '2024-06-21T03:00:00Z' });
    expect(entry(r4, 'gs-katsuura')).toMatchObject({ impact: 'degraded' });
    expect(entry(r4, 'gs-katsuura')!.reason).toMatch(/R4: .*satellite navigation on the sunlit side/);
    expect(entry(r4, 'gs-wallops')).toBeUndefined();
    // twelve hours later the sides swap
    const later = await assess('space_weather', { radio: 4, at: '2024-06-21T15:00:00Z' });
    expect(entry(later, 'gs-wallops')).toMatchObject({ impact: 'degraded' });
    expect(entry(later, 'gs-katsuura')).toBeUndefined();
    // a data center keeps no GNSS time here and is no HF radio user
    expect(entry(r4, 'cloud-tokyo')).toBeUndefined();
  });
});

describe('custom selector', () => {
  it('combines kinds, tags and radius with AND', async () => {
    const a = await assess('custom', { selector: { kinds: ['ground_station'], tags: ['kanto'], radius: { lat: 35.69, lon: 139.69, km: 150 } } });
    // cloud-tokyo: wrong kind; gs-usuda: no kanto tag; gs-okinawa: too far
    expect(hitKeys(a)).toEqual(['gs-katsuura']);
    expect(entry(a, 'gs-katsuura')!.reason).toMatch(/km from the centre/);
    const tagsOnly = await assess('custom', { selector: { tags: ['kanto'] } });
    expect(hitKeys(tagsOnly)).toEqual(['cloud-tokyo', 'gs-katsuura', 'gs-okinawa']);
  });

  it('combines a polygon with kinds, tags and ids', async () => {
    const kanto = [[34.8, 138.9], [34.8, 141.0], [36.5, 141.0], [36.5, 138.9]];
    const inside = await assess('custom', { selector: { polygon: kanto } });
    expect(hitKeys(inside)).toEqual(['cloud-tokyo', 'end-north', 'gs-katsuura']);
    const stations = await assess('custom', { selector: { polygon: kanto, kinds: ['ground_station', 'mission_ops_center'] } });
    expect(hitKeys(stations)).toEqual(['end-north', 'gs-katsuura']);
    const tagged = await assess('custom', { selector: { polygon: kanto, tags: ['kanto'], kinds: ['ground_station'] } });
    expect(hitKeys(tagged)).toEqual(['gs-katsuura']);
    const named = await assess('custom', { selector: { polygon: kanto, assetIds: [ids['gs-usuda']!, ids['cloud-tokyo']!] }, impact: 'degraded' });
    expect(hitKeys(named)).toEqual(['cloud-tokyo']);
    expect(entry(named, 'cloud-tokyo')!.impact).toBe('degraded');
  });
});

describe('earthquake', () => {
  // 2011 Tōhoku: JMA hypocentre, Mw 9.0 plate interface, rupture plane strike 193° dip 14°.
  const tohoku = { lat: 38.103, lon: 142.86, depthKm: 24, mw: 9.0, faultType: 'interplate', strikeDeg: 193, dipDeg: 14 };

  it('shakes a site ≈ 100 km from the rupture at least two classes harder than one ≈ 500 km away', async () => {
    const a = await assess('earthquake', tohoku, true);
    const sendai = entry(a, 'site-sendai')!;
    const osaka = entry(a, 'site-osaka')!;
    expect(sendai.distanceKm).toBeGreaterThan(70);
    expect(sendai.distanceKm).toBeLessThan(130);
    expect(osaka.distanceKm).toBeGreaterThan(450);
    expect(osaka.distanceKm).toBeLessThan(600);
    expect(intensityClassRank(sendai.intensityClass as IntensityClass) - intensityClassRank(osaka.intensityClass as IntensityClass)).toBeGreaterThanOrEqual(2);
    expect(sendai.intensity!).toBeGreaterThan(osaka.intensity!);
    // observed: Sendai 6-upper, Osaka 3; the model is within its documented scatter
    expect(['5-lower', '5-upper', '6-lower', '6-upper']).toContain(sendai.intensityClass);
    expect(['2', '3', '4']).toContain(osaka.intensityClass);
    // default mapping: 5-lower+ degraded, 6-lower+ down
    expect(sendai.impact).toBe(sendai.intensityClass!.startsWith('6') ? 'down' : 'degraded');
    expect(osaka.impact).toBe('none');
    expect(sendai.reason).toMatch(new RegExp(`intensity ${sendai.intensityClass} .* km from the rupture`));
    // assets without a location cannot be placed
    expect(entry(a, 'modem-a')).toMatchObject({ impact: 'none', reason: 'no location' });
  });

  it('lets the scenario override the class → impact mapping', async () => {
    const a = await assess('earthquake', { ...tohoku, downFrom: '5-lower', degradedFrom: '2', outageHours: 12 });
    expect(entry(a, 'site-sendai')).toMatchObject({ impact: 'down', recoveryHours: 12 });
    expect(entry(a, 'site-osaka')).toMatchObject({ impact: 'degraded' });
  });
});

describe('impact through the k-of-n graph', () => {
  it('two members of a 1-of-2 group hit by one scenario: the function is lost, its alternates were hit too, common mode names the group', async () => {
    const a = await assess('cyberattack', { selector: { vendor: 'viasat', model: 'surfbeam2', firmware: '4.1.0' }, recoveryHours: 720 });
    const relay = a.functions.find((f) => f.functionKey === 'ka-sat-relay')!;
    expect(relay).toMatchObject({ status: 'lost', redundancy: 'none', affected: true, alternatesHit: true });
    expect(relay.expectedSecondsToFailover).toBe(720 * 3600);
    expect(a.alternatesAlsoHit).toContain(fns['ka-sat-relay']);
    const scenarioFinding = a.commonMode.find((c) => c.group === 'uplink modems' && c.cause === 'scenario');
    expect(scenarioFinding).toBeDefined();
    expect([...scenarioFinding!.assetIds].sort((x, y) => x - y)).toEqual([ids['modem-a']!, ids['modem-b']!].sort((x, y) => x - y));
    expect(scenarioFinding!.functionKey).toBe('ka-sat-relay');
    // they also share a management network: a standing common-mode cause
    expect(a.commonMode.some((c) => c.group === 'uplink modems' && c.cause === 'management_network')).toBe(true);

    // the diverse pair loses one member only: degraded with no spare, alternates not hit
    const diverse = a.functions.find((f) => f.functionKey === 'mixed-firmware-relay')!;
    expect(diverse).toMatchObject({ status: 'degraded', redundancy: 'SPOF', affected: true, alternatesHit: false });
    expect(a.alternatesAlsoHit).not.toContain(fns['mixed-firmware-relay']);
    expect(a.commonMode.some((c) => c.group === 'diverse modems')).toBe(false);
    // the untouched function stays operational
    expect(a.functions.find((f) => f.functionKey === 'downlink')).toMatchObject({ status: 'operational', affected: false, alternatesHit: false });
    expect(a.summary).toMatchObject({ assetsDown: 2, assetsDegraded: 0, functionsLost: 1, functionsDegraded: 1 });
  });

  it('a 1-of-1 group hit loses its function even when the redundant group holds', async () => {
    const a = await assess('custom', { selector: { assetIds: [ids['cloud-tokyo']!, ids['gs-usuda']!] } });
    const downlink = a.functions.find((f) => f.functionKey === 'downlink')!;
    expect(downlink).toMatchObject({ status: 'lost', alternatesHit: false });
    expect(a.alternatesAlsoHit).not.toContain(fns['downlink']);
  });

  it('includeAll lists every asset, the unaffected ones with impact none', async () => {
    const a = await assess('power', { gridRegion: 'kansai', outageHours: 4 }, true);
    expect(a.assets).toHaveLength(Object.keys(ids).length);
    expect(new Set(a.assets.map((x) => x.assetId))).toEqual(new Set(Object.values(ids)));
    expect(entry(a, 'dc-kansai')).toMatchObject({ impact: 'down' });
    const others = a.assets.filter((x) => x.assetKey !== 'dc-kansai');
    expect(others.every((x) => x.impact === 'none' && typeof x.reason === 'string')).toBe(true);
    const without = await assess('power', { gridRegion: 'kansai', outageHours: 4 });
    expect(without.assets.map((x) => x.assetKey)).toEqual(['dc-kansai']);
  });
});

describe('saved scenarios', () => {
  it('assessing a saved scenario answers exactly what the same ad-hoc body does, and writes nothing', async () => {
    const kinds: Array<[string, Record<string, unknown>]> = [
      ['cyberattack', { selector: { vendor: 'Viasat', model: 'SurfBeam2', firmware: '4.1.0' }, recoveryHours: 720 }],
      ['space_weather', { radio: 3, geomagnetic: 5, at: '2024-06-21T03:00:00Z' }],
      ['earthquake', { lat: 38.103, lon: 142.86, depthKm: 24, mw: 9.0, faultType: 'interplate', strikeDeg: 193, dipDeg: 14 }],
    ];
    for (const [kind, params] of kinds) {
      await ok(t.call('POST', '/api/scenarios', { body: { key: `saved-${kind.replace('_', '-')}`, name: `Saved ${kind}`, kind, params } }), 201);
    }
    const saved = (await ok<{ items: Array<{ id: number; kind: string }> }>(t.call('GET', '/api/scenarios'))).items;
    const before = tableCounts(t.sqlite);
    for (const [kind, params] of kinds) {
      const id = saved.find((s) => s.kind === kind)!.id;
      for (const includeAll of [false, true]) {
        const fromSaved = await ok<Assessment>(t.call('POST', `/api/scenarios/${id}/assess${includeAll ? '?includeAll=true' : ''}`));
        const adHoc = await assess(kind, params, includeAll);
        expect(fromSaved.scenarioId).toBe(id);
        const { scenarioId: _id, assessedAt: _a1, ...savedRest } = fromSaved;
        const { assessedAt: _a2, ...adHocRest } = adHoc;
        expect(savedRest).toEqual(adHocRest);
        expect(fromSaved.assets.length).toBeGreaterThan(0);
      }
    }
    // nothing written by any assessment: not an event, not a state
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('a viewer cannot assess; an unknown scenario is 404', async () => {
    expect((await t.call('POST', '/api/scenarios/assess', { token: t.tokens.viewer, body: { kind: 'power', params: { gridRegion: 'tepco', outageHours: 1 } } })).status).toBe(403);
    expect((await t.call('POST', '/api/scenarios/9999/assess')).status).toBe(404);
  });
});
