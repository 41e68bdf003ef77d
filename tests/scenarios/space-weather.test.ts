// Each NOAA space weather scale level hits only what NOAA's scale description says it affects
// (https://www.swpc.noaa.gov/noaa-scales-explanation), decided by a link's medium or an asset's
// exposures. The expectations below are written out by hand from NOAA's text, not read from the
// table under test.
import { describe, expect, it } from 'vitest';
import { impactOn, type ScenarioAsset } from '../../src/core/scenarios/impact.js';
import { spaceWeatherParams } from '../../src/core/domain/scenarios.js';
import { geomagneticLatDeg } from '../../src/core/scenarios/geo.js';
import type { LinkMedium } from '../../src/core/domain/enums.js';

// Midsummer noon at Svalbard: sunlit, inside the polar cap, inside every G level's storm area.
const POLAR_NOON = '2024-06-21T11:00:00Z';
const SVALBARD = { lat: 78.23, lon: 15.39 };
const TROMSO = { lat: 69.65, lon: 18.96 };
// Tokyo area: 03:00 UTC is noon, 15:00 UTC midnight; near 27° geomagnetic latitude.
const KATSUURA = { lat: 35.21, lon: 140.3 };
const TSUKUBA = { lat: 36.07, lon: 140.13 };

const base: ScenarioAsset = {
  id: 1, key: 'x', kind: 'network_link', lat: null, lon: null, vendor: null, model: null, firmware: null, managementNetwork: null,
  gridRegion: null, backupPowerHours: null, tags: [], medium: null, linkEnds: null, linkEndIds: [null, null],
};
const link = (medium: LinkMedium, ends: [typeof SVALBARD, typeof SVALBARD] = [SVALBARD, TROMSO]): ScenarioAsset => ({ ...base, medium, linkEnds: ends });
const site = (over: Partial<ScenarioAsset>): ScenarioAsset => ({ ...base, kind: 'datacenter', ...SVALBARD, ...over });

type Scale = 'radio' | 'solar' | 'geomagnetic';
const hit = (asset: ScenarioAsset, scale: Scale, level: number, at = POLAR_NOON, durationHours = 12) =>
  impactOn({ kind: 'space_weather', params: spaceWeatherParams.parse({ [scale]: level, at, durationHours }) }, asset, Date.parse(at));

// Where every reach condition holds (sunlit, polar cap, storm area): R1…R5, S1…S5, G1…G5 per medium.
const EXPECTED: Record<LinkMedium, Record<Scale, string[]>> = {
  fibre: { radio: ['none', 'none', 'none', 'none', 'none'], solar: ['none', 'none', 'none', 'none', 'none'], geomagnetic: ['none', 'none', 'none', 'none', 'none'] },
  microwave: { radio: ['none', 'none', 'none', 'none', 'none'], solar: ['none', 'none', 'none', 'none', 'none'], geomagnetic: ['none', 'none', 'none', 'none', 'none'] },
  // R: HF on the sunlit side, blackout from R3. S: HF through the polar regions, blackout (PCA) from S4. G: HF fades from G2, impossible at G5.
  hf: { radio: ['degraded', 'degraded', 'down', 'down', 'down'], solar: ['degraded', 'degraded', 'degraded', 'down', 'down'], geomagnetic: ['none', 'degraded', 'degraded', 'degraded', 'down'] },
  // R: nothing about satellites. S: SEUs likely from S3, satellites may be rendered useless at S5. G: charging and drag from G3, uplink/downlink problems at G5.
  satellite: { radio: ['none', 'none', 'none', 'none', 'none'], solar: ['none', 'none', 'degraded', 'degraded', 'down'], geomagnetic: ['none', 'none', 'degraded', 'degraded', 'down'] },
};

