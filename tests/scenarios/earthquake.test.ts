// Earthquake intensity model (src/core/scenarios/earthquake.ts) against OBSERVED JMA
// seismic intensities of real earthquakes, plus the geodesy helpers it uses.
//
// Observed values are from the public record (JMA seismic intensity reports; the
// 1995 event used the pre-1996 scale, whose "6" spans today's 6-lower/6-upper).
// Sites use the default AVS30 of 400 m/s (×1.30) — no per-station soil data.
// (Finite-fault geometry against many more stations: earthquake-finite-fault.test.ts.)
//
// Predicted vs observed (default options):
//
// | event (model input)                         | site (lat, lon)                   | X km  | I    | predicted | observed         | |Δ| |
// |---------------------------------------------|-----------------------------------|-------|------|-----------|------------------|-----|
// | 2011 Tōhoku Mw 9.0 interplate, 24 km,       | Kurihara Tsukidate (38.73,141.02) |  92.2 | 5.0  | 5-upper   | 7                |  3 ✗|
// |   strike 193° dip 14° (plane 614×189 km)    | Sendai Miyagino (38.27,140.92)    |  91.0 | 5.1  | 5-upper   | 6-upper          |  2 ✗|
// |                                             | Tokyo Shinjuku (35.69,139.69)     | 139.9 | 4.7  | 5-lower   | 5-lower…5-upper  |  0  |
// |                                             | Osaka (34.69,135.50)              | 524.1 | 1.9  | 2         | 3                |  1  |
// | 1995 Kobe Mw 6.9 crustal, 16 km,            | Kobe obs. (34.69,135.19)          |   8.2 | 5.5  | 6-lower   | 6 (old scale)    |  0  |
// |   strike 53° dip 85° (plane 47×18 km)       | Osaka (34.69,135.50)              |  26.9 | 4.9  | 5-lower   | 4                |  1  |
// | 2016 Kumamoto Mw 7.0 crustal, 12 km,        | Mashiki (32.79,130.81)            |   5.6 | 5.7  | 6-lower   | 7                |  2 ✗|
// |   no strike → mean X over strikes           | Kumamoto city (32.80,130.71)      |   6.0 | 5.6  | 6-lower   | 6-upper          |  1  |
// |                                             | Fukuoka (33.59,130.40)            |  85.2 | 4.0  | 4         | 4                |  0  |
// | 2018 Hokkaido Eastern Iburi Mw 6.6 crustal, | Atsuma (42.72,141.88)             |  31.7 | 4.6  | 5-lower   | 7                |  4 ✗|
// |   37 km, no strike                          | Sapporo Higashi-ku (43.08,141.36) |  67.5 | 4.0  | 4         | 6-lower          |  3 ✗|
//
// Within one class: 6 of 11 sites. The five misses (✗) are all UNDER-predictions at
// the strongest-shaken stations, and are kept as documented limitations, not
// "fixed" by tuning coefficients:
// - Kurihara 7 and Sendai 6-upper (Tōhoku): Mw is capped at 8.3 in the formula
//   (as NIED does), the plane's down-dip edge sits ~40 km off the coast at 47 km,
//   and both stations have strong local high-frequency site amplification
//   (Kurihara's 7 was an isolated peak among 6-lower/6-upper neighbours). Without
//   the cap both would be 5.5 (6-lower); NIED's own maps add a north-east Japan
//   "anomalous intensity" correction that this model leaves out.
// - Mashiki 7 (Kumamoto): the Si & Midorikawa near-source term saturates; for
//   Mw 7.0 on AVS30 400 m/s ground it gives 5.7 at the mean X of 5.6 km and only ≈ 6.1 at X = 0.
//   Mashiki's soft volcanic/alluvial ground (AVS30 ~250 would give 6.1, 6-upper)
//   and the rupture directly beneath explain the 7.
// - Atsuma 7 and Sapporo Higashi-ku 6-lower (Iburi): a 37 km deep Mw 6.6 event is
//   weak in the model everywhere (X ≥ 24 km); the observed intensities were
//   dominated by site effects (Atsuma's pumice/volcanic deposits; Higashi-ku's
//   reclaimed valley fill, which liquefied). Treating the event as intraslab
//   (d = +0.12) only raises them to 5.0 and 4.3.
// For a planner this means: use the site's AVS30 where known, and read the
// model's class as "typical" shaking with about one class of upside risk.

