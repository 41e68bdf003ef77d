// TAXII 2.1 for CTI tools: discovery, the API root, collections (cyber incidents first), and
// objects with added_after, limit and next, in the TAXII media type; incidents as STIX 2.1 with
// the TLP 2.0 marking-definition ids, this organisation's identity as created_by_ref, and the
// infrastructure they affect. Every object is validated against tests/fixtures/stix/
// coopwatch-stix.schema.json: our own JSON Schema following OASIS's STIX 2.1 schemas (cited there).
import fs from 'node:fs';
import { Ajv } from 'ajv';
import { describe, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { clientFor, createTestApp, expectErrorShape, ok } from '../helpers.js';
import { mintToken } from '../../src/core/services/tokens.js';
import { allObjects, collectionIds, expectTaxiiError, TAXII, taxiiGet } from './taxii-client.js';

const schema = JSON.parse(fs.readFileSync(new URL('../fixtures/stix/coopwatch-stix.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const TLP_AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421';
const TLP_GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';

async function setup() {
  const base = await createTestApp();
  const t = { ...base, call: clientFor(createApp({ database: () => base.sqlite.db, organisation: 'US Space Ops' }), base.tokens) };
  const asset = async (key: string, marking: unknown, tags: string[] = []) =>
    (await ok(t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: `Station ${key}`, marking, tags, firmware: `fw-${key}` } }), 201)).id as number;
  const incident = async (title: string, assets: number[]) => {
    const opened = await ok(t.call('POST', '/api/incidents', { body: { title, severity: 'major' } }), 201);
    return ok(t.call('PATCH', `/api/incidents/${opened.id}`, { body: { affected: { assets, functions: [] } } }));
  };
  const uplink = await asset('uplink', { tlp: 'AMBER', relTo: ['USA', 'JPN'] }, ['cyber-exposed']);
  const relay = await asset('relay', { tlp: 'GREEN', relTo: ['JPN'] });
  const secret = await asset('secret-site', null);
  const cyber = await incident('Intrusion on the uplink', [uplink]);
  const assetIds = { uplink, relay, secret };
  const continuity = await incident('Relay power loss', [relay]);
  const hidden = await incident('Hidden outage', [secret]);
  await ok(t.call('POST', '/api/partners', { body: { key: 'jp', name: 'JP ops', country: 'JPN' } }), 201);
  const token = (await mintToken(t.ctx, { name: 'jp-cti', role: 'partner', partner: 'jp' })).secret;
  return { t, token, cyber, continuity, hidden, assetIds, close: () => base.close() };
}

describe('TAXII 2.1', () => {
  it('serves discovery, the API root and the collections in the TAXII media type, cyber incidents first; refuses a wrong Accept with 406', async (ctx) => {
    const { expect } = ctx;
    const env = await setup();
    ctx.onTestFinished(env.close);
    const discovery = await taxiiGet(env.t, '/taxii2/', env.token);
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('content-type')).toBe(TAXII);
    expect(discovery.body).toMatchObject({ default: '/taxii2/api/', api_roots: ['/taxii2/api/'] });
    expect((await ok(taxiiGet(env.t, '/taxii2/api/', env.token))).versions).toEqual([TAXII]);
    const { collections } = await ok(taxiiGet(env.t, '/taxii2/api/collections/', env.token));
    expect(collections.map((c: any) => c.title)).toEqual(['Cyber incidents', 'Continuity incidents']);
    expect(collections[0]).toMatchObject({ can_read: true, can_write: false, media_types: ['application/stix+json;version=2.1'] });
    expect((await ok(taxiiGet(env.t, `/taxii2/api/collections/${collections[0].id}/`, env.token))).id).toBe(collections[0].id);
    expectTaxiiError(await env.t.call('GET', '/taxii2/', { token: env.token, headers: { accept: 'application/json' } }), 406);
    expectTaxiiError(await env.t.call('GET', '/taxii2/', { token: env.token, headers: { accept: 'application/taxii+json;version=2.0' } }), 406);
    expectTaxiiError(await taxiiGet(env.t, '/taxii2/', env.t.tokens.admin), 403);
    expectTaxiiError(await taxiiGet(env.t, '/taxii2/api/collections/7f0d2b8e-1c3a-4e5f-9a6b-0c1d2e3f4a5b/', env.token), 404);
    expectTaxiiError(await taxiiGet(env.t, `/taxii2/api/collections/${collections[0].id}/objects/?added_after=yesterday`, env.token), 400);
  });

  it('gives released incidents as valid STIX 2.1 with TLP 2.0 markings, the identity and the affected infrastructure; nothing unreleased', async (ctx) => {
    const { expect } = ctx;
    const env = await setup();
    ctx.onTestFinished(env.close);
    const [cyberId, allId] = await collectionIds(env.t, env.token);
    const cyber = await allObjects(env.t, env.token, cyberId!);
    const all = await allObjects(env.t, env.token, allId!);
    for (const object of [...cyber, ...all]) expect(validate(object), `${object.id}: ${JSON.stringify(validate.errors)}`).toBe(true);

    const incidents = (list: any[]) => list.filter((o) => o.type === 'incident').map((o) => o.name);
    expect(incidents(cyber)).toEqual(['Intrusion on the uplink']);
    expect(incidents(all).sort()).toEqual(['Intrusion on the uplink', 'Relay power loss']);
    const identity = all.find((o) => o.type === 'identity');
    expect(identity).toMatchObject({ name: 'US Space Ops', identity_class: 'organization' });
    const intrusion = all.find((o) => o.name === 'Intrusion on the uplink');
    expect(intrusion).toMatchObject({ id: `incident--${env.cyber.ref}`, created_by_ref: identity.id, labels: ['cyber'] });
    expect(intrusion.object_marking_refs[0]).toBe(TLP_AMBER);
    // The schema does refuse what OASIS's refuse.
    for (const broken of [{ id: 'incident--42' }, { created: '2026-01-01T00:00:00Z' }, { spec_version: '2.0' }, { severity: 'high' }, { object_marking_refs: ['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9'] }]) {
      expect(validate({ ...intrusion, ...broken }), JSON.stringify(broken)).toBe(false);
    }
    expect(all.find((o) => o.name === 'Relay power loss').object_marking_refs[0]).toBe(TLP_GREEN);
    const uplink = all.find((o) => o.type === 'infrastructure' && o.name === 'Station uplink');
    expect(all.find((o) => o.type === 'relationship' && o.source_ref === intrusion.id)).toMatchObject({ relationship_type: 'impacts', target_ref: uplink.id });
    expect(all.find((o) => o.id === TLP_AMBER)).toMatchObject({ name: 'TLP:AMBER' });
    const text = JSON.stringify(all);
    for (const hidden of ['Hidden outage', 'secret-site', env.hidden.ref, 'fw-uplink', 'fw-relay']) expect(text).not.toContain(hidden);

    const audit = await ok(env.t.call('GET', '/api/sharing/audit?partner=jp'));
    expect(audit.items.some((a: any) => a.channel === 'taxii' && a.item.key === env.cyber.ref)).toBe(true);
  });

  it('pages by added_after, limit and next, with the date-added headers', async (ctx) => {
    const { expect } = ctx;
    const env = await setup();
    ctx.onTestFinished(env.close);
    const [, allId] = await collectionIds(env.t, env.token);
    const whole = await allObjects(env.t, env.token, allId!);
    const paged = await allObjects(env.t, env.token, allId!, 2);
    expect(paged.map((o) => o.id)).toEqual(whole.map((o) => o.id));
    const first = await taxiiGet(env.t, `/taxii2/api/collections/${allId}/objects/?limit=2`, env.token);
    expect(first.body.more).toBe(true);
    expect(first.body.objects).toHaveLength(2);
    const last = first.headers.get('x-taxii-date-added-last')!;
    expect(first.headers.get('x-taxii-date-added-first')).toMatch(/Z$/);
    const later = await ok(taxiiGet(env.t, `/taxii2/api/collections/${allId}/objects/?added_after=${encodeURIComponent(last)}`, env.token));
    expect(later.objects.length).toBeGreaterThan(0);
    expect(later.objects.length).toBeLessThan(whole.length);
    expectTaxiiError(await taxiiGet(env.t, `/taxii2/api/collections/${allId}/objects/?next=bogus`, env.token), 400);
  });

  it('a marking made more restrictive revokes the incident (revoked: true, nothing of it left); a revoked partner gets 401', async (ctx) => {
    const { expect } = ctx;
    const env = await setup();
    ctx.onTestFinished(env.close);
    const [, allId] = await collectionIds(env.t, env.token);
    await ok(env.t.call('PATCH', `/api/incidents/${env.cyber.id}`, { body: { marking: { tlp: 'AMBER', relTo: ['USA'] } } }));
    const all = await allObjects(env.t, env.token, allId!);
    const revoked = all.filter((o) => o.id === `incident--${env.cyber.ref}`);
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ revoked: true });
    expect(validate(revoked[0])).toBe(true);
    expect(JSON.stringify(all)).not.toContain('Intrusion on the uplink');
    await ok(env.t.call('DELETE', '/api/partners/jp'));
    expectTaxiiError(await taxiiGet(env.t, `/taxii2/api/collections/${allId}/objects/`, env.token), 401);
  });

  it('an asset marked more restrictively revokes the incidents whose marking followed it, and the feed retracts both', async (ctx) => {
    const { expect } = ctx;
    const env = await setup();
    ctx.onTestFinished(env.close);
    const [cyberId] = await collectionIds(env.t, env.token);
    await ok(env.t.call('PATCH', `/api/assets/${env.assetIds.uplink}`, { body: { marking: { tlp: 'AMBER', relTo: ['USA'] } } }));
    const objects = await allObjects(env.t, env.token, cyberId!);
    expect(objects.find((o) => o.id === `incident--${env.cyber.ref}`)).toMatchObject({ revoked: true });
    expect(JSON.stringify(objects)).not.toContain('Station uplink');
    const feed = (await ok(env.t.call('GET', '/api/sharing/feed', { token: env.token }))).items;
    expect(feed.filter((e: any) => e.subject.key !== env.continuity.ref).map((e: any) => [e.type, e.subject.kind, e.subject.key])).toEqual([
      ['sharing.retracted', 'asset', 'uplink'],
      ['sharing.retracted', 'incident', env.cyber.ref],
    ]);
  });

  it('answers every error under /taxii2/ with the TAXII 2.1 error resource, naming the field; the rest of the API keeps its own error shape', async (ctx) => {
    const { expect } = ctx;
    const env = await setup();
    ctx.onTestFinished(env.close);
    const [cyberId] = await collectionIds(env.t, env.token);
    const objects = `/taxii2/api/collections/${cyberId}/objects/`;
    const unauthenticated = expectTaxiiError(await env.t.call('GET', '/taxii2/', { token: '', headers: { accept: TAXII } }), 401);
    expect(unauthenticated).toMatchObject({ title: 'Unauthorized', error_code: 'unauthenticated' });
    expectTaxiiError(await taxiiGet(env.t, '/taxii2/', 'cw_neverMintedNeverMintedNeverMintedNeverMin'), 401);
    expect(expectTaxiiError(await taxiiGet(env.t, '/taxii2/api/', env.t.tokens.viewer), 403).error_code).toBe('forbidden');
    expectTaxiiError(await taxiiGet(env.t, '/taxii2/api/collections/7f0d2b8e-1c3a-4e5f-9a6b-0c1d2e3f4a5b/objects/', env.token), 404);
    expectTaxiiError(await taxiiGet(env.t, '/taxii2/api/no-such-endpoint/', env.token), 404);
    expect(expectTaxiiError(await env.t.call('GET', objects, { token: env.token, headers: { accept: 'application/json' } }), 406).details).toHaveProperty('accept');
    for (const [query, field] of [['added_after=yesterday', 'added_after'], ['limit=0', 'limit'], ['limit=501', 'limit'], ['limit=abc', 'limit'], ['next=bogus', 'next']] as const) {
      expect(expectTaxiiError(await taxiiGet(env.t, `${objects}?${query}`, env.token), 400).details, query).toHaveProperty(field);
    }
    // Adding objects: 415 for a body that is not TAXII, then 403 (every collection is read-only).
    const post = (contentType: string) => env.t.call('POST', objects, { token: env.token, headers: { accept: TAXII, 'content-type': contentType }, raw: '{"objects":[]}' });
    expect(expectTaxiiError(await post('application/json'), 415).details).toHaveProperty('content-type');
    expect(expectTaxiiError(await post(TAXII), 403).description).toMatch(/read-only/);
    // Outside /taxii2/ the project's error shape stays.
    const feed = await env.t.call('GET', '/api/sharing/feed?limit=0', { token: env.token });
    expect(expectErrorShape(feed, 400).details.map((d) => d.path)).toContain('limit');
    expect(feed.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
