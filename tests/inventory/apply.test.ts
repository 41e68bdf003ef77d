import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/domain/errors.js';
import { applyInventory } from '../../src/core/services/inventory/apply.js';
import { parseInventoryDocument } from '../../src/core/services/inventory/document.js';
import { exportInventoryYaml, readInventoryDocument } from '../../src/core/services/inventory/export.js';
import { createTestApp, errorPaths, expectErrorShape, rawClient, tableCounts, type TestApp } from '../helpers.js';

const DEMO = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../seeds/demo.yaml');
const hasDemo = fs.existsSync(DEMO);
/** The demo seed as the Node runtime loads it: its checks point at the demo fleet simulator. */
const readDemo = () => fs.readFileSync(DEMO, 'utf8').replaceAll('${DEMO_FLEET_URL}', 'http://127.0.0.1:8091');

/** A small inventory: two stations, an ops centre, the two Svalbard cables, two functions. */
const FIXTURE = `# test inventory
assets:
  - key: gs-svalbard
    kind: ground_station
    name: SvalSat
    lat: 78.2307
    lon: 15.3976
    altM: 500
    operator: KSAT
    firmware: 4.2.1
    criticality: critical
    tags: [polar, ksat]
  - key: gs-troll
    kind: ground_station
    name: TrollSat
    lat: -72.0117
    lon: 2.535
    operator: KSAT
  - key: moc-oslo
    kind: mission_ops_center
    name: Oslo MOC
    backupPowerHours: 48
  - key: cable-svalbard-1
    kind: network_link
    name: Svalbard cable 1
    link:
      fromAssetKey: gs-svalbard
      toAssetKey: moc-oslo
      sla: { latencyMs: 20, lossPct: 0.5 }
  - key: cable-svalbard-2
    kind: network_link
    name: Svalbard cable 2
    link:
      fromAssetKey: gs-svalbard
      toAssetKey: moc-oslo
functions:
  - key: ground-contact
    name: Ground contact
    tier: MEF
    rtoSeconds: 600
    mtdSeconds: 3600
    groups:
      - name: stations
        k: 1
        members:
          - assetKey: gs-svalbard
          - assetKey: gs-troll
      - name: svalbard-backhaul
        k: 1
        members: [{ assetKey: cable-svalbard-1 }, { assetKey: cable-svalbard-2 }]
  - key: tt-and-c
    name: Telemetry, tracking and command
    tier: PMEF
    rtoSeconds: 900
    rpoSeconds: 60
    mtdSeconds: 7200
    owner: Flight operations
    groups:
      - name: upstream
        k: 1
        members:
          - functionKey: ground-contact
      - name: control
        k: 1
        members:
          - assetKey: moc-oslo
`;
const ASSET_KEYS = ['gs-svalbard', 'gs-troll', 'moc-oslo', 'cable-svalbard-1', 'cable-svalbard-2'];
const FUNCTION_KEYS = ['ground-contact', 'tt-and-c'];

/** The 1-based line of the only line containing `needle`. */
function lineOf(source: string, needle: string): number {
  const lines = source.split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`"${needle}" is on ${hits.length} lines of the test file`);
  return hits[0]!;
}

/** The 1-based line of the last line that reads exactly `text` (ignoring indentation). */
function lastLineEqual(source: string, text: string): number {
  const lines = source.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim() === text) return i + 1;
  throw new Error(`no line reads "${text}"`);
}

/** Replaces the only occurrence of `from`. */
function edit(source: string, from: string, to: string): string {
  if (source.split(from).length !== 2) throw new Error(`"${from}" is not unique in the test file`);
  return source.replace(from, to);
}