import { describe, expect, it } from 'vitest';
import {
  classifyIntensity,
  DEFAULT_INTENSITY_IMPACT,
  estimateIntensity,
  impactForClass,
  intensityClassRank,
  pgvToIntensity,
  type Quake,
  siMidorikawaPgv600,
  siteAmplification,
} from '../../src/core/scenarios/earthquake.js';
import { JMA_INTENSITY_CLASSES, type IntensityClass } from '../../src/core/domain/scenarios.js';
import { ruptureDimensions, rupturePlane } from '../../src/core/scenarios/rupture.js';
import {
  alongTrackKm,
  bearingDeg,
  crossTrackKm,
  destinationPoint,
  distanceToFaultPlaneKm,
  haversineKm,
  pointInPolygon,
  pointToSegmentKm,
  toLocalKm,
} from '../../src/core/scenarios/geo.js';

// ── Real earthquakes ─────────────────────────────────────────────────────────

/** 2011-03-11 off the Pacific coast of Tōhoku: JMA hypocentre 38.103 N 142.860 E, 24 km, Mw 9.0 (JMA);
 *  plate interface; strike ≈ 193°, dip ≈ 14° (shallow west-dipping Japan Trench megathrust, cf. USGS W-phase / GCMT). */
const TOHOKU: Quake = { lat: 38.103, lon: 142.86, depthKm: 24, mw: 9.0, faultType: 'interplate', strikeDeg: 193, dipDeg: 14 };
/** 1995-01-17 Hyōgo-ken Nanbu (Kobe): JMA hypocentre 34.60 N 135.04 E, 16 km, Mw 6.9; right-lateral strike-slip on
 *  the NE-striking (≈ 53°) Nojima–Rokko fault system, near vertical (dip taken as 85°). */
const KOBE: Quake = { lat: 34.6, lon: 135.04, depthKm: 16, mw: 6.9, faultType: 'crustal', strikeDeg: 53, dipDeg: 85 };
/** 2016-04-16 Kumamoto main shock: JMA hypocentre 32.75 N 130.76 E, 12 km, Mj 7.3 / Mw 7.0; crustal (Futagawa fault).
 *  Given without strike/dip so the JMA EEW distance path is exercised. */
const KUMAMOTO: Quake = { lat: 32.75, lon: 130.76, depthKm: 12, mw: 7.0, faultType: 'crustal' };
/** 2018-09-06 Hokkaido Eastern Iburi: JMA hypocentre 42.69 N 142.01 E, 37 km, Mj 6.7 / Mw 6.6; reverse faulting in the
 *  lower crust of the Hidaka collision zone (not in the Pacific slab), modelled as crustal. */
const IBURI: Quake = { lat: 42.69, lon: 142.01, depthKm: 37, mw: 6.6, faultType: 'crustal' };

interface ObservedCase {
  event: string;
  quake: Quake;
  site: string;
  lat: number;
  lon: number;
  /** Observed JMA class, or the range across the nearby stations the site stands for. */
  observed: readonly [IntensityClass, IntensityClass];
  /** The model's class as recorded in the table above (keeps the table honest). */
  predicted: IntensityClass;
  /** Present when the model misses by more than one class: why. */
  knownMiss?: string;
}

