import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyInventory } from '../../src/core/services/inventory/apply.js';
import { parseInventoryDocument } from '../../src/core/services/inventory/document.js';
import { exportInventoryYaml, readInventoryDocument } from '../../src/core/services/inventory/export.js';
import { createTestApp, errorPaths, expectErrorShape, rawClient, tableCounts, type TestApp, refusedWithoutWrites } from '../helpers.js';

let t: TestApp;
let tokyo: number;
let svalbard: number;
let relay: number;

beforeEach(async () => {
  t = await createTestApp();
  const asset = async (key: string, kind: string, name: string) => {
    const res = await t.call('POST', '/api/assets', { body: { key, kind, name } });
    if (res.status !== 201) throw new Error(`setup: ${res.status} ${res.text}`);
    return res.body.id as number;
  };
  tokyo = await asset('aws-tokyo', 'cloud_region', 'AWS Tokyo');
  svalbard = await asset('gs-svalbard', 'ground_station', 'SvalSat');
  const fn = await t.call('POST', '/api/functions', {
    body: { key: 'relay', name: 'Relay', tier: 'PMEF', rtoSeconds: 300, mtdSeconds: 900, groups: [{ name: 'entry', k: 1, members: [{ assetId: svalbard }] }] },
  });
  if (fn.status !== 201) throw new Error(`setup: ${fn.status} ${fn.text}`);
  relay = fn.body.id;
});
afterEach(() => t.close());

const page = (extra: Record<string, unknown> = {}) => ({
  slug: 'public',
  title: 'Ground segment status',
  components: [
    { name: 'Data relay', functionId: relay, group: 'Mission services' },
    { name: 'Tokyo region', assetId: tokyo, group: 'Cloud' },
  ],
  ...extra,
});

const refused = (method: string, url: string, options: Parameters<TestApp['call']>[2], status: number) => refusedWithoutWrites(t, method, url, options, status);

describe('CRUD', () => {
  it('creates a page, reads it back, lists it, changes it and deletes it', async () => {
    const created = await t.call('POST', '/api/status-pages', { body: page({ description: 'What the public sees' }) });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      slug: 'public',
      title: 'Ground segment status',
      description: 'What the public sees',
      showIncidents: true,
      showMaintenance: true,
      url: '/status/public',
      components: [
        { name: 'Data relay', group: 'Mission services', assetId: null, functionId: relay },
        { name: 'Tokyo region', group: 'Cloud', assetId: tokyo, functionId: null },
      ],
    });
    const id = created.body.id;
    expect((await t.call('GET', `/api/status-pages/${id}`, { token: t.tokens.viewer })).body).toEqual(created.body);
    expect((await t.call('GET', '/api/status-pages', { token: t.tokens.viewer })).body.items).toEqual([created.body]);
    const events = rawClient(t.sqlite).prepare(`select type, subject_key from events where subject_kind = 'status_page'`).all();
    expect(events).toEqual([{ type: 'status_page.created', subject_key: 'public' }]);

    // A PATCH changes only what it names; components, when given, are replaced whole.
    const patched = await t.call('PATCH', `/api/status-pages/${id}`, {
      body: { title: 'Status', showIncidents: false, components: [{ name: 'Svalbard', assetId: svalbard }] },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      slug: 'public', title: 'Status', description: 'What the public sees', showIncidents: false, showMaintenance: true,
      components: [{ name: 'Svalbard', group: null, assetId: svalbard, functionId: null }],
    });
    const titleOnly = await t.call('PATCH', `/api/status-pages/${id}`, { body: { title: 'Status again' } });
    expect(titleOnly.body.components).toEqual(patched.body.components);

    // The view reads back as input: a GET body (without the read-only fields) can be posted again.
    const { id: _id, url: _url, createdAt: _c, updatedAt: _u, ...again } = titleOnly.body;
    expect((await t.call('POST', '/api/status-pages', { body: { ...again, slug: 'copy' } })).status).toBe(201);

    expect((await t.call('GET', '/status/public')).status).toBe(200);
    expect((await t.call('DELETE', `/api/status-pages/${id}`)).status).toBe(204);
    expectErrorShape(await t.call('GET', `/api/status-pages/${id}`), 404);
    expect((await t.call('GET', '/status/public')).status).toBe(404);
    expect(rawClient(t.sqlite).prepare(`select count(*) as n from status_page_components where page_id = ?`).get(id)).toEqual({ n: 0 });
  });

  it('gives 404 for an unknown page on GET, PATCH and DELETE', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const { error } = await refused(method, '/api/status-pages/999', method === 'PATCH' ? { body: { title: 'x' } } : {}, 404);
      expect(error.code).toBe('not_found');
    }
  });

  it('refuses a second page with the same slug with 409', async () => {
    expect((await t.call('POST', '/api/status-pages', { body: page() })).status).toBe(201);
    const { error, paths } = await refused('POST', '/api/status-pages', { body: page({ title: 'Other' }) }, 409);
    expect(error.code).toBe('conflict');
    expect(paths).toEqual(['slug']);
  });

  it('drops a component whose asset is deleted, and keeps the page', async () => {
    const created = await t.call('POST', '/api/status-pages', { body: page() });
    expect((await t.call('DELETE', `/api/assets/${tokyo}`)).status).toBe(204);
    const after = await t.call('GET', `/api/status-pages/${created.body.id}`);
    expect(after.body.components.map((c: { name: string }) => c.name)).toEqual(['Data relay']);
    expect((await t.call('GET', '/status/public')).status).toBe(200);
  });
});

