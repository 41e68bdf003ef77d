import { desc, eq } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { idsIn } from '../store/ids.js';
import { assets, assetStates, drillRuns, drills, functionStates, incidents, missionFunctions, type IncidentRow } from '../store/schema/index.js';
import { incidentMarkings, SHARED_INCIDENT_WINDOW, touchedBy } from './incident-marking.js';
import type { SharingDirectory } from './release.js';


/** Words in an incident's title that make it a cyber incident, besides a cyber-tagged asset. */
const CYBER_WORDS = /\b(cyber|intrusion|malware|ransomware|ddos|phishing|compromise[ds]?)\b/i;

/** The current marking, name and state of everything that can cross: what release.ts decides on. */
export async function loadSharingDirectory(db: Db): Promise<SharingDirectory> {
  const assetRows = await db.select({ a: assets, s: assetStates }).from(assets).leftJoin(assetStates, eq(assetStates.assetId, assets.id));
  const functionRows = await db.select({ f: missionFunctions, s: functionStates }).from(missionFunctions).leftJoin(functionStates, eq(functionStates.functionId, missionFunctions.id));
  const drillRows = await db.select({ key: drills.key, name: drills.name, marking: drills.marking }).from(drills);
  const incidentRows = await db.select().from(incidents).orderBy(desc(incidents.id)).limit(SHARED_INCIDENT_WINDOW);
  const assetKey = new Map(assetRows.map(({ a }) => [a.id, a.key]));
  const cyberAssets = new Set(assetRows.filter(({ a }) => a.tags.some((t) => t.toLowerCase().startsWith('cyber'))).map(({ a }) => a.id));
  const functionKey = new Map(functionRows.map(({ f }) => [f.id, f.key]));
  return {
    asset: new Map(assetRows.map(({ a, s }) => [a.key, {
      key: a.key, name: a.name, marking: a.marking, kind: a.kind, criticality: a.criticality, operator: a.operator, region: a.region,
      status: s?.status ?? 'unknown', statusSince: s?.since ?? null,
    }])),
    function: new Map(functionRows.map(({ f, s }) => [f.key, {
      key: f.key, name: f.name, marking: f.marking, tier: f.tier, rtoSeconds: f.rtoSeconds,
      status: s?.status ?? 'operational', redundancy: s?.redundancy ?? 'N', statusSince: s?.since ?? null,
    }])),
    drill: new Map(drillRows.map((d) => [d.key, d])),
    incident: await incidentEntries(db, incidentRows, { assetKey, functionKey, cyberAssets }),
  };
}

async function incidentEntries(db: Db, rows: IncidentRow[], names: { assetKey: Map<number, string>; functionKey: Map<number, string>; cyberAssets: Set<number> }) {
  const markings = await incidentMarkings(db, rows);
  const keysOf = (ids: number[], keyOf: Map<number, string>) => ids.flatMap((id) => keyOf.get(id) ?? []);
  return new Map(rows.map((row) => {
    const touched = touchedBy(row);
    return [row.ref, {
      key: row.ref, name: row.title, marking: markings.get(row.id) ?? null,
      state: row.state, severity: row.severity, startedAt: row.startedAt, openedAt: row.openedAt, resolvedAt: row.resolvedAt,
      assetKeys: keysOf(touched.assetIds, names.assetKey), functionKeys: keysOf(touched.functionIds, names.functionKey),
      cyber: touched.assetIds.some((id) => names.cyberAssets.has(id)) || CYBER_WORDS.test(row.title),
    }];
  }));
}

/** The drill key of each run named, for events a drill caused. */
export async function drillKeysOfRuns(db: Db, runIds: number[]): Promise<Map<number, string>> {
  const rows = await db.select({ id: drillRuns.id, key: drills.key }).from(drillRuns).innerJoin(drills, eq(drills.id, drillRuns.drillId)).where(idsIn(drillRuns.id, runIds));
  return new Map(rows.map((r) => [r.id, r.key]));
}