const CASES: ObservedCase[] = [
  // 2011 Tōhoku. Kurihara (Tsukidate) recorded the only 7 of the main shock (JMA).
  {
    event: 'Tōhoku 2011', quake: TOHOKU, site: 'Kurihara Tsukidate', lat: 38.73, lon: 141.02,
    observed: ['7', '7'], predicted: '5-upper',
    knownMiss: 'Mw capped at 8.3; isolated local site amplification (neighbouring stations 6-lower/6-upper)',
  },
  // Sendai Miyagino-ku (Gorin) recorded 6-upper, the strongest in Sendai city (JMA).
  {
    event: 'Tōhoku 2011', quake: TOHOKU, site: 'Sendai Miyagino-ku', lat: 38.27, lon: 140.92,
    observed: ['6-upper', '6-upper'], predicted: '5-upper',
    knownMiss: 'Mw capped at 8.3 and no NE-Japan anomalous-intensity correction; with Mw uncapped the model gives 6-lower',
  },
  // Central Tokyo recorded 5-lower at some wards and 5-upper at others (the 23 wards' maximum was 5-upper).
  { event: 'Tōhoku 2011', quake: TOHOKU, site: 'Tokyo (Shinjuku)', lat: 35.69, lon: 139.69, observed: ['5-lower', '5-upper'], predicted: '5-lower' },
  // Osaka recorded 3 (e.g. Osaka Suminoe-ku / Nankō, where the Sakishima high-rise swayed for minutes).
  // X ≈ 520 km is beyond the ~300 km fitting range: an extrapolation; the low-intensity branch gives 2,
  // one class under (Osaka's soft basin, AVS30 well under the default 400, explains the rest).
  { event: 'Tōhoku 2011', quake: TOHOKU, site: 'Osaka', lat: 34.69, lon: 135.5, observed: ['3', '3'], predicted: '2' },
  // 1995 Kobe: the JMA Kobe Marine Observatory recorded 6 on the old scale (the damage belt was later assessed as 7);
  // Osaka recorded 4.
  { event: 'Kobe 1995', quake: KOBE, site: 'Kobe Marine Observatory', lat: 34.69, lon: 135.19, observed: ['6-lower', '6-upper'], predicted: '6-lower' },
  { event: 'Kobe 1995', quake: KOBE, site: 'Osaka', lat: 34.69, lon: 135.5, observed: ['4', '4'], predicted: '5-lower' },
  // 2016 Kumamoto main shock: Mashiki recorded 7 (as in the foreshock two days earlier); Kumamoto city's central
  // wards 6-upper; Fukuoka city 4 (5-lower was the maximum elsewhere in Fukuoka Prefecture).
  {
    event: 'Kumamoto 2016', quake: KUMAMOTO, site: 'Mashiki', lat: 32.79, lon: 130.81,
    observed: ['7', '7'], predicted: '6-lower',
    knownMiss: 'near-source saturation of Si & Midorikawa (≈6.1 even at X = 0 for Mw 7.0 on 400 m/s ground) and soft local ground',
  },
  { event: 'Kumamoto 2016', quake: KUMAMOTO, site: 'Kumamoto city', lat: 32.8, lon: 130.71, observed: ['6-upper', '6-upper'], predicted: '6-lower' },
  { event: 'Kumamoto 2016', quake: KUMAMOTO, site: 'Fukuoka', lat: 33.59, lon: 130.4, observed: ['4', '4'], predicted: '4' },
  // 2018 Iburi: Atsuma recorded 7 (the first 7 in Hokkaido); Sapporo Higashi-ku 6-lower (Sapporo's maximum).
  {
    event: 'Iburi 2018', quake: IBURI, site: 'Atsuma', lat: 42.72, lon: 141.88,
    observed: ['7', '7'], predicted: '5-lower',
    knownMiss: '37 km deep source keeps X ≥ 24 km; the 7 was dominated by soft volcanic (pumice) deposits',
  },
  {
    event: 'Iburi 2018', quake: IBURI, site: 'Sapporo Higashi-ku', lat: 43.08, lon: 141.36,
    observed: ['6-lower', '6-lower'], predicted: '4',
    knownMiss: 'site effect: reclaimed valley fill in Higashi-ku (it liquefied); the model has no basin/fill amplification',
  },
];

/** Classes between the prediction and the nearest end of the observed range (0 when inside it). */
function classMiss(predicted: IntensityClass, [lo, hi]: readonly [IntensityClass, IntensityClass]): number {
  const p = intensityClassRank(predicted);
  const a = intensityClassRank(lo);
  const b = intensityClassRank(hi);
  return p < a ? a - p : p > b ? p - b : 0;
}

