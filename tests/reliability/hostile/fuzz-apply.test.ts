// Fuzzing the inventory apply (POST /api/inventory/apply, the same code as `coopwatch apply`):
// the demo inventory with random fields replaced, dropped, duplicated or added, sent as YAML or
// JSON, plus YAML's own traps (alias bombs, deep nesting, custom tags, duplicate keys). A file is
// applied whole or refused whole: a 4xx in the error shape and the database unchanged; a dry run
// never writes.
import fs from 'node:fs';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawClient } from '../../helpers.js';
import { tally } from '../tally.js';
import { createHostileApp, DatabaseFingerprint, DEMO_SEED, FULL, hostileJson, type HostileApp } from './harness.js';

const RUNS = FULL ? 1500 : 120;

const demo = parse(fs.readFileSync(DEMO_SEED, 'utf8').replaceAll('${DEMO_FLEET_URL}', 'http://127.0.0.1:9')) as Record<string, unknown>;

/** Every path into a value, for mutations to pick from. */
function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

type Mutation = { at: number; action: 'replace' | 'delete' | 'duplicate' | 'add'; value: unknown; name: string };

function mutate(source: unknown, mutations: Mutation[]): unknown {
  const doc = structuredClone(source) as Record<string, unknown>;
  for (const m of mutations) {
    const all = paths(doc);
    const path = all[m.at % all.length]!;
    if (!path.length) continue;
    const parent = path.slice(0, -1).reduce<any>((o, k) => o?.[k], doc);
    const last = path[path.length - 1]!;
    if (!parent || typeof parent !== 'object') continue;
    if (m.action === 'replace') parent[last] = m.value;
    else if (m.action === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (m.action === 'duplicate') {
      if (Array.isArray(parent)) parent.push(structuredClone(parent[last as number]));
      else parent[`${String(last)}`] = structuredClone(parent[last]);
    } else {
      const target = parent[last];
      if (target && typeof target === 'object' && !Array.isArray(target)) Object.defineProperty(target, m.name, { value: m.value, enumerable: true, writable: true, configurable: true });
      else if (Array.isArray(target)) target.push(m.value);
    }
  }
  return doc;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  action: fc.constantFrom<Mutation['action']>('replace', 'replace', 'replace', 'delete', 'duplicate', 'add'),
  value: hostileJson,
  name: fc.constantFrom('extra', '__proto__', 'id', 'key', 'assetId', 'tokenHash', '<<'),
});

const ALIAS_BOMB = `a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
assets: *g
`;

/** YAML that is hostile as text, before any schema sees it. */
const rawYaml: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    ALIAS_BOMB,
    '['.repeat(5_000) + ']'.repeat(5_000),
    'a:\n' + '  '.repeat(1).concat('b:\n').repeat(1) + 'x: '.repeat(2_000),
    'assets: !!js/function "function () { return process.exit(1) }"\n',
    'assets: !!binary aGVsbG8=\n',
    '--- !<tag:yaml.org,2002:js/undefined> ""\n',
    'assets: []\nassets: []\n',
    'assets:\n  - key: a\n    key: b\n',
    'assets:\n\t- key: tabbed\n',
    '%YAML 9.9\n---\nassets: []\n',
    '<<: *undefined_alias\n',
    'assets:\n  - &x { key: gs-loop, kind: ground_station, name: L, tags: *x }\n',
    'assets:\n  - <<: [{ key: merged }, { kind: ground_station }]\n    name: Merged\n',
    '\uFEFFassets: []\n',
    '---\nassets: []\n---\nfunctions: []\n',
    `assets:\n  - key: gs-big\n    kind: ground_station\n    name: "${'n'.repeat(500_000)}"\n`,
    'null\n',
    '"just a string"\n',
    '42\n',
    '- a\n- b\n',
  ),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

let h: HostileApp;
let fingerprint: DatabaseFingerprint;
beforeAll(async () => {
  h = await createHostileApp();
  fingerprint = new DatabaseFingerprint(rawClient(h.sqlite));
});
afterAll(() => h?.close());

describe('fuzzing the inventory apply', () => {
  it('applies a file whole or refuses it whole: 4xx in the error shape, nothing written; a dry run never writes', { timeout: FULL ? 600_000 : 60_000 }, async () => {
    let cases = 0;
    let fivexx = 0;
    let partial = 0;
    const request = fc.record({
      body: fc.oneof(
        { arbitrary: fc.tuple(fc.array(mutationArb, { minLength: 1, maxLength: 6 }), fc.boolean()).map(([ms, asJson]) => {
          const doc = mutate(demo, ms);
          return asJson ? { text: JSON.stringify(doc) ?? 'null', type: 'application/json' } : { text: stringify(doc), type: 'application/yaml' };
        }), weight: 6 },
        { arbitrary: rawYaml.map((text) => ({ text, type: 'application/yaml' })), weight: 2 },
      ),
      dryRun: fc.constantFrom('', '?dryRun=true', '?dryRun=false', '?dryRun=1', '?dryRun=%00'),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ body, dryRun }) => {
        cases++;
        const before = fingerprint.current();
        const res = await h.call('POST', `/api/inventory/apply${dryRun}`, { raw: body.text, headers: { 'content-type': body.type } });
        if (res.status >= 500) {
          fivexx++;
          throw new Error(`${res.status}: ${res.text.slice(0, 300)}`);
        }
        const wrote = fingerprint.current() !== before;
        if (res.status >= 400) {
          const e = res.body?.error;
          if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || !Array.isArray(e.details)) throw new Error(`not the error shape: ${res.text.slice(0, 300)}`);
          if (wrote) {
            partial++;
            throw new Error(`${res.status} ${e.code} but the database changed`);
          }
        } else if (dryRun === '?dryRun=true' && wrote) {
          partial++;
          throw new Error('a dry run wrote to the database');
        }
      }),
      { numRuns: RUNS },
    );
    tally('fuzz cases', cases, 'inventory apply');
    tally('5xx seen', fivexx, 'inventory apply');
    tally('partial writes', partial, 'inventory apply');
    expect(fivexx).toBe(0);
  });

  it('refuses an alias bomb without expanding it', async () => {
    const before = fingerprint.current();
    const res = await h.call('POST', '/api/inventory/apply', { raw: ALIAS_BOMB, headers: { 'content-type': 'application/yaml' } });
    expect(res.status).toBe(400);
    expect(fingerprint.current()).toBe(before);
  });

  it('never runs a YAML tag as code', async () => {
    const res = await h.call('POST', '/api/inventory/apply', { raw: 'assets: !!js/function "function () { throw new Error(1) }"\n', headers: { 'content-type': 'application/yaml' } });
    expect(res.status).toBe(400);
  });
});
