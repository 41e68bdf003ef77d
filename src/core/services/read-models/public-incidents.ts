import { and, asc, desc, eq, gte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../store/client.js';
import { idsIn } from '../../store/ids.js';
import { incidents, incidentUpdates, type IncidentRow, type StatusPageComponentRow } from '../../store/schema/index.js';
import type { IncidentUpdateStatus } from '../../domain/enums.js';
import { severityImpact, type ComponentRef, type Impact } from './component-status.js';
import type { Scrub } from './public-names.js';

/** Resolved incidents stay on the page this long. */
export const RECENT_INCIDENT_DAYS = 14;

export interface PublicIncidentUpdate {
  id: string;
  status: IncidentUpdateStatus;
  body: string;
  at: number;
}

export interface PublicIncident {
  id: string;
  title: string;
  impact: Impact;
  status: IncidentUpdateStatus;
  startedAt: number;
  createdAt: number;
  updatedAt: number;
  monitoringAt: number | null;
  resolvedAt: number | null;
  components: ComponentRef[];
  /** Newest first. */
  updates: PublicIncidentUpdate[];
}

/** Open incidents, and those opened or resolved since `since`, that touch one of the subjects. */
export async function readIncidents(db: Db, assetIds: number[], functionIds: number[], since: number): Promise<IncidentRow[]> {
  const touching: SQL[] = [];
  if (assetIds.length) {
    touching.push(idsIn(incidents.assetId, assetIds));
    touching.push(sql`exists (select 1 from json_each(${incidents.affectedAssetIds}) where ${idsIn(sql`json_each.value`, assetIds)})`);
  }
  if (functionIds.length) {
    touching.push(sql`exists (select 1 from json_each(${incidents.functionIds}) where ${idsIn(sql`json_each.value`, functionIds)})`);
  }
  if (!touching.length) return [];
  return db
    .select()
    .from(incidents)
    .where(and(or(eq(incidents.state, 'open'), gte(incidents.openedAt, since), gte(incidents.resolvedAt, since)), or(...touching)))
    .orderBy(desc(incidents.openedAt))
    .limit(200);
}

/**
 * The incidents as the public sees them, each naming the page's components it touches: unresolved
 * first, then resolved, newest first.
 */
export async function publicIncidents(
  db: Db,
  incidentRows: IncidentRow[],
  rows: StatusPageComponentRow[],
  components: ComponentRef[],
  scrub: Scrub,
): Promise<PublicIncident[]> {
  const incidentIds = incidentRows.map((i) => i.id);
  const updateRows = incidentIds.length
    ? await db.select().from(incidentUpdates).where(and(idsIn(incidentUpdates.incidentId, incidentIds), eq(incidentUpdates.visibility, 'public'))).orderBy(asc(incidentUpdates.ts), asc(incidentUpdates.id))
    : [];
  const list = incidentRows.map((incident) => {
    const touched = components.filter((c) => {
      const row = rows[c.index]!;
      if (row.assetId !== null) return row.assetId === incident.assetId || incident.affectedAssetIds.includes(row.assetId);
      return row.functionId !== null && incident.functionIds.includes(row.functionId);
    });
    return publicIncident(incident, touched.map(componentRef), updateRows.filter((u) => u.incidentId === incident.id), scrub);
  });
  return list.sort((a, b) => Number(a.status === 'resolved') - Number(b.status === 'resolved') || b.createdAt - a.createdAt);
}

export const componentRef = (c: ComponentRef): ComponentRef => ({ id: c.id, name: c.name, index: c.index });

/**
 * An incident's public id: from its random ref (a UUID), not its row id, which would tell how many
 * incidents there have been in all.
 */
function publicIncidentId(ref: string): string {
  return ref.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 16) || 'incident';
}

const IMPACT_WORDS: Record<Impact, string> = { critical: 'Major outage', major: 'Outage', minor: 'Degraded performance', none: 'Issue' };

function listNames(names: string[]): string {
  if (names.length <= 3) return names.join(', ');
  return `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * An incident as the public sees it: a title written from the page's own component names (the
 * stored title names internal assets), its officers' public updates scrubbed (internal ones never leave), and an opening
 * "investigating" and closing "resolved" update when the officers wrote none.
 */
function publicIncident(
  row: IncidentRow,
  touched: ComponentRef[],
  updates: Array<{ id: number; ts: number; status: IncidentUpdateStatus; message: string }>,
  scrub: Scrub,
): PublicIncident {
  const impact = severityImpact(row.severity);
  const names = listNames(touched.map((c) => c.name));
  const id = publicIncidentId(row.ref);
  const list: PublicIncidentUpdate[] = [
    { id: `${id}-opened`, status: 'investigating', body: `We are investigating a problem affecting ${names}.`, at: row.openedAt },
    ...updates.map((u, n) => ({ id: `${id}-${n + 1}`, status: u.status, body: scrub(u.message), at: u.ts })),
  ];
  if (row.state === 'resolved' && row.resolvedAt !== null && !updates.some((u) => u.status === 'resolved' && u.ts >= row.resolvedAt!)) {
    list.push({ id: `${id}-resolved`, status: 'resolved', body: `This incident has been resolved; ${names} ${touched.length === 1 ? 'is' : 'are'} back in service.`, at: row.resolvedAt });
  }
  list.sort((a, b) => a.at - b.at);
  const latest = list[list.length - 1]!;
  const status: IncidentUpdateStatus = row.state === 'resolved' ? 'resolved' : latest.status;
  const monitoring = list.find((u) => u.status === 'monitoring');
  return {
    id,
    title: `${IMPACT_WORDS[impact]} affecting ${names}`,
    impact,
    status,
    startedAt: row.startedAt,
    createdAt: row.openedAt,
    updatedAt: latest.at,
    monitoringAt: monitoring?.at ?? null,
    resolvedAt: row.state === 'resolved' ? row.resolvedAt : null,
    components: touched,
    updates: list.reverse(),
  };
}
