// Space weather by what each NOAA Space Weather Scale level says it affects, and nothing else.
// Source: NOAA SWPC, "NOAA Space Weather Scales" (https://www.swpc.noaa.gov/noaa-scales-explanation):
// - R (radio blackouts, X-ray flares): HF radio on the sunlit side; from R4, satellite navigation
//   on the sunlit side.
// - S (solar radiation storms, protons): HF radio through the polar regions (polar cap
//   absorption), navigation at polar cap locations, and satellite operations (single-event
//   upsets, memory and star-tracker problems; at S5 satellites "may be rendered useless").
//   The S4 and S5 rows were checked against NOAA's table as reproduced at
//   spaceweather.com/glossary/srs.html; S1–S3 follow the SWPC page's wording as recalled.
// - G (geomagnetic storms): power systems, spacecraft operations (drag, surface charging,
//   orientation; at G5 "uplink/downlink and tracking satellites"), HF radio and satellite
//   navigation. SWPC's geomagnetic alerts give the area of impact as poleward of a geomagnetic
//   latitude (K4: 65°, so K5/G1 60° … K9/G5 40°); G effects on the ground apply there.
// A G storm reaches our satellite links and stations through the disturbed ionosphere over the
// storm area (spacecraft are not inventory assets), so its satellite effects apply there too; an
// S storm's protons reach the spacecraft wherever the ground end is.
// Fibre and terrestrial microwave appear nowhere in the scales: space weather never touches them.
// Where a level says an effect is merely "possible" and minor (R1–R3 low-frequency navigation,
// S2 "infrequent single-event upsets possible", G1 "weak power grid fluctuations", G2–G3 grid
// voltage alarms and corrections), nothing is marked.
import type { Impact } from '../domain/scenarios.js';

/** What about an asset space weather can reach. */
export type Exposure = 'hf' | 'satellite' | 'gnss' | 'grid';
/** Where on Earth the effect applies: the sunlit side, the polar cap, the storm's area of impact, or anywhere. */
export type Reach = 'sunlit' | 'polar' | 'storm_area' | 'anywhere';

export interface ScaleEffect {
  exposure: Exposure;
  impact: Exclude<Impact, 'none'>;
  reach: Reach;
  /** NOAA's words for it, shortened. */
  noaa: string;
}

type Level = 1 | 2 | 3 | 4 | 5;
const e = (exposure: Exposure, impact: ScaleEffect['impact'], reach: Reach, noaa: string): ScaleEffect => ({ exposure, impact, reach, noaa });

export const RADIO_BLACKOUT: Record<Level, ScaleEffect[]> = {
  1: [e('hf', 'degraded', 'sunlit', 'weak or minor degradation of HF radio on the sunlit side')],
  2: [e('hf', 'degraded', 'sunlit', 'limited HF blackout on the sunlit side, loss of contact for tens of minutes')],
  3: [e('hf', 'down', 'sunlit', 'wide area HF blackout on the sunlit side for about an hour')],
  4: [
    e('hf', 'down', 'sunlit', 'HF blackout on most of the sunlit side for one to two hours'),
    e('gnss', 'degraded', 'sunlit', 'minor disruptions of satellite navigation on the sunlit side'),
  ],
  5: [
    e('hf', 'down', 'sunlit', 'complete HF blackout on the entire sunlit side for hours'),
    e('gnss', 'degraded', 'sunlit', 'increased satellite navigation errors for several hours on the sunlit side'),
  ],
};

export const SOLAR_RADIATION: Record<Level, ScaleEffect[]> = {
  1: [e('hf', 'degraded', 'polar', 'minor impacts on HF radio in the polar regions')],
  2: [
    e('hf', 'degraded', 'polar', 'small effects on HF propagation through the polar regions'),
    e('gnss', 'degraded', 'polar', 'navigation at polar cap locations possibly affected'),
  ],
  3: [
    e('hf', 'degraded', 'polar', 'degraded HF radio propagation through the polar regions'),
    e('gnss', 'degraded', 'polar', 'navigation position errors likely'),
    e('satellite', 'degraded', 'anywhere', 'single-event upsets and noise in imaging systems likely'),
  ],
  4: [
    e('hf', 'down', 'polar', 'blackout of HF radio through the polar regions (polar cap absorption)'),
    e('gnss', 'degraded', 'polar', 'increased navigation errors over several days'),
    e('satellite', 'degraded', 'anywhere', 'memory device problems; star-tracker problems may cause orientation problems'),
  ],
  5: [
    e('hf', 'down', 'polar', 'complete blackout of HF through the polar regions'),
    e('gnss', 'degraded', 'polar', 'position errors make navigation extremely difficult'),
    e('satellite', 'down', 'anywhere', 'satellites may be rendered useless; memory impacts can cause loss of control'),
  ],
};

export const GEOMAGNETIC: Record<Level, ScaleEffect[]> = {
  1: [],
  2: [e('hf', 'degraded', 'storm_area', 'HF radio propagation can fade at higher latitudes')],
  3: [
    e('hf', 'degraded', 'storm_area', 'HF radio may be intermittent'),
    e('gnss', 'degraded', 'storm_area', 'intermittent satellite navigation problems'),
    e('satellite', 'degraded', 'storm_area', 'surface charging, increased drag on low-Earth-orbit satellites, orientation corrections'),
  ],
  4: [
    e('hf', 'degraded', 'storm_area', 'HF radio propagation sporadic'),
    e('gnss', 'degraded', 'storm_area', 'satellite navigation degraded for hours'),
    e('satellite', 'degraded', 'storm_area', 'surface charging and tracking problems'),
    e('grid', 'degraded', 'storm_area', 'protective systems may trip key assets out of the grid'),
  ],
  5: [
    e('hf', 'down', 'storm_area', 'HF radio propagation may be impossible for one to two days'),
    e('gnss', 'degraded', 'storm_area', 'satellite navigation may be degraded for days'),
    e('satellite', 'down', 'storm_area', 'extensive surface charging; problems with uplink/downlink and tracking satellites'),
    e('grid', 'down', 'storm_area', 'some grid systems may collapse or black out'),
  ],
};

/** Polar cap absorption happens inside the polar cap: poleward of about 60° geomagnetic latitude. */
export const POLAR_CAP_GEOMAGNETIC_LAT = 60;
/** SWPC alerts: the area of impact of a G storm is poleward of this geomagnetic latitude (index: G level). */
export const STORM_AREA_GEOMAGNETIC_LAT: Record<Level, number> = { 1: 60, 2: 55, 3: 50, 4: 45, 5: 40 };

export interface SpaceWeatherLevels {
  radio: number;
  solar: number;
  geomagnetic: number;
}

/** Every effect the levels name, tagged with its scale letter and level (R3, S4, G5 …). */
export function scaleEffects(levels: SpaceWeatherLevels): Array<ScaleEffect & { scale: string }> {
  const pick = (letter: string, table: Record<Level, ScaleEffect[]>, level: number) =>
    level >= 1 ? table[Math.min(5, level) as Level].map((effect) => ({ ...effect, scale: `${letter}${level}` })) : [];
  return [...pick('R', RADIO_BLACKOUT, levels.radio), ...pick('S', SOLAR_RADIATION, levels.solar), ...pick('G', GEOMAGNETIC, levels.geomagnetic)];
}