describe('validation', () => {
  it.each([
    ['a slug with capitals', { slug: 'Public' }, 'slug'],
    ['a slug with an underscore', { slug: 'my_page' }, 'slug'],
    ['a slug ending in a hyphen', { slug: 'public-' }, 'slug'],
    ['a slug of 65 characters', { slug: 'a'.repeat(65) }, 'slug'],
    ['an empty title', { title: '  ' }, 'title'],
    ['an unknown field', { theme: 'dark' }, 'theme'],
    ['a non-boolean showIncidents', { showIncidents: 'yes' }, 'showIncidents'],
  ])('refuses %s with 400 naming the field', async (_label, change, path) => {
    const { error, paths } = await refused('POST', '/api/status-pages', { body: page(change) }, 400);
    expect(error.code).toBe('invalid_input');
    expect(paths).toContain(path);
  });

  it.each([
    ['neither assetId nor functionId', [{ name: 'Nothing' }], 'components.0.assetId'],
    ['both assetId and functionId', [{ name: 'Both', assetId: 1, functionId: 1 }], 'components.0.functionId'],
    ['the same asset twice', [{ name: 'A', assetId: 1 }, { name: 'B', assetId: 1 }], 'components.1.assetId'],
    ['the same name twice', [{ name: 'A', assetId: 1 }, { name: 'A', functionId: 1 }], 'components.1.name'],
    ['a component without a name', [{ assetId: 1 }], 'components.0.name'],
    ['an unknown component field', [{ name: 'A', assetKey: 'aws-tokyo' }], 'components.0.assetKey'],
  ])('refuses a component with %s with 400', async (_label, components, path) => {
    const { paths } = await refused('POST', '/api/status-pages', { body: page({ components }) }, 400);
    expect(paths).toContain(path);
  });

  it('refuses components naming an asset or function that does not exist with 422, naming each', async () => {
    const { error, paths } = await refused(
      'POST',
      '/api/status-pages',
      { body: page({ components: [{ name: 'Ghost', assetId: 9999 }, { name: 'Tokyo', assetId: tokyo }, { name: 'Lost', functionId: 8888 }] }) },
      422,
    );
    expect(error.code).toBe('unprocessable');
    expect(paths).toEqual(['components.0.assetId', 'components.2.functionId']);
  });

  it('checks a PATCH the same way, and refuses an empty one and a slug change with 400', async () => {
    const id = (await t.call('POST', '/api/status-pages', { body: page() })).body.id;
    expect((await refused('PATCH', `/api/status-pages/${id}`, { body: { components: [{ name: 'Ghost', functionId: 777 }] } }, 422)).paths).toEqual([
      'components.0.functionId',
    ]);
    await refused('PATCH', `/api/status-pages/${id}`, { body: {} }, 400);
    expect((await refused('PATCH', `/api/status-pages/${id}`, { body: { slug: 'other' } }, 400)).paths).toContain('slug');
    expect((await refused('PATCH', `/api/status-pages/${id}`, { body: { components: [{ name: 'X' }] } }, 400)).paths).toContain('components.0.assetId');
  });
});

describe('roles', () => {
  it('lets every role read, only admins write, and nobody without a token', async () => {
    const id = (await t.call('POST', '/api/status-pages', { body: page() })).body.id;
    for (const role of ['viewer', 'officer', 'planner', 'admin'] as const) {
      expect((await t.call('GET', '/api/status-pages', { token: t.tokens[role] })).status).toBe(200);
      expect((await t.call('GET', `/api/status-pages/${id}`, { token: t.tokens[role] })).status).toBe(200);
    }
    for (const role of ['viewer', 'officer', 'planner'] as const) {
      // Refused before validation: even an invalid body gets 403.
      await refused('POST', '/api/status-pages', { token: t.tokens[role], body: { slug: 'NOT VALID' } }, 403);
      await refused('POST', '/api/status-pages', { token: t.tokens[role], body: page({ slug: 'other' }) }, 403);
      await refused('PATCH', `/api/status-pages/${id}`, { token: t.tokens[role], body: { title: 'x' } }, 403);
      await refused('DELETE', `/api/status-pages/${id}`, { token: t.tokens[role] }, 403);
    }
    await refused('GET', '/api/status-pages', { token: null }, 401);
    await refused('POST', '/api/status-pages', { token: null, body: page({ slug: 'other' }) }, 401);
    await refused('GET', '/api/status-pages', { token: 'not-a-token' }, 401);
  });
});

