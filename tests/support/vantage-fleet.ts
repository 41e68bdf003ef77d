// A small fleet watched from several vantages, for the vantage pages and the visibility what-if.
// Assets, functions and checks go in through the inventory API; the vantages, the checks' vantage
// lists and what the monitor would have written (votes, check and asset states) go straight into
// the database, as the monitor that writes them is tested on its own.
import { eq } from 'drizzle-orm';
import { assetStates, assets, checks, checkStates, checkVotes, vantages } from '../../src/core/store/schema/index.js';
import { ok, type TestApp } from '../helpers.js';

const INVENTORY = `
assets:
  - { key: gs-svalbard, kind: ground_station, name: Svalbard station, region: arctic, lat: 78.23, lon: 15.39 }
  - { key: gs-tokyo, kind: ground_station, name: Tokyo station, region: japan, lat: 35.7, lon: 139.7 }
  - { key: gs-troll, kind: ground_station, name: Troll station, region: antarctic, lat: -72.0, lon: 2.5 }
  - { key: moc-main, kind: mission_ops_center, name: Main MOC, region: europe, lat: 50.1, lon: 8.7 }
functions:
  - key: downlink
    name: Science downlink
    tier: MEF
    rtoSeconds: 600
    mtdSeconds: 3600
    groups:
      - { name: stations, k: 2, members: [{ assetKey: gs-svalbard }, { assetKey: gs-tokyo }, { assetKey: gs-troll }] }
  - key: operations
    name: Spacecraft operations
    tier: PMEF
    rtoSeconds: 300
    mtdSeconds: 900
    groups:
      - { name: moc, k: 1, members: [{ assetKey: moc-main }] }
checks:
  - { key: svalbard-ping, assetKey: gs-svalbard, kind: http, intervalSeconds: 60, http: { url: "http://127.0.0.1:9/svalbard" } }
  - { key: svalbard-tls, assetKey: gs-svalbard, kind: http, intervalSeconds: 60, http: { url: "http://127.0.0.1:9/svalbard-tls" } }
  - { key: tokyo-ping, assetKey: gs-tokyo, kind: http, intervalSeconds: 60, http: { url: "http://127.0.0.1:9/tokyo" } }
  - { key: troll-ping, assetKey: gs-troll, kind: http, intervalSeconds: 60, http: { url: "http://127.0.0.1:9/troll" } }
  - { key: moc-http, assetKey: moc-main, kind: http, intervalSeconds: 60, http: { url: "http://127.0.0.1:9/moc" } }
`;

/** Who runs each check (null: central alone) and its quorum (null: a majority). */
export const CHECK_VANTAGES: Record<string, { vantages: string[] | null; quorum: number | null }> = {
  'svalbard-ping': { vantages: ['central', 'svalbard-site', 'tokyo-moc'], quorum: null },
  'svalbard-tls': { vantages: ['svalbard-site'], quorum: null },
  'tokyo-ping': { vantages: ['central', 'tokyo-moc'], quorum: 1 },
  'troll-ping': { vantages: ['troll-site', 'svalbard-site'], quorum: 2 },
  'moc-http': { vantages: null, quorum: null },
};

export const DISAGREEMENT = 'down from svalbard-site, up from central and tokyo-moc';
export const NOT_ENOUGH = 'not enough vantages: 1 of 2 needed (troll-site lost)';

export async function seedVantageFleet(t: TestApp, now = Date.now()) {
  await ok(t.call('POST', '/api/inventory/apply', { raw: INVENTORY, headers: { 'content-type': 'application/yaml' } }));
  const { db } = t.sqlite;
  await db.insert(vantages).values([
    { name: 'svalbard-site', kind: 'agent', status: 'live', since: now - 3_600_000, lastSeenAt: now - 20_000, createdAt: now - 86_400_000 },
    { name: 'tokyo-moc', kind: 'agent', status: 'live', since: now - 3_600_000, lastSeenAt: now - 5_000, createdAt: now - 86_400_000 },
    { name: 'troll-site', kind: 'agent', status: 'lost', since: now - 600_000, lastSeenAt: now - 660_000, createdAt: now - 86_400_000 },
    { name: 'kiruna-site', kind: 'agent', status: 'pending', since: now - 60_000, lastSeenAt: null, createdAt: now - 60_000 },
  ]);
  const checkId = new Map((await db.select({ id: checks.id, key: checks.key }).from(checks)).map((c) => [c.key, c.id]));
  const vantageId = new Map((await db.select({ id: vantages.id, name: vantages.name }).from(vantages)).map((v) => [v.name, v.id]));
  const assetId = new Map((await db.select({ id: assets.id, key: assets.key }).from(assets)).map((a) => [a.key, a.id]));
  for (const [key, spec] of Object.entries(CHECK_VANTAGES)) await db.update(checks).set(spec).where(eq(checks.id, checkId.get(key)!));

  const vote = (check: string, vantage: string, status: 'up' | 'down', at: number) => ({ checkId: checkId.get(check)!, vantageId: vantageId.get(vantage)!, status, at, message: null });
  await db.insert(checkVotes).values([
    vote('svalbard-ping', 'central', 'up', now - 7_200_000),
    vote('svalbard-ping', 'svalbard-site', 'down', now - 300_000),
    vote('svalbard-ping', 'tokyo-moc', 'up', now - 7_000_000),
    vote('troll-ping', 'svalbard-site', 'up', now - 5_000_000),
    vote('troll-ping', 'troll-site', 'up', now - 5_000_000),
  ]);
  await db.insert(checkStates).values([
    { checkId: checkId.get('svalbard-ping')!, status: 'disputed', since: now - 300_000, message: DISAGREEMENT },
    { checkId: checkId.get('troll-ping')!, status: 'unknown', since: now - 600_000, message: NOT_ENOUGH },
    { checkId: checkId.get('tokyo-ping')!, status: 'up', since: now - 7_000_000, message: null },
  ]);
  await db.insert(assetStates).values([
    { assetId: assetId.get('gs-svalbard')!, status: 'degraded', since: now - 300_000, reason: `svalbard-ping: disputed: ${DISAGREEMENT}` },
    { assetId: assetId.get('gs-tokyo')!, status: 'up', since: now - 7_000_000, reason: null },
    { assetId: assetId.get('gs-troll')!, status: 'unknown', since: now - 600_000, reason: null },
  ]);
  return { checkId, assetId };
}
