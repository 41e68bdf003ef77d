import { and, asc, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import { commitAtomically, type Db } from '../store/client.js';
import { events, incidents, incidentUpdates, type IncidentRow } from '../store/schema/index.js';
import type { IncidentState } from '../domain/enums.js';
import { NotFoundError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { decodeCursor, toPage, type Page } from './pagination.js';
import { percentile } from '../domain/stats.js';
import { idsIn } from '../store/ids.js';
import type { IncidentCause } from '../domain/incident-cause.js';
import type { Marking } from '../domain/marking.js';
import { incidentMarkings } from '../sharing/incident-marking.js';

/** TTD, TTA and TTR (DOMAIN.md): detected − started, acknowledged − detected, resolved − started. */
/** `marking`: the one set on it, else the most restrictive of what it touches (sharing/incident-marking.ts). */
export function incidentView(row: IncidentRow, marking: Marking | null) {
  return {
    id: row.id,
    ref: row.ref,
    marking,
    markingDerived: row.marking === null,
    assetId: row.assetId,
    functionIds: row.functionIds,
    cause: incidentCause(row),
    affected: { assets: row.affectedAssetIds, functions: row.functionIds },
    children: row.children.map((c) => ({ ...c, attachedAt: isoTime(c.attachedAt), clearedAt: isoTime(c.clearedAt) })),
    state: row.state,
    severity: row.severity,
    title: row.title,
    startedAt: isoTime(row.startedAt),
    openedAt: isoTime(row.openedAt),
    acknowledgedAt: isoTime(row.acknowledgedAt),
    acknowledgedBy: row.acknowledgedBy,
    resolvedAt: isoTime(row.resolvedAt),
    ttdMs: row.openedAt - row.startedAt,
    ttaMs: row.acknowledgedAt === null ? null : row.acknowledgedAt - row.openedAt,
    ttrMs: row.resolvedAt === null ? null : row.resolvedAt - row.startedAt,
  };
}
export type IncidentView = ReturnType<typeof incidentView>;

export async function incidentViews(db: Db, rows: IncidentRow[]): Promise<IncidentView[]> {
  const markings = await incidentMarkings(db, rows);
  return rows.map((row) => incidentView(row, markings.get(row.id) ?? null));
}

const viewOf = async (db: Db, row: IncidentRow) => (await incidentViews(db, [row]))[0]!;

/** The most upstream failed element (null for an incident opened by hand about nothing in the inventory). */
function incidentCause(row: IncidentRow): IncidentCause | null {
  if (row.assetId !== null) return { assetId: row.assetId };
  if (row.causeFunctionId !== null) return { functionId: row.causeFunctionId };
  return null;
}

export interface IncidentListQuery {
  state?: IncidentState;
  assetId?: number;
  limit: number;
  cursor?: string;
}

/** Newest first. */
export async function listIncidents(ctx: ServiceContext, query: IncidentListQuery): Promise<Page<IncidentView>> {
  authorize(ctx.actor, 'read');
  const filters: SQL[] = [];
  const after = decodeCursor(query.cursor);
  if (after) filters.push(lt(incidents.id, after));
  if (query.state) filters.push(eq(incidents.state, query.state));
  if (query.assetId) filters.push(eq(incidents.assetId, query.assetId));
  const rows = await ctx.db.select().from(incidents).where(and(...filters)).orderBy(desc(incidents.id)).limit(query.limit + 1);
  const page = toPage(rows, query.limit, (row) => row);
  return { ...page, items: await incidentViews(ctx.db, page.items) };
}

export async function loadIncident(db: Db, id: number): Promise<IncidentRow> {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  if (!row) throw new NotFoundError('incident', id);
  return row;
}

/** The incident with its officers' updates and its timeline: the events that tell its story. */
export async function getIncident(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'read');
  const row = await loadIncident(ctx.db, id);
  const updates = await ctx.db.select().from(incidentUpdates).where(eq(incidentUpdates.incidentId, id)).orderBy(asc(incidentUpdates.ts));
  const until = row.resolvedAt ?? ctx.now();
  const about: SQL[] = [and(eq(events.subjectKind, 'incident'), eq(events.subjectId, id))!];
  const assetIds = [...new Set([...(row.assetId === null ? [] : [row.assetId]), ...row.affectedAssetIds])];
  if (assetIds.length) about.push(and(eq(events.subjectKind, 'asset'), idsIn(events.subjectId, assetIds))!);
  if (row.functionIds.length) about.push(and(eq(events.subjectKind, 'function'), idsIn(events.subjectId, row.functionIds))!);
  const timeline = await ctx.db
    .select()
    .from(events)
    .where(and(or(...about), gte(events.ts, row.startedAt), lte(events.ts, until)))
    .orderBy(asc(events.id))
    .limit(500);
  return {
    ...(await viewOf(ctx.db, row)),
    updates: updates.map((u) => ({ id: u.id, at: isoTime(u.ts), author: u.author, status: u.status, visibility: u.visibility, message: u.message })),
    timeline: timeline.map((e) => ({ id: e.id, at: isoTime(e.ts), type: e.type, severity: e.severity, subjectKey: e.subjectKey, actor: e.actor, data: e.data })),
  };
}

export async function acknowledgeIncident(ctx: ServiceContext, id: number): Promise<IncidentView> {
  authorize(ctx.actor, 'handleIncidents');
  const row = await loadIncident(ctx.db, id);
  if (row.acknowledgedAt !== null) return viewOf(ctx.db, row);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.update(incidents).set({ acknowledgedAt: now, acknowledgedBy: ctx.actor.name }).where(eq(incidents.id, id)),
    recordEvent(ctx, {
      type: 'incident.acknowledged',
      subjectKind: 'incident',
      subjectId: id,
      subjectKey: row.ref,
      severity: row.severity,
      data: { incidentRef: row.ref, title: row.title, acknowledgedBy: ctx.actor.name, ttaMs: now - row.openedAt },
    }),
  ]);
  return viewOf(ctx.db, await loadIncident(ctx.db, id));
}

function summarise(values: number[]) {
  const mean = values.length ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : null;
  return { count: values.length, meanMs: mean, p50Ms: percentile(values, 50), p95Ms: percentile(values, 95) };
}

/** MTTD, MTTA and MTTR (with p50 and p95) over the incidents opened in [from, to). */
export async function recoveryReport(ctx: ServiceContext, from: number, to: number) {
  authorize(ctx.actor, 'read');
  const rows = await ctx.db.select().from(incidents).where(and(gte(incidents.openedAt, from), lt(incidents.openedAt, to)));
  const views = await incidentViews(ctx.db, rows);
  return {
    from: isoTime(from),
    to: isoTime(to),
    incidents: rows.length,
    open: rows.filter((r) => r.state === 'open').length,
    detect: summarise(views.map((v) => v.ttdMs)),
    acknowledge: summarise(views.flatMap((v) => (v.ttaMs === null ? [] : [v.ttaMs]))),
    recover: summarise(views.flatMap((v) => (v.ttrMs === null ? [] : [v.ttrMs]))),
    bySeverity: Object.fromEntries(
      (['critical', 'major', 'minor', 'info'] as const).map((s) => [s, rows.filter((r) => r.severity === s).length]),
    ),
  };
}