async function errorFrom(fn: () => unknown): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw new Error(`expected an AppError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
  throw new Error('expected an error, got none');
}

/** What the rest of the file compares: the export without its timestamp comment. */
const withoutHeader = (yaml: string) =>
  yaml
    .split('\n')
    .filter((l) => !l.startsWith('# coopwatch inventory, exported'))
    .join('\n');

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const applySource = async (source: string, dryRun = false) => {
  const { document, locate } = parseInventoryDocument(source);
  return applyInventory(t.ctx, document, { locate, dryRun });
};
const applyViaApi = (source: string, query = '') =>
  t.call('POST', `/api/inventory/apply${query}`, { raw: source, headers: { 'content-type': 'application/yaml' } });

describe('applying through the services', () => {
  it('creates everything in the file, with references resolved by key', async () => {
    const summary = await applySource(FIXTURE);
    expect(summary).toEqual({
      dryRun: false,
      created: { assets: ASSET_KEYS, functions: FUNCTION_KEYS, checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] },
      updated: { assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] },
      unchanged: 0,
    });
    // What is stored reads back as the file says.
    expect(await readInventoryDocument(t.sqlite.db)).toEqual(parseInventoryDocument(FIXTURE).document);

    const assets = (await t.call('GET', '/api/assets')).body.items as Array<{ id: number; key: string; link: any }>;
    const id = (key: string) => assets.find((a) => a.key === key)!.id;
    expect(assets.find((a) => a.key === 'cable-svalbard-1')!.link).toEqual({
      fromAssetId: id('gs-svalbard'),
      toAssetId: id('moc-oslo'),
      sla: { latencyMs: 20, jitterMs: null, lossPct: 0.5 },
      medium: 'fibre',
    });
    const functions = (await t.call('GET', '/api/functions')).body.items as Array<{ id: number; key: string; groups: any }>;
    const ground = functions.find((f) => f.key === 'ground-contact')!;
    expect(functions.find((f) => f.key === 'tt-and-c')!.groups).toEqual([
      { name: 'upstream', k: 1, members: [{ functionId: ground.id }] },
      { name: 'control', k: 1, members: [{ assetId: id('moc-oslo') }] },
    ]);
  });

  it('changes nothing when the same file is applied again: no writes, no events', async () => {
    await applySource(FIXTURE);
    const before = tableCounts(t.sqlite);
    const stamps = rawClient(t.sqlite).prepare('select key, updated_at from assets order by id').all();
    const summary = await applySource(FIXTURE);
    expect(summary.created).toEqual({ assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(summary.updated).toEqual({ assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(summary.unchanged).toBe(ASSET_KEYS.length + FUNCTION_KEYS.length);
    expect(tableCounts(t.sqlite)).toEqual(before);
    expect(rawClient(t.sqlite).prepare('select key, updated_at from assets order by id').all()).toEqual(stamps);
  });

  it('treats a file that spells defaults out, or orders fields differently, as unchanged', async () => {
    await applySource(FIXTURE);
    const spelled = edit(edit(FIXTURE, '    name: TrollSat\n', '    criticality: medium\n    name: TrollSat\n    tags: []\n'), '    name: Oslo MOC\n', '    name: Oslo MOC\n    description: null\n');
    const summary = await applySource(spelled);
    expect(summary.updated).toEqual({ assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(summary.unchanged).toBe(7);
  });

  it('updates exactly the item whose field changed', async () => {
    await applySource(FIXTURE);
    const stampsBefore = new Map((rawClient(t.sqlite).prepare('select key, updated_at as u from assets').all() as { key: string; u: number }[]).map((r) => [r.key, r.u]));
    await new Promise((r) => setTimeout(r, 5));
    const summary = await applySource(edit(FIXTURE, 'firmware: 4.2.1', 'firmware: 4.3.0'));
    expect(summary.created).toEqual({ assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(summary.updated).toEqual({ assets: ['gs-svalbard'], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(summary.unchanged).toBe(6);

    const rows = rawClient(t.sqlite).prepare('select key, firmware, updated_at as u from assets').all() as { key: string; firmware: string | null; u: number }[];
    for (const row of rows) {
      if (row.key === 'gs-svalbard') {
        expect(row.firmware).toBe('4.3.0');
        expect(row.u).toBeGreaterThan(stampsBefore.get(row.key)!);
      } else {
        expect(row.u).toBe(stampsBefore.get(row.key));
      }
    }
  });

  it('updates a function whose group changed and only that function', async () => {
    await applySource(FIXTURE);
    const changed = edit(FIXTURE, '      - name: stations\n        k: 1', '      - name: stations\n        k: 2');
    const summary = await applySource(changed);
    expect(summary.updated).toEqual({ assets: [], functions: ['ground-contact'], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    const doc = await readInventoryDocument(t.sqlite.db);
    expect(doc.functions.find((f) => f.key === 'ground-contact')!.groups[0]).toEqual({
      name: 'stations',
      k: 2,
      members: [{ assetKey: 'gs-svalbard' }, { assetKey: 'gs-troll' }],
    });
  });

  it('keeps items that the file leaves out', async () => {
    await applySource(FIXTURE);
    const summary = await applySource('assets:\n  - key: gs-new\n    kind: ground_station\n    name: New\n');
    expect(summary.created.assets).toEqual(['gs-new']);
    const doc = await readInventoryDocument(t.sqlite.db);
    expect(doc.assets.map((a) => a.key)).toEqual([...ASSET_KEYS, 'gs-new']);
    expect(doc.functions.map((f) => f.key)).toEqual(FUNCTION_KEYS);
  });

  it('reports on a dry run what would change and writes nothing', async () => {
    const before = tableCounts(t.sqlite);
    const first = await applySource(FIXTURE, true);
    expect(first).toEqual({ dryRun: true, created: { assets: ASSET_KEYS, functions: FUNCTION_KEYS, checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] }, updated: { assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] }, unchanged: 0 });
    expect(tableCounts(t.sqlite)).toEqual(before);

    await applySource(FIXTURE);
    const afterApply = tableCounts(t.sqlite);
    const second = await applySource(edit(FIXTURE, 'name: Oslo MOC', 'name: Oslo MOC (primary)'), true);
    expect(second.updated).toEqual({ assets: ['moc-oslo'], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(tableCounts(t.sqlite)).toEqual(afterApply);
    expect((await readInventoryDocument(t.sqlite.db)).assets.find((a) => a.key === 'moc-oslo')!.name).toBe('Oslo MOC');
  });
});

describe('malformed files are refused whole, with the line of the problem', () => {
  // Each case: the file, the status, and the text of the line with the problem (its last occurrence).
  const cases: Array<[string, number, string, string]> = [
    ['bad YAML syntax', 400, edit(FIXTURE, '    name: Oslo MOC', '    name: Oslo: MOC'), 'name: Oslo: MOC'],
    ['a wrong type at a known line', 400, edit(FIXTURE, '    lat: -72.0117', '    lat: south'), 'lat: south'],
    ['a duplicate item key', 400, edit(FIXTURE, '  - key: moc-oslo', '  - key: gs-troll'), '- key: gs-troll'],
    ['a YAML mapping with the same field twice', 400, edit(FIXTURE, '    name: TrollSat\n', '    name: TrollSat\n    name: Troll\n'), 'name: Troll'],
    ['an unknown field on an asset', 400, edit(FIXTURE, '    backupPowerHours: 48', '    backupPowerHours: 48\n    colour: red'), 'colour: red'],
    ['k above the number of members', 400, edit(FIXTURE, '        k: 1\n        members:\n          - assetKey: moc-oslo', '        k: 3\n        members:\n          - assetKey: moc-oslo'), 'k: 3'],
  ];

  it.each(cases)('%s → %i at the right line, nothing written', async (_label, status, source, problemLine) => {
    const expectedLine = lastLineEqual(source, problemLine);
    await applySource(FIXTURE.split('functions:')[0]!); // some stored inventory, to prove it is left alone
    const before = tableCounts(t.sqlite);
    const err = await errorFrom(() => applySource(source));
    expect(err.status).toBe(status);
    expect(err.details.length).toBeGreaterThan(0);
    expect(err.details.map((d) => d.line)).toContain(expectedLine);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('refuses a function member naming an unknown asset key with 422 at its line, creating nothing else in the file', async () => {
    const source = edit(FIXTURE, '          - assetKey: gs-troll', '          - assetKey: gs-nowhere');
    const before = tableCounts(t.sqlite);
    const err = await errorFrom(() => applySource(source));
    expect(err.status).toBe(422);
    expect(err.details).toEqual([
      expect.objectContaining({ path: 'functions.0.groups.0.members.1.assetKey', line: lineOf(source, 'assetKey: gs-nowhere') }),
    ]);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('refuses a link to an unknown asset key with 422 at its line', async () => {
    const source = edit(FIXTURE, '      toAssetKey: moc-oslo\n      sla', '      toAssetKey: moc-nowhere\n      sla');
    const err = await errorFrom(() => applySource(source));
    expect(err.status).toBe(422);
    expect(err.details.map((d) => [d.path, d.line])).toEqual([['assets.3.link.toAssetKey', lineOf(source, 'moc-nowhere')]]);
  });

  it('reports every problem in the file, not just the first', async () => {
    const source = edit(edit(FIXTURE, '    lat: 78.2307', '    lat: 99'), '    mtdSeconds: 7200', '    mtdSeconds: 60');
    const err = await errorFrom(() => applySource(source));
    expect(err.details.map((d) => d.line).sort((a, b) => a! - b!)).toEqual([lineOf(source, 'lat: 99'), lineOf(source, 'mtdSeconds: 60')]);
  });

  it('refuses a file with an alias to an unknown anchor as bad input (400), not a crash', async () => {
    const source = edit(FIXTURE, '    operator: KSAT\n    firmware', '    operator: *ksat\n    firmware');
    const err = await errorFrom(() => applySource(source));
    expect(err.status).toBe(400);
  });

  it('refuses a function cycle across two functions in one file with 422 and writes nothing', async () => {
    const source = edit(FIXTURE, '          - assetKey: gs-troll', '          - assetKey: gs-troll\n          - functionKey: tt-and-c');
    const before = tableCounts(t.sqlite);
    const err = await errorFrom(() => applySource(source));
    expect(err.status).toBe(422);
    expect(err.message).toContain('tt-and-c');
    expect(err.message).toContain('ground-contact');
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('refuses a file that closes a cycle with a function already stored', async () => {
    await applySource(FIXTURE);
    const before = tableCounts(t.sqlite);
    const source = `functions:
  - key: ground-contact
    name: Ground contact
    tier: MEF
    rtoSeconds: 600
    mtdSeconds: 3600
    groups:
      - name: loop
        k: 1
        members:
          - functionKey: tt-and-c
`;
    const err = await errorFrom(() => applySource(source));
    expect(err.status).toBe(422);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });
});

describe('export round trip', () => {
  it('export → apply into a fresh database → export gives the same YAML', async () => {
    await applySource(FIXTURE);
    const first = await exportInventoryYaml(t.ctx);
    expect(first.split('\n')[0]).toMatch(/^# coopwatch inventory, exported \d{4}-\d\d-\d\dT/);

    const other = await createTestApp();
    try {
      const { document, locate } = parseInventoryDocument(first);
      const summary = await applyInventory(other.ctx, document, { locate });
      expect(summary.created).toEqual({ assets: ASSET_KEYS, functions: FUNCTION_KEYS, checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
      const second = await exportInventoryYaml(other.ctx);
      expect(withoutHeader(second)).toBe(withoutHeader(first));
    } finally {
      other.close();
    }
  });

  it('applying the export back changes nothing', async () => {
    await applySource(FIXTURE);
    const before = tableCounts(t.sqlite);
    const summary = await applySource(await exportInventoryYaml(t.ctx));
    expect(summary.updated).toEqual({ assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(summary.created).toEqual({ assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('GET /api/inventory serves the same YAML as the export', async () => {
    await applySource(FIXTURE);
    const res = await t.call('GET', '/api/inventory', { token: t.tokens.viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(withoutHeader(res.text)).toBe(withoutHeader(await exportInventoryYaml(t.ctx)));
    expect(parseInventoryDocument(res.text).document).toEqual(parseInventoryDocument(FIXTURE).document);
  });
});

describe('POST /api/inventory/apply', () => {
  it('creates everything from a YAML body, then reports all unchanged and writes no events on a second apply', async () => {
    const res = await applyViaApi(FIXTURE);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ dryRun: false, created: { assets: ASSET_KEYS, functions: FUNCTION_KEYS, checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] }, updated: { assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] }, unchanged: 0 });
    expect((await t.call('GET', '/api/assets')).body.items).toHaveLength(5);

    const before = tableCounts(t.sqlite);
    const again = await applyViaApi(FIXTURE);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ dryRun: false, created: { assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] }, updated: { assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] }, unchanged: 7 });
    expect(tableCounts(t.sqlite).events).toBe(before.events);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('accepts the same inventory as a JSON body', async () => {
    const json = JSON.stringify(parseInventoryDocument(FIXTURE).document);
    const res = await t.call('POST', '/api/inventory/apply', { raw: json, headers: { 'content-type': 'application/json' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.created).toEqual({ assets: ASSET_KEYS, functions: FUNCTION_KEYS, checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
  });

  it('updates exactly the changed item', async () => {
    await applySource(FIXTURE);
    const res = await applyViaApi(edit(FIXTURE, 'owner: Flight operations', 'owner: Mission control'));
    expect(res.status, res.text).toBe(200);
    expect(res.body.updated).toEqual({ assets: [], functions: ['tt-and-c'], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(res.body.unchanged).toBe(6);
  });

  it('with ?dryRun=true reports what would change and writes nothing', async () => {
    const before = tableCounts(t.sqlite);
    const res = await applyViaApi(FIXTURE, '?dryRun=true');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, created: { assets: ASSET_KEYS, functions: FUNCTION_KEYS, checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] } });
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it.each([
    ['bad YAML syntax', 400, edit(FIXTURE, '    name: Oslo MOC', '    name: Oslo: MOC'), 'name: Oslo: MOC'],
    ['a wrong type', 400, edit(FIXTURE, '    lat: -72.0117', '    lat: south'), 'lat: south'],
    ['an unknown asset key in a function member', 422, edit(FIXTURE, '          - assetKey: gs-troll', '          - assetKey: gs-nowhere'), 'gs-nowhere'],
  ])('refuses %s with %i, the error shape and the line, and writes nothing', async (_label, status, source, marker) => {
    const before = tableCounts(t.sqlite);
    const res = await applyViaApi(source);
    const error = expectErrorShape(res, status);
    expect(error.details.map((d) => d.line)).toContain(lineOf(source, marker));
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('refuses a function cycle with 422 and writes nothing', async () => {
    const source = edit(FIXTURE, '          - assetKey: gs-troll', '          - assetKey: gs-troll\n          - functionKey: tt-and-c');
    const before = tableCounts(t.sqlite);
    const res = await applyViaApi(source);
    expect(expectErrorShape(res, 422).code).toBe('unprocessable');
    expect(errorPaths(res).length).toBeGreaterThan(0);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('refuses an empty body with 400', async () => {
    const res = await applyViaApi('   \n');
    expectErrorShape(res, 400);
  });

  it('refuses a non-boolean dryRun with 400 naming dryRun', async () => {
    const res = await applyViaApi(FIXTURE, '?dryRun=maybe');
    expectErrorShape(res, 400);
    expect(errorPaths(res)).toContain('dryRun');
  });
});

describe('seeds/demo.yaml', () => {
  it.skipIf(!hasDemo)('parses, applies, and applying it again changes nothing', async () => {
    const source = readDemo();
    const first = await applySource(source);
    const { document } = parseInventoryDocument(source);
    expect(first.created.assets).toHaveLength(document.assets.length);
    expect(first.created.functions).toHaveLength(document.functions.length);
    expect(first.created.satellites).toHaveLength(document.satellites.length);
    expect(first.created.checks).toHaveLength(document.checks.length);
    expect(first.created.scenarios).toHaveLength(document.scenarios.length);
    expect(first.created.drills).toHaveLength(document.drills.length);
    expect(first.created.statusPages).toHaveLength(document.statusPages.length);
    const before = tableCounts(t.sqlite);
    const second = await applySource(source);
    expect(second.created).toEqual({ assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(second.updated).toEqual({ assets: [], functions: [], checks: [], satellites: [], scenarios: [], drills: [], statusPages: [], vantages: [] });
    expect(second.unchanged).toBe(
      document.assets.length + document.functions.length + document.satellites.length + document.checks.length + document.scenarios.length + document.drills.length +
        document.statusPages.length + document.vantages.length,
    );
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it.skipIf(!hasDemo)('holds the inventory the issue asks for', () => {
    const { document } = parseInventoryDocument(readDemo());
    const count = (...kinds: string[]) => document.assets.filter((a) => kinds.includes(a.kind)).length;
    expect(count('ground_station', 'mission_ops_center')).toBeGreaterThanOrEqual(12);
    expect(count('cloud_region')).toBeGreaterThanOrEqual(6);
    expect(count('network_link')).toBeGreaterThanOrEqual(10);
    expect(document.functions.length).toBeGreaterThanOrEqual(5);
    for (const fn of document.functions) {
      expect(fn.mtdSeconds).toBeGreaterThanOrEqual(fn.rtoSeconds);
      expect(fn.groups.length).toBeGreaterThan(0);
    }
    // The two Svalbard cables form a 1-of-2 group.
    const links = new Map(document.assets.filter((a) => a.kind === 'network_link').map((a) => [a.key, a]));
    const svalbardPair = document.functions
      .flatMap((f) => f.groups)
      .find((g) => g.k === 1 && g.members.length === 2 && g.members.every((m) => 'assetKey' in m && links.has(m.assetKey) && /svalbard/i.test(`${m.assetKey} ${links.get(m.assetKey)!.name}`)));
    expect(svalbardPair).toBeDefined();
  });

  it.skipIf(!hasDemo)('round-trips through export into a fresh database', async () => {
    await applySource(readDemo());
    const first = await exportInventoryYaml(t.ctx);
    const other = await createTestApp();
    try {
      const { document, locate } = parseInventoryDocument(first);
      await applyInventory(other.ctx, document, { locate });
      expect(withoutHeader(await exportInventoryYaml(other.ctx))).toBe(withoutHeader(first));
    } finally {
      other.close();
    }
  });
});

describe('checks run from vantages', () => {
  const WITH_VANTAGES = `${FIXTURE.split('functions:')[0]}checks:
  - key: sval-ssh
    assetKey: gs-svalbard
    kind: tcp
    tcp: { host: svalbard.example, port: 22 }
    vantages: [central, svalbard-site, tokyo-moc]
    quorum: 2
  - key: troll-ssh
    assetKey: gs-troll
    kind: tcp
    tcp: { host: troll.example, port: 22 }
`;

  beforeEach(async () => {
    for (const name of ['svalbard-site', 'tokyo-moc']) expect((await t.call('POST', '/api/vantages', { body: { name } })).status).toBe(201);
  });

  it('applies vantages and quorum, exports them, and applying the export changes nothing', async () => {
    await applySource(WITH_VANTAGES);
    const checks = (await t.call('GET', '/api/checks')).body.items;
    expect(checks.map((c: { key: string; vantages: string[] | null; quorum: number | null }) => [c.key, c.vantages, c.quorum])).toEqual([
      ['sval-ssh', ['central', 'svalbard-site', 'tokyo-moc'], 2],
      ['troll-ssh', null, null],
    ]);
    const exported = await exportInventoryYaml(t.ctx);
    expect(exported).toContain('vantages:\n      - central\n      - svalbard-site\n      - tokyo-moc\n    quorum: 2');
    const again = await applySource(exported);
    expect(again.updated.checks).toEqual([]);
    expect(again.created.checks).toEqual([]);

    const changed = await applySource(edit(WITH_VANTAGES, '    quorum: 2', '    quorum: 3'));
    expect(changed.updated.checks).toEqual(['sval-ssh']);
  });

  it('declares agents\' vantages in the file itself, before the checks that list them, and exports them', async () => {
    const source = `vantages:
  - key: osaka-moc
    description: Probe agent at the Osaka backup MOC
    graceSeconds: 45
${edit(WITH_VANTAGES, 'tokyo-moc]', 'osaka-moc]')}`;
    const first = await applySource(source);
    expect(first.created.vantages).toEqual(['osaka-moc']);
    expect((await t.call('GET', '/api/vantages/osaka-moc')).body).toMatchObject({ name: 'osaka-moc', kind: 'agent', status: 'pending', graceSeconds: 45 });
    const again = await applySource(source);
    expect([again.created.vantages, again.updated.vantages]).toEqual([[], []]);
    const exported = await exportInventoryYaml(t.ctx);
    expect(exported).toContain('vantages:\n  - key: svalbard-site\n    graceSeconds: 60\n  - key: tokyo-moc\n    graceSeconds: 60\n  - key: osaka-moc\n    description: Probe agent at the Osaka backup MOC\n    graceSeconds: 45');
    expect((await applySource(edit(source, 'graceSeconds: 45', 'graceSeconds: 90'))).updated.vantages).toEqual(['osaka-moc']);
    // central is the service itself: not an agent the file declares.
    const err = await errorFrom(() => applySource(`vantages:\n  - key: central\n`));
    expect(err.details.map((d) => d.path)).toEqual(['vantages.0.key']);
  });

  it('refuses an unknown vantage or a quorum above the vantages with 422 at the line, writing nothing', async () => {
    const source = edit(edit(WITH_VANTAGES, 'tokyo-moc]', 'osaka-moc]'), '    quorum: 2', '    quorum: 4');
    const before = tableCounts(t.sqlite);
    const err = await errorFrom(() => applySource(source));
    expect(err.status).toBe(422);
    expect(err.details.map((d) => [d.path, d.line])).toEqual([
      ['checks.0.vantages.2', lineOf(source, 'osaka-moc')],
      ['checks.0.quorum', lineOf(source, 'quorum: 4')],
    ]);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });
});