describe('estimateIntensity against observed JMA intensities', () => {
  for (const c of CASES) {
    const label = `${c.event}: ${c.site} observed ${c.observed[0] === c.observed[1] ? c.observed[0] : c.observed.join('…')}`;
    if (c.knownMiss) {
      // KNOWN LIMITATION — the model as specified misses this station by more than one class (see the header).
      // We assert the documented behaviour (an under-prediction, at the recorded class) instead of tuning coefficients.
      it(`${label} — known under-prediction: ${c.knownMiss}`, () => {
        const e = estimateIntensity(c.quake, { lat: c.lat, lon: c.lon });
        expect(e.intensityClass).toBe(c.predicted);
        expect(intensityClassRank(e.intensityClass)).toBeLessThan(intensityClassRank(c.observed[0]));
        expect(classMiss(e.intensityClass, c.observed)).toBeGreaterThan(1);
      });
    } else {
      it(`${label} — predicted within one class`, () => {
        const e = estimateIntensity(c.quake, { lat: c.lat, lon: c.lon });
        expect(e.intensityClass).toBe(c.predicted);
        expect(classMiss(e.intensityClass, c.observed)).toBeLessThanOrEqual(1);
      });
    }
  }

  it('keeps most sites within one class', () => {
    const within = CASES.filter((c) => classMiss(estimateIntensity(c.quake, { lat: c.lat, lon: c.lon }).intensityClass, c.observed) <= 1);
    expect(within.length).toBe(CASES.length - CASES.filter((c) => c.knownMiss).length);
  });

  it('reports the distances it used', () => {
    const kobe = estimateIntensity(KOBE, { lat: 34.69, lon: 135.19 });
    expect(kobe.distanceMethod).toBe('rupture-plane');
    // Kobe sits almost on the strike line, so X is about the depth of the top edge (16 − 9·sin 85° ≈ 7 km).
    expect(kobe.distanceKm).toBeGreaterThan(5);
    expect(kobe.distanceKm).toBeLessThan(9);
    expect(kobe.hypocentralKm).toBeCloseTo(Math.hypot(haversineKm(KOBE, { lat: 34.69, lon: 135.19 }), 16), 6);

    // Without strike: the mean over strikes of the distance to a vertical, scaled plane (ShakeMap's no-rupture rule).
    const fukuoka = estimateIntensity(KUMAMOTO, { lat: 33.59, lon: 130.4 });
    expect(fukuoka.distanceMethod).toBe('mean-over-strike');
    expect(fukuoka.distanceKm).toBeLessThan(fukuoka.hypocentralKm);
    expect(fukuoka.distanceKm).toBeGreaterThan(fukuoka.hypocentralKm - 10 ** (-2.44 + 0.59 * 7.0) / 2);
    // JMA's EEW rule stays as an option: X = max(R − L/2, 3), L by Wells & Coppersmith (1994).
    const eew = estimateIntensity(KUMAMOTO, { lat: 33.59, lon: 130.4 }, { distance: 'eew-sphere' });
    expect(eew.distanceKm).toBeCloseTo(eew.hypocentralKm - 10 ** (-2.44 + 0.59 * 7.0) / 2, 6);
    expect(estimateIntensity(KUMAMOTO, { lat: 32.75, lon: 130.76 }, { distance: 'eew-sphere' }).distanceKm).toBe(3);
  });
});

describe('fault distance versus point source', () => {
  it('gives Tokyo a higher intensity for Tōhoku than a point source would', () => {
    const tokyo = { lat: 35.6897, lon: 139.6922 };
    const fault = estimateIntensity(TOHOKU, tokyo);
    const point = estimateIntensity(TOHOKU, tokyo, { distance: 'hypocentral' });
    expect(point.distanceMethod).toBe('hypocentral');
    expect(point.distanceKm).toBeCloseTo(point.hypocentralKm, 6);
    expect(point.hypocentralKm).toBeGreaterThan(380);
    expect(fault.distanceKm).toBeLessThan(point.distanceKm / 2);
    expect(fault.intensity).toBeGreaterThan(point.intensity + 1);
    expect(intensityClassRank(fault.intensityClass)).toBeGreaterThan(intensityClassRank(point.intensityClass));
  });

  it('models Tōhoku as a ≈ 614 × 189 km plane from near the trench to ≈ 47 km depth', () => {
    expect(ruptureDimensions(9.0, 'interplate').lengthKm).toBeCloseTo(614, -1);
    expect(ruptureDimensions(9.0, 'interplate').widthKm).toBeCloseTo(189, -1);
    const plane = rupturePlane(TOHOKU);
    expect(plane.topDepthKm).toBeGreaterThanOrEqual(0);
    expect(plane.topDepthKm).toBeLessThan(3);
    const bottom = plane.topDepthKm + plane.widthKm * Math.sin((14 * Math.PI) / 180);
    expect(bottom).toBeCloseTo(24 + (24 - plane.topDepthKm), 6); // centred on the hypocentre down dip
    // The top edge lies up dip (east-south-east) of the epicentre, towards the Japan Trench.
    expect(plane.lon).toBeGreaterThan(TOHOKU.lon);
    // The hypocentre itself is on the plane.
    expect(distanceToFaultPlaneKm({ lat: TOHOKU.lat, lon: TOHOKU.lon }, plane)).toBeLessThanOrEqual(24 + 1e-6);
  });

  it('slides a shallow rupture down dip rather than above ground', () => {
    const plane = rupturePlane({ lat: 35, lon: 135, depthKm: 2, mw: 7, faultType: 'crustal', strikeDeg: 0, dipDeg: 45 });
    expect(plane.topDepthKm).toBe(0);
  });

  it('bounds crustal width by the seismogenic layer and honours explicit dimensions', () => {
    const w = ruptureDimensions(7.5, 'crustal', 90).widthKm;
    expect(w).toBeCloseTo(18, 6);
    // At 30° dip the layer allows 36 km, so Wells & Coppersmith's width (10^(−1.01 + 0.32·7.5) ≈ 24.5 km) stands.
    expect(ruptureDimensions(7.5, 'crustal', 30).widthKm).toBeCloseTo(10 ** (-1.01 + 0.32 * 7.5), 6);
    expect(ruptureDimensions(5.5, 'crustal', 90)).toEqual({ lengthKm: 10 ** (-2.44 + 0.59 * 5.5), widthKm: 10 ** (-1.01 + 0.32 * 5.5) });
    const plane = rupturePlane({ ...KOBE, lengthKm: 50, widthKm: 20 });
    expect(plane).toMatchObject({ lengthKm: 50, widthKm: 20 });
  });
});

