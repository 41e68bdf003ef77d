import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/domain/errors.js';
import { sunSynchronousInclinationDeg } from '../../src/core/domain/orbits/elements.js';
import type { ServiceContext } from '../../src/core/services/context.js';
import { applyInventory } from '../../src/core/services/inventory/apply.js';
import { parseInventoryDocument } from '../../src/core/services/inventory/document.js';
import { exportInventoryYaml, readInventoryDocument } from '../../src/core/services/inventory/export.js';
import { refreshElements } from '../../src/core/services/satellites.js';
import { createTestApp, expectErrorShape, rawClient, tableCounts, type TestApp } from '../helpers.js';

// ISS (ZARYA) element sets: 20 September 2008 (Wikipedia's TLE article) and 5 June 2019.
const ISS_2008 = {
  line1: '1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927',
  line2: '2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537',
};
const ISS_2019 = {
  line1: '1 25544U 98067A   19156.50900463  .00003075  00000-0  59442-4 0  9992',
  line2: '2 25544  51.6433  59.2583 0008217  16.4489 347.6017 15.51174618173442',
};
const ISS_2008_EPOCH = Date.UTC(2008, 0, 1) + (264.51782528 - 1) * 86_400_000;

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const DAY = 86_400_000;

/** One of each spelling: TLE lines, a CelesTrak GP JSON record (numeric strings, extra fields), a stated orbit. */
const FIXTURE = `assets:
  - key: gs-svalbard
    kind: ground_station
    name: SvalSat
    lat: 78.2298
    lon: 15.4078
    altM: 500
satellites:
  - key: iss
    name: ISS (ZARYA)
    tle:
      line1: "${ISS_2008.line1}"
      line2: "${ISS_2008.line2}"
  - key: helios-2a
    name: HELIOS 2A
    noradId: 28492
    omm:
      OBJECT_NAME: HELIOS 2A
      OBJECT_ID: 2004-049A
      EPOCH: "2025-03-26T05:19:34.116960"
      MEAN_MOTION: "15.00555103"
      ECCENTRICITY: 0.000583
      INCLINATION: 98.3164
      RA_OF_ASC_NODE: 103.8411
      ARG_OF_PERICENTER: 20.5667
      MEAN_ANOMALY: 339.5789
      EPHEMERIS_TYPE: 0
      CLASSIFICATION_TYPE: U
      NORAD_CAT_ID: 28492
      ELEMENT_SET_NO: 999
      REV_AT_EPOCH: 8655
      BSTAR: 0.00048021
      MEAN_MOTION_DOT: 0.00005995
      MEAN_MOTION_DDOT: 0
      CCSDS_OMM_VERS: "2.0"
  - key: sso-700
    name: DEMO-EO-1
    noradId: 99001
    orbit: { altitudeKm: 700, raanDeg: 100, meanAnomalyDeg: 40 }
checks:
  - key: svalbard-contact
    assetKey: gs-svalbard
    kind: contact
    intervalSeconds: 30
    contact:
      satellites: [iss, helios-2a, sso-700]
      elevationMaskDeg: 5
      url: http://127.0.0.1:9/contact
`;
const SAT_KEYS = ['iss', 'helios-2a', 'sso-700'];
const NONE = { assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] };

let t: TestApp;
let clock: number;
let ctx: ServiceContext;
beforeEach(async () => {
  t = await createTestApp();
  clock = T0;
  ctx = { ...t.ctx, now: () => clock };
});
afterEach(() => t.close());

const apply = (source: string, dryRun = false) => {
  const { document, locate } = parseInventoryDocument(source);
  return applyInventory(ctx, document, { locate, dryRun });
};

function edit(source: string, from: string, to: string): string {
  if (source.split(from).length !== 2) throw new Error(`"${from}" is not unique`);
  return source.replace(from, to);
}

function lineOf(source: string, needle: string): number {
  const hits = source.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`"${needle}" is on ${hits.length} lines`);
  return hits[0]!;
}

interface Row {
  key: string;
  name: string;
  norad_id: number | null;
  elements: string;
  epoch_ms: number;
  source: string;
  orbit: string | null;
  updated_at: number;
}
const rows = (): Record<string, Row> =>
  Object.fromEntries((rawClient(t.sqlite).prepare('select * from satellites order by id').all() as Row[]).map((r) => [r.key, r]));
const satelliteEvents = () =>
  (rawClient(t.sqlite).prepare(`select type, subject_key as key, data from events where subject_kind = 'satellite' order by id`).all() as Array<{ type: string; key: string; data: string }>).map(
    (e) => ({ type: e.type, key: e.key, data: JSON.parse(e.data) as Record<string, unknown> }),
  );