describe('space weather by NOAA scale level and link medium', () => {
  it('places the fixtures where the test means them: Svalbard in the polar cap, Japan far from it', () => {
    expect(geomagneticLatDeg(SVALBARD)).toBeGreaterThan(70);
    expect(geomagneticLatDeg(TROMSO)).toBeGreaterThan(60);
    expect(geomagneticLatDeg(KATSUURA)).toBeLessThan(35);
  });

  for (const medium of Object.keys(EXPECTED) as LinkMedium[]) {
    for (const scale of ['radio', 'solar', 'geomagnetic'] as const) {
      for (let level = 1; level <= 5; level++) {
        const want = EXPECTED[medium][scale][level - 1];
        it(`${scale[0]!.toUpperCase()}${level} on a polar ${medium} link at noon: ${want}`, () => {
          const result = hit(link(medium), scale, level);
          expect(result.impact).toBe(want);
          if (want !== 'none') expect(result.reason).toMatch(new RegExp(`^${scale === 'radio' ? 'R' : scale === 'solar' ? 'S' : 'G'}${level}: `));
        });
      }
    }
  }

  it('S4 polar-cap absorption blacks out polar HF, not subsea fibre and not HF far from the pole', () => {
    expect(hit(link('hf'), 'solar', 4).reason).toMatch(/polar cap absorption/);
    expect(hit(link('fibre'), 'solar', 4).impact).toBe('none');
    expect(hit(link('hf', [KATSUURA, TSUKUBA]), 'solar', 4, '2024-06-21T03:00:00Z').impact).toBe('none');
  });

  it('R3 blacks out HF on the sunlit side only', () => {
    expect(hit(link('hf', [KATSUURA, TSUKUBA]), 'radio', 3, '2024-06-21T03:00:00Z')).toMatchObject({ impact: 'down' });
    expect(hit(link('hf', [KATSUURA, TSUKUBA]), 'radio', 3, '2024-06-21T15:00:00Z')).toMatchObject({ impact: 'none' });
  });

  it('G effects on the ground stay in the storm area (poleward of 60° geomagnetic at G1 … 40° at G5)', () => {
    expect(hit(link('hf', [KATSUURA, TSUKUBA]), 'geomagnetic', 5).impact).toBe('none');
    expect(hit(link('satellite', [KATSUURA, TSUKUBA]), 'geomagnetic', 5).impact).toBe('none');
    // S protons reach the spacecraft wherever the ground end is
    expect(hit(link('satellite', [KATSUURA, TSUKUBA]), 'solar', 5).impact).toBe('down');
  });
});

describe('space weather on sites: grid power, GNSS timing, satellite work', () => {
  it('a site on no grid, keeping no GNSS time, is never hit', () => {
    for (const scale of ['radio', 'solar', 'geomagnetic'] as const) {
      for (let level = 1; level <= 5; level++) expect(hit(site({}), scale, level).impact).toBe('none');
    }
  });

  it('G4 may trip the grid (degraded); G5 blacks it out: backup that outlasts the storm keeps the site up, shorter backup goes down when it runs out', () => {
    expect(hit(site({ gridRegion: 'statnett-north', backupPowerHours: 0 }), 'geomagnetic', 4).impact).toBe('degraded');
    expect(hit(site({ gridRegion: 'statnett-north', backupPowerHours: 0 }), 'geomagnetic', 3).impact).toBe('none');
    const long = hit(site({ gridRegion: 'statnett-north', backupPowerHours: 48 }), 'geomagnetic', 5, POLAR_NOON, 24);
    expect(long).toMatchObject({ impact: 'degraded' });
    expect(long.reason).toMatch(/on backup power for the whole 24 h/);
    const short = hit(site({ gridRegion: 'statnett-north', backupPowerHours: 8 }), 'geomagnetic', 5, POLAR_NOON, 24);
    expect(short).toMatchObject({ impact: 'down', downAfterHours: 8, recoveryHours: 24 });
    // no radio or radiation level touches grid power
    for (let level = 1; level <= 5; level++) {
      expect(hit(site({ gridRegion: 'statnett-north', backupPowerHours: 0 }), 'radio', level).impact).toBe('none');
      expect(hit(site({ gridRegion: 'statnett-north', backupPowerHours: 0 }), 'solar', level).impact).toBe('none');
    }
  });

  it('GNSS timing: R4 and R5 on the sunlit side, S2 and up in the polar cap, G3 and up in the storm area', () => {
    const gnss = site({ tags: ['gnss-timing'] });
    const at = (scale: Scale) => [1, 2, 3, 4, 5].map((level) => hit(gnss, scale, level).impact);
    expect(at('radio')).toEqual(['none', 'none', 'none', 'degraded', 'degraded']);
    expect(at('solar')).toEqual(['none', 'degraded', 'degraded', 'degraded', 'degraded']);
    expect(at('geomagnetic')).toEqual(['none', 'none', 'degraded', 'degraded', 'degraded']);
  });

  it('a ground station works through satellites and keeps GNSS time: a G5 in its storm area takes it down, an R3 (HF only) does not touch it', () => {
    const station = site({ kind: 'ground_station' });
    expect(hit(station, 'geomagnetic', 5).impact).toBe('down');
    expect(hit(station, 'radio', 3).impact).toBe('none');
    expect(hit({ ...station, ...KATSUURA }, 'geomagnetic', 5).impact).toBe('none');
  });
});