describe('monotonic behaviour', () => {
  const quake: Quake = { lat: 35.0, lon: 139.0, depthKm: 20, mw: 7.0, faultType: 'crustal' };

  it('is weaker farther away', () => {
    const along = [5, 20, 50, 100, 200, 300, 500].map((km) => destinationPoint(quake, 45, km));
    const pgv = along.map((p) => estimateIntensity(quake, p).pgvCmS);
    for (let i = 1; i < pgv.length; i++) expect(pgv[i]!).toBeLessThan(pgv[i - 1]!);
    const planeQuake: Quake = { ...quake, strikeDeg: 30, dipDeg: 60 };
    const planePgv = [30, 60, 120, 240].map((km) => estimateIntensity(planeQuake, destinationPoint(quake, 120, km)).pgvCmS);
    for (let i = 1; i < planePgv.length; i++) expect(planePgv[i]!).toBeLessThan(planePgv[i - 1]!);
  });

  it('is stronger for a bigger magnitude (and no weaker above the 8.3 cap)', () => {
    const site = destinationPoint(quake, 200, 80);
    const mws = [5.0, 6.0, 7.0, 8.0];
    const pgv = mws.map((mw) => estimateIntensity({ ...quake, mw }, site).pgvCmS);
    for (let i = 1; i < pgv.length; i++) expect(pgv[i]!).toBeGreaterThan(pgv[i - 1]!);
    const i83 = estimateIntensity({ ...quake, mw: 8.3 }, site).pgvCmS;
    const i90 = estimateIntensity({ ...quake, mw: 9.0 }, site).pgvCmS;
    expect(i90).toBeGreaterThanOrEqual(i83); // same formula magnitude, larger rupture → closer
    expect(siMidorikawaPgv600(9.0, 20, 100, 'crustal')).toBeCloseTo(siMidorikawaPgv600(8.3, 20, 100, 'crustal'), 10);
  });

  it('is stronger on soft soil (AVS30 200) than on rock (AVS30 760)', () => {
    const site = destinationPoint(quake, 0, 40);
    const soft = estimateIntensity(quake, { ...site, avs30: 200 });
    const rock = estimateIntensity(quake, { ...site, avs30: 760 });
    const dflt = estimateIntensity(quake, site);
    expect(soft.pgvCmS).toBeGreaterThan(dflt.pgvCmS);
    expect(dflt.pgvCmS).toBeGreaterThan(rock.pgvCmS);
    expect(soft.intensity).toBeGreaterThan(rock.intensity);
    expect(soft.pgvCmS / rock.pgvCmS).toBeCloseTo((760 / 200) ** 0.66, 6);
  });

  it('orders fault types intraslab > crustal > interplate at equal distance', () => {
    const pgv = (t: Quake['faultType']) => siMidorikawaPgv600(7, 40, 60, t);
    expect(pgv('intraslab')).toBeGreaterThan(pgv('crustal'));
    expect(pgv('crustal')).toBeGreaterThan(pgv('interplate'));
  });
});