async function errorFrom(fn: () => unknown): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('satellites in the apply file', () => {
  it('stores each spelling: TLE and OMM as given (source file), an orbit as synthetic elements with epoch = now (source orbit)', async () => {
    const summary = await apply(FIXTURE);
    expect(summary.created).toEqual({ assets: ['gs-svalbard'], functions: [], checks: ['svalbard-contact'], satellites: SAT_KEYS, scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(summary.updated).toEqual(NONE);

    const stored = rows();
    expect(stored.iss).toMatchObject({ source: 'file', norad_id: 25544, orbit: null, epoch_ms: Math.round(ISS_2008_EPOCH) });
    expect(JSON.parse(stored.iss!.elements)).toEqual({ format: 'tle', ...ISS_2008 });

    const helios = JSON.parse(stored['helios-2a']!.elements);
    expect(stored['helios-2a']).toMatchObject({ source: 'file', norad_id: 28492, epoch_ms: Date.UTC(2025, 2, 26, 5, 19, 34, 117) });
    expect(helios.format).toBe('omm');
    expect(helios.omm.MEAN_MOTION).toBe(15.00555103); // numeric strings come out as numbers
    expect(helios.omm).not.toHaveProperty('CCSDS_OMM_VERS'); // fields SGP4 does not use are dropped

    const sso = stored['sso-700']!;
    expect(sso).toMatchObject({ source: 'orbit', norad_id: 99001, epoch_ms: T0 });
    expect(JSON.parse(sso.orbit!)).toEqual({ altitudeKm: 700, raanDeg: 100, meanAnomalyDeg: 40 });
    const omm = JSON.parse(sso.elements).omm;
    expect(omm.INCLINATION).toBeCloseTo(sunSynchronousInclinationDeg(700), 3); // sun-synchronous by default
    expect(omm.NORAD_CAT_ID).toBe(99001);
    expect(omm.EPOCH).toBe('2025-06-01T12:00:00.000000');

    expect(satelliteEvents().map((e) => [e.type, e.key])).toEqual(SAT_KEYS.map((k) => ['satellite.created', k]));
  });

  it('reads back and exports in the spelling it was given, and the export round-trips', async () => {
    await apply(FIXTURE);
    const doc = await readInventoryDocument(t.sqlite.db);
    const given = parseInventoryDocument(FIXTURE).document.satellites;
    // The TLE's noradId is filled from its catalog number; the rest is as written.
    expect(doc.satellites).toEqual([{ ...given[0], noradId: 25544 }, given[1], given[2]]);

    const yaml = await exportInventoryYaml(ctx);
    expect(yaml).toContain('orbit:');
    const other = await createTestApp();
    try {
      const otherCtx = { ...other.ctx, now: () => clock };
      const { document, locate } = parseInventoryDocument(yaml);
      const summary = await applyInventory(otherCtx, document, { locate });
      expect(summary.created.satellites).toEqual(SAT_KEYS);
      const strip = (s: string) => s.split('\n').filter((l) => !l.startsWith('# coopwatch inventory')).join('\n');
      expect(strip(await exportInventoryYaml(otherCtx))).toBe(strip(yaml));
    } finally {
      other.close();
    }
  });

  it('is idempotent for all three spellings: a later re-apply (or of the export) changes nothing and does not regenerate the orbit', async () => {
    await apply(FIXTURE);
    const before = tableCounts(t.sqlite);
    const stored = rows();
    clock = T0 + 5 * DAY;
    const again = await apply(FIXTURE);
    expect(again.created).toEqual(NONE);
    expect(again.updated).toEqual(NONE);
    expect(again.unchanged).toBe(5);
    const fromExport = await apply(await exportInventoryYaml(ctx));
    expect(fromExport.updated).toEqual(NONE);
    expect(tableCounts(t.sqlite)).toEqual(before);
    expect(rows()).toEqual(stored);
    expect(rows()['sso-700']!.epoch_ms).toBe(T0);
  });

  it('regenerates an orbit whose spec changed, with epoch = now and a satellite.updated event', async () => {
    await apply(FIXTURE);
    clock = T0 + 2 * DAY;
    const summary = await apply(edit(FIXTURE, 'raanDeg: 100,', 'raanDeg: 120,'));
    expect(summary.updated).toEqual({ ...NONE, satellites: ['sso-700'] });
    expect(summary.unchanged).toBe(4);
    const sso = rows()['sso-700']!;
    expect(sso.epoch_ms).toBe(clock);
    expect(JSON.parse(sso.elements).omm.RA_OF_ASC_NODE).toBe(120);
    expect(satelliteEvents().at(-1)).toEqual({
      type: 'satellite.updated',
      key: 'sso-700',
      data: { elementsChanged: true, source: 'orbit', epoch: new Date(clock).toISOString() },
    });
  });

  it('takes an explicit inclination, and turns a TLE into an orbit and back', async () => {
    await apply(FIXTURE);
    const orbitNow = edit(FIXTURE, `    tle:\n      line1: "${ISS_2008.line1}"\n      line2: "${ISS_2008.line2}"`, '    orbit: { altitudeKm: 420, inclinationDeg: 51.6, raanDeg: 10, meanAnomalyDeg: 0 }');
    expect((await apply(orbitNow)).updated.satellites).toEqual(['iss']);
    expect(rows().iss).toMatchObject({ source: 'orbit', epoch_ms: T0 });
    expect(JSON.parse(rows().iss!.elements).omm.INCLINATION).toBe(51.6);
    // The noradId 25544 came from the TLE; the orbit names none, so it is cleared.
    expect(rows().iss!.norad_id).toBeNull();

    expect((await apply(FIXTURE)).updated.satellites).toEqual(['iss']);
    expect(rows().iss).toMatchObject({ source: 'file', orbit: null, norad_id: 25544 });
  });

  it('a name change updates the row but keeps the elements', async () => {
    await apply(FIXTURE);
    const before = rows().iss!;
    const summary = await apply(edit(FIXTURE, 'name: ISS (ZARYA)', 'name: International Space Station'));
    expect(summary.updated.satellites).toEqual(['iss']);
    expect(rows().iss).toMatchObject({ name: 'International Space Station', elements: before.elements, epoch_ms: before.epoch_ms });
    expect(satelliteEvents().at(-1)!.data).toEqual({ elementsChanged: false });
  });

  it('a dry run reports the satellites and writes nothing', async () => {
    const before = tableCounts(t.sqlite);
    const summary = await apply(FIXTURE, true);
    expect(summary.created.satellites).toEqual(SAT_KEYS);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('does not roll newer feed elements back to the file’s older TLE', async () => {
    await apply(FIXTURE);
    const refreshed = await refreshElements(ctx, `ISS (ZARYA)\n${ISS_2019.line1}\n${ISS_2019.line2}\n`);
    expect(refreshed.updated).toEqual(['iss']);
    const again = await apply(FIXTURE);
    expect(again.updated).toEqual(NONE);
    expect(rows().iss).toMatchObject({ source: 'feed' });
    expect(JSON.parse(rows().iss!.elements)).toEqual({ format: 'tle', ...ISS_2019 });
  });
});

describe('refusals', () => {
  it('refuses a contact check naming an unknown satellite with 422 and the line, writing nothing', async () => {
    const source = edit(FIXTURE, 'satellites: [iss, helios-2a, sso-700]', 'satellites: [iss, no-such-sat]');
    const before = tableCounts(t.sqlite);
    const err = await errorFrom(() => apply(source));
    expect(err.status).toBe(422);
    expect(err.details).toEqual([
      { path: 'checks.0.contact.satellites.1', message: 'no satellite with key "no-such-sat"', line: lineOf(source, 'no-such-sat'), column: expect.any(Number) },
    ]);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('the same through POST /api/inventory/apply, and accepts a satellite that is only in the database', async () => {
    const source = edit(FIXTURE, 'satellites: [iss, helios-2a, sso-700]', 'satellites: [iss, no-such-sat]');
    const res = await t.call('POST', '/api/inventory/apply', { raw: source, headers: { 'content-type': 'application/yaml' } });
    const error = expectErrorShape(res, 422);
    expect(error.details.map((d) => [d.path, d.line])).toEqual([['checks.0.contact.satellites.1', lineOf(source, 'no-such-sat')]]);

    await apply(FIXTURE);
    const checkOnly = `checks:
  - key: svalbard-contact-2
    assetKey: gs-svalbard
    kind: contact
    contact: { satellites: [sso-700], url: http://127.0.0.1:9/contact }
`;
    expect((await apply(checkOnly)).created.checks).toEqual(['svalbard-contact-2']);
  });

  it.each([
    ['two spellings', edit(FIXTURE, '    orbit: { altitudeKm: 700', '    tle: { line1: "x", line2: "y" }\n    orbit: { altitudeKm: 700'), 'satellites.2'],
    ['no spelling', edit(FIXTURE, '    orbit: { altitudeKm: 700, raanDeg: 100, meanAnomalyDeg: 40 }\n', ''), 'satellites.2'],
    ['a noradId that is not the TLE’s', edit(FIXTURE, '    name: ISS (ZARYA)', '    name: ISS (ZARYA)\n    noradId: 25545'), 'satellites.0.noradId'],
    ['a bad TLE checksum', edit(FIXTURE, ISS_2008.line1, `${ISS_2008.line1.slice(0, 68)}0`), 'satellites.0.tle.line1'],
    ['an altitude with no sun-synchronous orbit', edit(FIXTURE, 'altitudeKm: 700', 'altitudeKm: 8000'), 'satellites.2.orbit.inclinationDeg'],
    ['a duplicate key', edit(FIXTURE, '  - key: sso-700', '  - key: iss'), 'satellites.2.key'],
  ])('refuses %s with 400 and the place', (_label, source, path) => {
    let error: AppError | undefined;
    try {
      parseInventoryDocument(source);
    } catch (err) {
      error = err as AppError;
    }
    expect(error?.status).toBe(400);
    const paths = error!.details.map((d) => d.path);
    expect(paths.some((p) => p.startsWith(path)), JSON.stringify(error!.details)).toBe(true);
    expect(error!.details.every((d) => typeof d.line === 'number')).toBe(true);
  });
});
