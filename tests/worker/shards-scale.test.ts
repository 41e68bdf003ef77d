// A thousand checks every 10 s over four shards, probing a target on 127.0.0.1 for a minute: each
// check is probed on its own grid, within a second of every due time, none skipped.
import { env } from 'cloudflare:test';
import { expect, inject, it } from 'vitest';
import { call, eventually, expectStatus } from './client.js';

const fixture = inject('fixtureUrl');
const CHECKS = 1_000;
const STATIONS = 100;
const INTERVAL_MS = 10_000;
const TOLERANCE_MS = 1_000;
const WINDOW_MS = 60_000;

interface Probe {
  key: string;
  at: number;
}

/** How far `at` is from the check's grid (`phase` within each interval), either way, in ms. */
function offGrid(at: number, phase: number): number {
  const d = (((at - phase) % INTERVAL_MS) + INTERVAL_MS) % INTERVAL_MS;
  return Math.min(d, INTERVAL_MS - d);
}

it(`probes ${CHECKS} checks at a ${INTERVAL_MS / 1000} s interval over 4 shards, each within ±${TOLERANCE_MS} ms of its due times for a minute`, { timeout: 180_000 }, async () => {
  const stations = Array.from({ length: STATIONS }, (_, i) => ({ key: `gs-scale-${i}`, kind: 'ground_station', name: `Scale station ${i}` }));
  const checks = Array.from({ length: CHECKS }, (_, i) => ({
    key: `scale-${i}`, assetKey: `gs-scale-${i % STATIONS}`, kind: 'http', intervalSeconds: INTERVAL_MS / 1000, http: { url: `${fixture}/probe/scale-${i}` },
  }));
  await expectStatus(call('POST', '/api/inventory/apply', { body: { assets: stations, checks } }), 200);

  const shards = () => Promise.all([0, 1, 2, 3].map((i) => env.SHARDS.get(env.SHARDS.idFromName(`central/${i}`)).status()));
  const spread = await eventually(shards, (all) => all.reduce((n, s) => n + s.checks, 0) === CHECKS, 30_000);
  expect(spread.reduce((n, s) => n + s.checks, 0)).toBe(CHECKS);
  for (const shard of spread) expect(shard.checks).toBeGreaterThan(CHECKS / 8);

  // One interval for every check to start, then a minute watched.
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS + TOLERANCE_MS));
  const from = Date.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const until = Date.now();
  const probes = ((await (await fetch(`${fixture}/probes?since=${from}`)).json()) as Probe[]).filter((p) => p.key.startsWith('scale-') && p.at < until);

  const byCheck = new Map<string, number[]>();
  for (const p of probes) byCheck.set(p.key, [...(byCheck.get(p.key) ?? []), p.at]);
  expect(byCheck.size).toBe(CHECKS);
  const late: string[] = [];
  const skipped: string[] = [];
  for (const [key, times] of byCheck) {
    // The grid's phase from the first probe; every probe after it must sit on that grid.
    const phase = times[0]! % INTERVAL_MS;
    const worst = Math.max(...times.map((t) => offGrid(t, phase)));
    if (worst > TOLERANCE_MS) late.push(`${key} off by ${worst} ms`);
    // None skipped: no gap longer than an interval, from the window's start to its end.
    const edges = [from, ...times, until];
    const gap = Math.max(...edges.slice(1).map((t, i) => t - edges[i]!));
    if (gap > INTERVAL_MS + TOLERANCE_MS) skipped.push(`${key}: ${times.length} probes, a gap of ${gap} ms`);
  }
  expect(late.slice(0, 10)).toEqual([]);
  expect(skipped.slice(0, 10)).toEqual([]);

  // And the coordinator recorded them: every check has results in D1 from the window.
  const recorded = await env.DB.prepare('select count(distinct check_id) as n from check_results where ts >= ?').bind(from).first<{ n: number }>();
  expect(recorded!.n).toBe(CHECKS);
});