describe('formula pieces', () => {
  it('evaluates Si & Midorikawa (1999) by hand', () => {
    // Mw 7, D 10 km, X 50 km, crustal: 0.58·7 + 0.038 − 1.29 − log10(50 + 0.0028·10^3.5) − 0.1
    const expected = 10 ** (4.06 + 0.038 - 1.29 - Math.log10(50 + 0.0028 * 10 ** 3.5) - 0.1);
    expect(siMidorikawaPgv600(7, 10, 50, 'crustal')).toBeCloseTo(expected, 10);
    // Depth term capped at 120 km.
    expect(siMidorikawaPgv600(7, 300, 300, 'intraslab')).toBeCloseTo(siMidorikawaPgv600(7, 120, 300, 'intraslab'), 10);
  });

  it('amplifies by Midorikawa et al. (1994): ×1.30 at the default AVS30 of 400 m/s and ×0.99 at 600 m/s', () => {
    expect(siteAmplification(400)).toBeCloseTo(10 ** (1.83 - 0.66 * Math.log10(400)), 10);
    expect(siteAmplification(400)).toBeCloseTo(1.296, 3);
    expect(siteAmplification(600)).toBeCloseTo(0.99, 2);
    expect(siteAmplification(200)).toBeCloseTo(2.05, 2);
    expect(() => siteAmplification(0)).toThrow(RangeError);
  });

  it('converts PGV to instrumental intensity (Midorikawa et al. 1999), one decimal, clamped to [0, 7]', () => {
    expect(pgvToIntensity(10)).toBe(4.4); // 2.68 + 1.72 = 4.40
    expect(pgvToIntensity(100)).toBe(6.1); // 2.68 + 3.44 = 6.12 → 6.1
    // Below I ≈ 4 the low-intensity branch 2.165 + 2.262·log10 PGV:
    expect(pgvToIntensity(5)).toBe(3.7); // high branch would say 3.88; low: 2.165 + 2.262·0.699 = 3.746 → 3.7
    expect(pgvToIntensity(1)).toBe(2.1); // 2.165 → 2.17 → 2.1 (JMA truncates after rounding at the 2nd decimal)
    expect(pgvToIntensity(0.1)).toBe(0); // 2.165 − 2.262 < 0 → clamped
    expect(pgvToIntensity(0.2)).toBe(0.5); // 2.165 − 2.262·0.699 = 0.584 → 0.5, class 1
    expect(pgvToIntensity(1e6)).toBe(7);
    expect(pgvToIntensity(1e-6)).toBe(0);
    expect(pgvToIntensity(0)).toBe(0);
  });

  it('classifies on the JMA boundaries', () => {
    const cases: [number, IntensityClass][] = [
      [0, '0'], [0.4, '0'], [0.5, '1'], [1.4, '1'], [1.5, '2'], [2.5, '3'], [3.4, '3'], [3.5, '4'], [4.4, '4'],
      [4.5, '5-lower'], [4.9, '5-lower'], [5.0, '5-upper'], [5.4, '5-upper'], [5.5, '6-lower'], [5.9, '6-lower'],
      [6.0, '6-upper'], [6.4, '6-upper'], [6.5, '7'], [7, '7'],
    ];
    for (const [i, c] of cases) expect(classifyIntensity(i), `I = ${i}`).toBe(c);
  });

  it('lists the ten JMA classes weakest first', () => {
    expect([...JMA_INTENSITY_CLASSES]).toEqual(['0', '1', '2', '3', '4', '5-lower', '5-upper', '6-lower', '6-upper', '7']);
  });
});

describe('class → impact', () => {
  it('defaults to 6-lower+ down, 5-lower+ degraded, else none', () => {
    expect(DEFAULT_INTENSITY_IMPACT).toEqual({ downFrom: '6-lower', degradedFrom: '5-lower' });
    const got = Object.fromEntries(JMA_INTENSITY_CLASSES.map((c) => [c, impactForClass(c)]));
    expect(got).toEqual({
      '0': 'none', '1': 'none', '2': 'none', '3': 'none', '4': 'none',
      '5-lower': 'degraded', '5-upper': 'degraded', '6-lower': 'down', '6-upper': 'down', '7': 'down',
    });
  });

  it('can be overridden per scenario', () => {
    const hardened = { downFrom: '6-upper', degradedFrom: '6-lower' } as const;
    expect(impactForClass('5-upper', hardened)).toBe('none');
    expect(impactForClass('6-lower', hardened)).toBe('degraded');
    expect(impactForClass('6-upper', hardened)).toBe('down');
    expect(impactForClass('4', { degradedFrom: '4' })).toBe('degraded');
    expect(impactForClass('6-lower', { degradedFrom: '4' })).toBe('down');
  });

  it('drives an impact from an estimate', () => {
    const kobe = estimateIntensity(KOBE, { lat: 34.69, lon: 135.19 });
    expect(impactForClass(kobe.intensityClass)).toBe('down');
    const osaka = estimateIntensity(TOHOKU, { lat: 34.6695, lon: 135.497 });
    expect(impactForClass(osaka.intensityClass)).toBe('none');
  });
});

