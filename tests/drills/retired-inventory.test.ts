// A retired drill in the apply file: export writes it as `retired: true` (its key stays taken,
// its runs stay history); applying that export changes nothing; a file may retire a drill; it
// may not reinstate or edit a retired one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportInventoryYaml } from '../../src/core/services/inventory/export.js';
import { createTestApp, expectErrorShape, ok, rawClient, type TestApp } from '../helpers.js';

const FILE = `assets:
  - key: gs-tokyo
    kind: ground_station
    name: Tokyo station
drills:
  - key: tokyo-out
    name: Tokyo out
    targetAssetKeys: [gs-tokyo]
  - key: tokyo-again
    name: Tokyo again
    targetAssetKeys: [gs-tokyo]
`;

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const apply = (source: string) => t.call('POST', '/api/inventory/apply', { raw: source, headers: { 'content-type': 'application/yaml' } });
const drill = async (key: string) => (await ok(t.call('GET', '/api/drills'))).items.find((d: { key: string }) => d.key === key);

describe('retired drills in the apply file', () => {
  it('are exported as retired, survive a round trip unchanged, and cannot be reinstated or edited', async () => {
    await ok(apply(FILE));
    const retiring = await drill('tokyo-out');
    await ok(t.call('DELETE', `/api/drills/${retiring.id}`, { token: t.tokens.planner }), 204);

    const exported = await exportInventoryYaml(t.ctx);
    expect(exported).toMatch(/key: tokyo-out[\s\S]*retired: true/);
    expect(exported.match(/retired: true/g)).toHaveLength(1);
    // the export applied again changes nothing
    expect(await ok(apply(exported))).toMatchObject({ created: { drills: [] }, updated: { drills: [] } });

    // the old file (no `retired`) would reinstate it: refused, naming the item
    const refused = expectErrorShape(await apply(FILE), 422);
    expect(refused.details).toEqual([expect.objectContaining({ path: 'drills.0.retired', message: expect.stringMatching(/tokyo-out.*retired/) })]);
    // nor may a retired drill be edited through the file
    const edited = expectErrorShape(await apply(exported.replace('name: Tokyo out', 'name: Tokyo out (edited)')), 422);
    expect(edited.details).toEqual([expect.objectContaining({ path: 'drills.0' })]);
    expect((await drill('tokyo-out')).retiredAt).not.toBeNull();

    // a file retires a drill: it is kept, readable, with an event
    await ok(apply(exported.replace(/(key: tokyo-again\n(?:.*\n)*?)(\s+targetAssetKeys)/, '$1    retired: true\n$2')));
    expect((await drill('tokyo-again')).retiredAt).not.toBeNull();
    const retiredEvents = rawClient(t.sqlite).prepare(`select subject_key as key from events where type = 'drill.retired' order by id`).all();
    expect(retiredEvents).toEqual([{ key: 'tokyo-out' }, { key: 'tokyo-again' }]);
  });
});