describe('the statusPages section of the apply file', () => {
  const FILE = `assets:
  - key: aws-tokyo
    kind: cloud_region
    name: AWS Tokyo
  - key: gs-svalbard
    kind: ground_station
    name: SvalSat
functions:
  - key: relay
    name: Relay
    tier: PMEF
    rtoSeconds: 300
    mtdSeconds: 900
    groups:
      - name: entry
        k: 1
        members: [{ assetKey: gs-svalbard }]
statusPages:
  - key: ops
    title: Operations status
    description: For partners
    components:
      - name: Data relay
        functionKey: relay
        group: Mission services
      - name: Tokyo region
        assetKey: aws-tokyo
        group: Cloud
      - name: Svalbard
        assetKey: gs-svalbard
`;
  const apply = (source: string) => {
    const { document, locate } = parseInventoryDocument(source);
    return applyInventory(t.ctx, document, { locate });
  };
  const viaApi = (source: string) => t.call('POST', '/api/inventory/apply', { raw: source, headers: { 'content-type': 'application/yaml' } });

  it('creates the page with components resolved by key, then changes nothing on a second apply', async () => {
    const first = await apply(FILE);
    expect(first.created.statusPages).toEqual(['ops']);
    const listed = (await t.call('GET', '/api/status-pages')).body.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      slug: 'ops', title: 'Operations status', description: 'For partners', showIncidents: true, showMaintenance: true,
      components: [
        { name: 'Data relay', group: 'Mission services', functionId: relay, assetId: null },
        { name: 'Tokyo region', group: 'Cloud', assetId: tokyo, functionId: null },
        { name: 'Svalbard', group: null, assetId: svalbard, functionId: null },
      ],
    });
    expect((await t.call('GET', '/status/ops')).status).toBe(200);

    const before = tableCounts(t.sqlite);
    const again = await viaApi(FILE);
    expect(again.status, again.text).toBe(200);
    expect(again.body.created.statusPages).toEqual([]);
    expect(again.body.updated.statusPages).toEqual([]);
    expect(again.body.unchanged).toBe(4);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('updates exactly the changed page, and a page made through the API compares equal when the file says the same', async () => {
    await apply(FILE);
    const changed = await apply(FILE.replace('      - name: Svalbard\n        assetKey: gs-svalbard\n', ''));
    expect(changed.updated.statusPages).toEqual(['ops']);
    expect(changed.updated.assets).toEqual([]);
    expect((await t.call('GET', '/api/status-pages')).body.items[0].components).toHaveLength(2);

    await t.call('POST', '/api/status-pages', { body: { slug: 'partner', title: 'Partner', components: [{ name: 'Tokyo', assetId: tokyo }] } });
    const same = await apply(`statusPages:\n  - key: partner\n    title: Partner\n    showIncidents: true\n    components:\n      - { name: Tokyo, assetKey: aws-tokyo }\n`);
    expect(same.created.statusPages).toEqual([]);
    expect(same.updated.statusPages).toEqual([]);
  });

  it('exports the section, and applying the export back changes nothing', async () => {
    await apply(FILE);
    const yaml = await exportInventoryYaml(t.ctx);
    expect(yaml).toContain('statusPages:');
    const exported = parseInventoryDocument(yaml).document;
    expect(exported.statusPages).toEqual(parseInventoryDocument(FILE).document.statusPages);
    expect((await readInventoryDocument(t.sqlite.db)).statusPages).toEqual(parseInventoryDocument(FILE).document.statusPages);
    const before = tableCounts(t.sqlite);
    const summary = await apply(yaml);
    expect(summary.created.statusPages).toEqual([]);
    expect(summary.updated.statusPages).toEqual([]);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('refuses a component naming an unknown key with 422 and its line, and writes nothing', async () => {
    const source = FILE.replace('assetKey: aws-tokyo\n        group: Cloud', 'assetKey: aws-nowhere\n        group: Cloud');
    const before = tableCounts(t.sqlite);
    const res = await viaApi(source);
    const error = expectErrorShape(res, 422);
    const line = source.split('\n').findIndex((l) => l.includes('aws-nowhere')) + 1;
    expect(error.details).toContainEqual(expect.objectContaining({ path: 'statusPages.0.components.1.assetKey', line }));
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it.each([
    ['a key that is not a slug', FILE.replace('  - key: ops', '  - key: Ops_Page'), 'statusPages.0.key'],
    ['a component naming both an asset and a function', FILE.replace('        assetKey: gs-svalbard\n', '        assetKey: gs-svalbard\n        functionKey: relay\n'), 'statusPages.0.components.2.functionKey'],
    ['a page listed twice', `${FILE}  - key: ops\n    title: Again\n`, 'statusPages.1.key'],
  ])('refuses %s with 400', async (_label, source, path) => {
    const before = tableCounts(t.sqlite);
    const res = await viaApi(source);
    expectErrorShape(res, 400);
    expect(errorPaths(res)).toContain(path);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });
});