// ── geo.ts ───────────────────────────────────────────────────────────────────

const TOKYO = { lat: 35.6897, lon: 139.6922 };
const OSAKA = { lat: 34.6695, lon: 135.497 };
const TSUKUBA = { lat: 36.066, lon: 140.128 };

describe('geo', () => {
  it('measures great-circle distances on known city pairs', () => {
    // Tokyo–Osaka (ap-northeast-1 ↔ ap-northeast-3 city points): ≈ 397 km great circle.
    expect(haversineKm(TOKYO, OSAKA)).toBeGreaterThan(395);
    expect(haversineKm(TOKYO, OSAKA)).toBeLessThan(400);
    // Tsukuba Space Center – Tokyo (Shinjuku): ≈ 55–57 km.
    expect(haversineKm(TSUKUBA, TOKYO)).toBeGreaterThan(54);
    expect(haversineKm(TSUKUBA, TOKYO)).toBeLessThan(59);
    // One degree of latitude/equatorial longitude on a 6371.0 km sphere is 111.195 km.
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111.195, 3);
    expect(haversineKm({ lat: 0, lon: 179.5 }, { lat: 0, lon: -179.5 })).toBeCloseTo(111.195, 3);
    expect(haversineKm(TOKYO, TOKYO)).toBe(0);
    expect(haversineKm(TOKYO, OSAKA)).toBeCloseTo(haversineKm(OSAKA, TOKYO), 9);
  });

  it('computes bearings', () => {
    expect(bearingDeg({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(0, 9);
    expect(bearingDeg({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(90, 9);
    expect(bearingDeg({ lat: 0, lon: 0 }, { lat: -1, lon: 0 })).toBeCloseTo(180, 9);
    expect(bearingDeg({ lat: 0, lon: 0 }, { lat: 0, lon: -1 })).toBeCloseTo(270, 9);
    // Osaka lies west-south-west of Tokyo.
    const b = bearingDeg(TOKYO, OSAKA);
    expect(b).toBeGreaterThan(240);
    expect(b).toBeLessThan(260);
  });

  it('finds destination points that round-trip', () => {
    const p = destinationPoint(TOKYO, 250, 397);
    expect(haversineKm(TOKYO, p)).toBeCloseTo(397, 6);
    expect(bearingDeg(TOKYO, p)).toBeCloseTo(250, 6);
    const east = destinationPoint({ lat: 0, lon: 179.9 }, 90, 111.195);
    expect(east.lat).toBeCloseTo(0, 6);
    expect(east.lon).toBeCloseTo(-179.1, 3); // wraps across the antimeridian
  });

  it('gives local tangent-plane coordinates', () => {
    const { east, north } = toLocalKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 });
    expect(east).toBeCloseTo(111.195, 3);
    expect(north).toBeCloseTo(0, 6);
  });

  it('measures point-to-segment distance on the sphere', () => {
    const a = { lat: 0, lon: 0 };
    const b = { lat: 0, lon: 10 };
    // Beside the middle of the segment: the cross-track distance (1° of latitude).
    expect(pointToSegmentKm({ lat: 1, lon: 5 }, a, b)).toBeCloseTo(111.195, 1);
    expect(crossTrackKm({ lat: 1, lon: 5 }, a, b)).toBeLessThan(0); // left of a → b (north of an eastward track)
    expect(crossTrackKm({ lat: -1, lon: 5 }, a, b)).toBeGreaterThan(0);
    expect(alongTrackKm({ lat: 1, lon: 5 }, a, b)).toBeCloseTo(5 * 111.195, 0);
    // Beyond the ends: distance to the nearer end point.
    expect(pointToSegmentKm({ lat: 0, lon: -1 }, a, b)).toBeCloseTo(111.195, 3);
    expect(pointToSegmentKm({ lat: 1, lon: 11 }, a, b)).toBeCloseTo(haversineKm({ lat: 1, lon: 11 }, b), 9);
    expect(alongTrackKm({ lat: 0, lon: -1 }, a, b)).toBeLessThan(0);
    // On the segment.
    expect(pointToSegmentKm({ lat: 0, lon: 3 }, a, b)).toBeCloseTo(0, 6);
    // Degenerate segment.
    expect(pointToSegmentKm(TOKYO, OSAKA, OSAKA)).toBeCloseTo(haversineKm(TOKYO, OSAKA), 9);
    // Tsukuba to the Tokyo–Osaka segment: near the Tokyo end, so about the Tsukuba–Tokyo distance or less.
    const d = pointToSegmentKm(TSUKUBA, TOKYO, OSAKA);
    expect(d).toBeLessThanOrEqual(haversineKm(TSUKUBA, TOKYO) + 1e-9);
    expect(d).toBeGreaterThan(30);
  });

  it('tests points in polygons', () => {
    // A rough box around the Kantō plain.
    const kanto = [
      { lat: 34.8, lon: 138.8 },
      { lat: 34.8, lon: 140.9 },
      { lat: 36.9, lon: 140.9 },
      { lat: 36.9, lon: 138.8 },
    ];
    expect(pointInPolygon(TOKYO, kanto)).toBe(true);
    expect(pointInPolygon(TSUKUBA, kanto)).toBe(true);
    expect(pointInPolygon(OSAKA, kanto)).toBe(false);
    // Closed rings (first vertex repeated) behave the same.
    expect(pointInPolygon(TOKYO, [...kanto, kanto[0]!])).toBe(true);
    // A concave ring (an L shape): the notch is outside.
    const ell = [
      { lat: 0, lon: 0 }, { lat: 0, lon: 10 }, { lat: 4, lon: 10 }, { lat: 4, lon: 4 }, { lat: 10, lon: 4 }, { lat: 10, lon: 0 },
    ];
    expect(pointInPolygon({ lat: 2, lon: 8 }, ell)).toBe(true);
    expect(pointInPolygon({ lat: 8, lon: 2 }, ell)).toBe(true);
    expect(pointInPolygon({ lat: 8, lon: 8 }, ell)).toBe(false);
    // A ring across the antimeridian (around Fiji's longitude).
    const dateline = [
      { lat: -20, lon: 175 }, { lat: -20, lon: -175 }, { lat: -10, lon: -175 }, { lat: -10, lon: 175 },
    ];
    expect(pointInPolygon({ lat: -15, lon: 179.5 }, dateline)).toBe(true);
    expect(pointInPolygon({ lat: -15, lon: -179.5 }, dateline)).toBe(true);
    expect(pointInPolygon({ lat: -15, lon: 170 }, dateline)).toBe(false);
    expect(pointInPolygon(TOKYO, [])).toBe(false);
  });

  it('measures the distance from a surface site to a 3-D fault plane', () => {
    const origin = { lat: 35, lon: 135 };
    const vertical = { ...origin, strikeDeg: 0, dipDeg: 90, lengthKm: 40, widthKm: 15, topDepthKm: 5 };
    // Straight above the top edge: the top depth.
    expect(distanceToFaultPlaneKm(origin, vertical)).toBeCloseTo(5, 6);
    expect(distanceToFaultPlaneKm(destinationPoint(origin, 0, 15), vertical)).toBeCloseTo(5, 6);
    // 12 km off the trace, beside the fault: √(12² + 5²) = 13.
    expect(distanceToFaultPlaneKm(destinationPoint(origin, 90, 12), vertical)).toBeCloseTo(13, 3);
    // Beyond the end of the fault along strike: from the top corner.
    expect(distanceToFaultPlaneKm(destinationPoint(origin, 0, 20 + 12), vertical)).toBeCloseTo(13, 3);

    // A 45° plane dipping east (strike north, dip to the right), top at the surface:
    // a site 10 km east is 10·sin 45° from the plane (its foot lies within the width).
    const dipping = { ...origin, strikeDeg: 0, dipDeg: 45, lengthKm: 40, widthKm: 30, topDepthKm: 0 };
    expect(distanceToFaultPlaneKm(destinationPoint(origin, 90, 10), dipping)).toBeCloseTo(10 * Math.SQRT1_2, 3);
    // West of the trace (the foot-wall side, away from the dip) the top edge is nearest.
    expect(distanceToFaultPlaneKm(destinationPoint(origin, 270, 10), dipping)).toBeCloseTo(10, 3);
    // Far down-dip, past the bottom edge at 30·cos 45° ≈ 21.2 km east, 21.2 km deep.
    const bottomEast = 30 * Math.SQRT1_2;
    const site = destinationPoint(origin, 90, 50);
    expect(distanceToFaultPlaneKm(site, dipping)).toBeCloseTo(Math.hypot(50 - bottomEast, bottomEast), 2);
    // Striking south flips the dip direction to the west.
    const flipped = { ...dipping, strikeDeg: 180 };
    expect(distanceToFaultPlaneKm(destinationPoint(origin, 270, 10), flipped)).toBeCloseTo(10 * Math.SQRT1_2, 3);
  });
});
