// A property test of the one redaction rule (core/sharing/release.ts): over random inventories and
// markings, with the monitor turning some assets down, no field of an object that is not
// releasable to a partner's country, and no redacted field of any object, appears in anything
// that partner can read (the feed, the shared objects, TAXII). Seeded, so a failure repeats.
import { describe, it } from 'vitest';
import { ok, waitFor } from '../helpers.js';
import { startTargetServer } from '../support/target-server.js';
import { sharingSetup, type Marking } from './harness.js';
import { partnerReads } from './reads.js';

const COUNTRIES = ['USA', 'JPN', 'KOR', 'GBR'];
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

/** mulberry32: a small seeded generator, enough to vary inventories reproducibly. */
function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!,
    /** A token no other generated string contains. */
    word: (prefix: string) => `${prefix}${Math.floor(next() * 36 ** 8).toString(36).padStart(8, '0')}q`,
  };
}

function randomMarking(rng: ReturnType<typeof seeded>): Marking {
  if (rng.next() < 0.25) return null;
  return { tlp: rng.pick(TLPS), relTo: COUNTRIES.filter(() => rng.next() < 0.5) };
}

/** The rule as the README states it, written again here so the test does not trust the code it checks. */
function releasable(marking: Marking, country: string): boolean {
  if (!marking || marking.tlp === 'RED') return false;
  return marking.relTo.includes(country) || (marking.tlp === 'CLEAR' && marking.relTo.length === 0);
}

describe('redaction over random inventories', () => {
  for (const seed of [20, 2020, 424242]) {
    it(`seed ${seed}: nothing withheld or redacted reaches any partner`, async (ctx) => {
      const { expect } = ctx;
      const rng = seeded(seed);
      const env = await sharingSetup(ctx);
      const failing = await startTargetServer('failing');
      ctx.onTestFinished(() => failing.close());
      const assets: Array<{ id: number; key: string; name: string; marking: Marking; redacted: string[] }> = [];
      for (let i = 0; i < 6 + rng.int(5); i++) {
        const key = rng.word('k');
        const name = rng.word('n');
        const marking = randomMarking(rng);
        const redacted = [rng.word('fw'), rng.word('mgmt'), rng.word('desc'), rng.word('vendor'), rng.word('model'), rng.word('tag')];
        const [firmware, managementNetwork, description, vendor, model, tag] = redacted;
        const id = await env.asset(key, marking, { name, firmware, managementNetwork, description, vendor, model, tags: [tag], lat: 35 + rng.next(), lon: 139 + rng.next() }, rng.next() < 0.5 ? failing : env.target);
        assets.push({ id, key, name, marking, redacted: [...redacted, `/${key}`] });
      }
      const functions: Array<{ key: string; name: string; marking: Marking; owner: string }> = [];
      for (let i = 0; i < 3 + rng.int(3); i++) {
        const key = rng.word('f');
        const owner = rng.word('owner');
        const members = assets.filter(() => rng.next() < 0.4).map((a) => ({ assetId: a.id }));
        const marking = randomMarking(rng);
        const body = { key, name: rng.word('fn'), tier: 'MEF', rtoSeconds: 60, mtdSeconds: 60, owner, marking, groups: members.length ? [{ name: rng.word('group'), k: 1, members }] : [] };
        const made = await ok(env.t.call('POST', '/api/functions', { body }), 201);
        functions.push({ key, name: made.name, marking, owner });
      }
      const incidents: Array<{ title: string; update: string; touched: Marking[] }> = [];
      for (let i = 0; i < 3; i++) {
        const touched = assets.filter(() => rng.next() < 0.3);
        const title = rng.word('title');
        const update = rng.word('note');
        const opened = await ok(env.t.call('POST', '/api/incidents', {
          token: env.t.tokens.officer,
          body: { title, severity: 'major', update: { status: 'investigating', message: update } },
        }), 201);
        if (touched.length) await ok(env.t.call('PATCH', `/api/incidents/${opened.id}`, { token: env.t.tokens.officer, body: { affected: { assets: touched.map((a) => a.id), functions: [] } } }));
        incidents.push({ title, update, touched: touched.map((a) => a.marking) });
      }
      const tokens = Object.fromEntries(await Promise.all(COUNTRIES.map(async (c) => [c, await env.partner(`p-${c.toLowerCase()}`, c)] as const)));
      await env.startMonitor();
      await waitFor('every asset checked', async () => (await ok(env.t.call('GET', '/api/assets?limit=500'))).items.every((a: any) => a.status !== 'unknown'));

      for (const country of COUNTRIES) {
        const seen = await partnerReads(env.t, tokens[country]!);
        const withheld = [
          ...assets.filter((a) => !releasable(a.marking, country)).flatMap((a) => [a.key, a.name]),
          ...functions.filter((f) => !releasable(f.marking, country)).flatMap((f) => [f.key, f.name]),
          // An incident is as releasable as the least releasable thing it touches; touching nothing, it is unmarked.
          ...incidents.filter((i) => i.touched.length === 0 || !i.touched.every((m) => releasable(m, country))).map((i) => i.title),
        ];
        const redacted = [...assets.flatMap((a) => a.redacted), ...functions.map((f) => f.owner), ...incidents.map((i) => i.update), env.target.url, failing.url];
        for (const value of [...withheld, ...redacted]) expect(seen, `${country} must not see ${value}`).not.toContain(value);
        // And it is not vacuous: what is releasable does cross.
        for (const a of assets.filter((a) => releasable(a.marking, country))) expect(seen).toContain(a.key);
      }
    });
  }
});
