// Public status pages: their configuration (admin writes, viewers read) and the public read model
// behind /status/{slug}. The read model shows only what a page lists: its components under their
// public names, the incidents that touch them (with a title written from those names and updates
// scrubbed of anything else's name or key) and the maintenance of their assets.
//
// Component statuses follow Atlassian Statuspage (INTEGRATIONS.md):
//   asset up                       → operational
//   asset degraded                 → degraded_performance
//   asset down                     → major_outage
//   asset maintenance              → under_maintenance
//   asset unknown / never checked  → degraded_performance, marked `known: false` and shown as
//                                    "No data": the page will not claim what it cannot see
//   function operational           → operational
//   function degraded              → degraded_performance (it still works, but its redundancy is
//                                    used up; partial_outage would tell the public that some of
//                                    them are cut off, which is not the case)
//   function lost                  → major_outage, or under_maintenance when an active maintenance
//                                    window covers one of its member assets and no open incident
//                                    touches it
// partial_outage is never derived from monitoring; a group shows its worst member.
import { and, asc, desc, eq, gte, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { commitAtomically, insertChunks, type Db, type Statement } from '../store/client.js';
import { idsIn } from '../store/ids.js';
import {
  assets,
  assetStates,
  dependencyGroups,
  functionStates,
  groupMembers,
  incidents,
  incidentUpdates,
  maintenanceWindows,
  missionFunctions,
  rollups,
  statusPageComponents,
  statusPages,
  type IncidentRow,
  type MaintenanceWindowRow,
  type StatusPageComponentRow,
  type StatusPageRow,
} from '../store/schema/index.js';
import {
  MAX_STATUS_PAGE_COMPONENTS,
  statusPageAttributes,
  statusPageComponentAttributes,
  statusPageComponentsRule,
  statusPageSlugSchema,
} from '../domain/document.js';
import type { AssetStatus, FunctionStatus, IncidentUpdateStatus, Severity } from '../domain/enums.js';
import { ConflictError, NotFoundError, UnprocessableError, type ErrorDetail } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { isoTime, DAY_MS } from '../domain/time.js';
import { nextCronTime } from '../domain/schedules.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';

/** Days of uptime bars per component. */
export const UPTIME_DAYS = 90;
/** Resolved incidents stay on the page this long. */
export const RECENT_INCIDENT_DAYS = 14;
/** A recurring maintenance window's next occurrence is announced this far ahead. */
const RECURRING_LOOKAHEAD_DAYS = 14;


// ── Configuration ────────────────────────────────────────────────────────────

export const statusPageComponentInputSchema = z.strictObject({
  ...statusPageComponentAttributes,
  assetId: z.number().int().positive().nullish(),
  functionId: z.number().int().positive().nullish(),
});
export type StatusPageComponentInput = z.infer<typeof statusPageComponentInputSchema>;

const componentsInputSchema = z
  .array(statusPageComponentInputSchema)
  .max(MAX_STATUS_PAGE_COMPONENTS)
  .superRefine(statusPageComponentsRule(['assetId', 'functionId']));

export const statusPageInputSchema = z.strictObject({
  slug: statusPageSlugSchema,
  ...statusPageAttributes,
  components: componentsInputSchema.default([]),
});
export type StatusPageInput = z.infer<typeof statusPageInputSchema>;

/** PATCH: every field optional, the slug is fixed; `components`, when given, replaces them all. */
export const statusPagePatchSchema = z
  .strictObject({
    title: statusPageAttributes.title,
    description: statusPageAttributes.description,
    showIncidents: z.boolean(),
    showMaintenance: z.boolean(),
    components: componentsInputSchema,
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'the patch changes nothing');
export type StatusPagePatch = z.infer<typeof statusPagePatchSchema>;

export function statusPageView(row: StatusPageRow, components: StatusPageComponentRow[]) {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    showIncidents: row.showIncidents,
    showMaintenance: row.showMaintenance,
    url: `/status/${row.slug}`,
    components: components.map((c) => ({ name: c.name, group: c.groupName, assetId: c.assetId, functionId: c.functionId })),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}
export type StatusPageView = ReturnType<typeof statusPageView>;

async function componentsOf(db: Db, pageIds: number[]): Promise<Map<number, StatusPageComponentRow[]>> {
  const byPage = new Map<number, StatusPageComponentRow[]>(pageIds.map((id) => [id, []]));
  if (!pageIds.length) return byPage;
  const rows = await db
    .select()
    .from(statusPageComponents)
    .where(idsIn(statusPageComponents.pageId, pageIds))
    .orderBy(asc(statusPageComponents.pageId), asc(statusPageComponents.position));
  for (const row of rows) byPage.get(row.pageId)!.push(row);
  return byPage;
}

async function loadPage(db: Db, id: number): Promise<StatusPageRow> {
  const [row] = await db.select().from(statusPages).where(eq(statusPages.id, id));
  if (!row) throw new NotFoundError('status page', id);
  return row;
}

export async function listStatusPages(ctx: ServiceContext): Promise<StatusPageView[]> {
  authorize(ctx.actor, 'read');
  const rows = await ctx.db.select().from(statusPages).orderBy(asc(statusPages.id));
  const components = await componentsOf(ctx.db, rows.map((r) => r.id));
  return rows.map((row) => statusPageView(row, components.get(row.id) ?? []));
}

export async function getStatusPage(ctx: ServiceContext, id: number): Promise<StatusPageView> {
  authorize(ctx.actor, 'read');
  const row = await loadPage(ctx.db, id);
  return statusPageView(row, (await componentsOf(ctx.db, [id])).get(id) ?? []);
}

/** Every component names an asset or function that exists; 422 naming each one that does not. */
async function checkTargets(db: Db, components: StatusPageComponentInput[]): Promise<void> {
  const assetIds = [...new Set(components.flatMap((c) => (c.assetId ? [c.assetId] : [])))];
  const functionIds = [...new Set(components.flatMap((c) => (c.functionId ? [c.functionId] : [])))];
  const foundAssets = new Set(assetIds.length ? (await db.select({ id: assets.id }).from(assets).where(idsIn(assets.id, assetIds))).map((r) => r.id) : []);
  const foundFunctions = new Set(
    functionIds.length ? (await db.select({ id: missionFunctions.id }).from(missionFunctions).where(idsIn(missionFunctions.id, functionIds))).map((r) => r.id) : [],
  );
  const problems: ErrorDetail[] = [];
  components.forEach((c, i) => {
    if (c.assetId && !foundAssets.has(c.assetId)) problems.push({ path: `components.${i}.assetId`, message: `no asset with id ${c.assetId}`, location: 'body' });
    if (c.functionId && !foundFunctions.has(c.functionId)) {
      problems.push({ path: `components.${i}.functionId`, message: `no mission function with id ${c.functionId}`, location: 'body' });
    }
  });
  if (problems.length) throw new UnprocessableError(problems);
}

/** A component as written: its target by id, or by a sub-select when the row is new in the same batch. */
export interface ComponentWrite {
  name: string;
  group: string | null | undefined;
  assetId: number | SQL | null;
  functionId: number | SQL | null;
}

export interface PageWrite {
  slug: string;
  title?: string;
  description?: string | null;
  showIncidents?: boolean;
  showMaintenance?: boolean;
  /** Replaces every component when given. */
  components?: ComponentWrite[];
}

/**
 * The statements that create or change a page (by slug) and its components, with the event that
 * records it. Used by the API and by the apply file.
 */
export function statusPageStatements(ctx: ServiceContext, page: PageWrite, exists: boolean, now: number): Statement[] {
  const pageId = sql`(select id from status_pages where slug = ${page.slug})`;
  const columns = {
    ...(page.title !== undefined ? { title: page.title } : {}),
    ...(page.description !== undefined ? { description: page.description } : {}),
    ...(page.showIncidents !== undefined ? { showIncidents: page.showIncidents } : {}),
    ...(page.showMaintenance !== undefined ? { showMaintenance: page.showMaintenance } : {}),
    updatedAt: now,
  };
  const statements: Statement[] = [
    exists
      ? ctx.db.update(statusPages).set(columns).where(eq(statusPages.slug, page.slug))
      : ctx.db.insert(statusPages).values({ slug: page.slug, title: page.title!, ...columns, createdAt: now }),
  ];
  if (page.components) {
    if (exists) statements.push(ctx.db.delete(statusPageComponents).where(sql`${statusPageComponents.pageId} = ${pageId}`));
    const rows = page.components.map((c, position) => ({
      pageId,
      position,
      name: c.name,
      groupName: c.group ?? null,
      assetId: c.assetId,
      functionId: c.functionId,
    }));
    for (const chunk of insertChunks(ctx.db, rows, 8)) statements.push(ctx.db.insert(statusPageComponents).values(chunk));
  }
  statements.push(
    recordEvent(ctx, {
      type: exists ? 'status_page.updated' : 'status_page.created',
      subjectKind: 'status_page',
      subjectId: pageId,
      subjectKey: page.slug,
      data: page.components ? { components: page.components.length } : {},
    }),
  );
  return statements;
}

const byId = (c: StatusPageComponentInput): ComponentWrite => ({ name: c.name, group: c.group, assetId: c.assetId ?? null, functionId: c.functionId ?? null });

export async function createStatusPage(ctx: ServiceContext, input: StatusPageInput): Promise<StatusPageView> {
  authorize(ctx.actor, 'manageInventory');
  await checkTargets(ctx.db, input.components);
  const [taken] = await ctx.db.select({ id: statusPages.id }).from(statusPages).where(eq(statusPages.slug, input.slug));
  if (taken) throw new ConflictError(`A status page with slug "${input.slug}" already exists`, [{ path: 'slug', message: 'already in use', location: 'body' }]);
  const now = ctx.now();
  await commitAtomically(
    ctx.db,
    statusPageStatements(ctx, { ...input, description: input.description ?? null, components: input.components.map(byId) }, false, now),
  );
  const [row] = await ctx.db.select().from(statusPages).where(eq(statusPages.slug, input.slug));
  return getStatusPage(ctx, row!.id);
}

export async function updateStatusPage(ctx: ServiceContext, id: number, patch: StatusPagePatch): Promise<StatusPageView> {
  authorize(ctx.actor, 'manageInventory');
  const row = await loadPage(ctx.db, id);
  if (patch.components) await checkTargets(ctx.db, patch.components);
  await commitAtomically(
    ctx.db,
    statusPageStatements(ctx, { ...patch, slug: row.slug, components: patch.components?.map(byId) }, true, ctx.now()),
  );
  return getStatusPage(ctx, id);
}

export async function deleteStatusPage(ctx: ServiceContext, id: number): Promise<void> {
  authorize(ctx.actor, 'manageInventory');
  const row = await loadPage(ctx.db, id);
  await commitAtomically(ctx.db, [
    ctx.db.delete(statusPages).where(eq(statusPages.id, id)),
    recordEvent(ctx, { type: 'status_page.deleted', subjectKind: 'status_page', subjectId: id, subjectKey: row.slug }),
  ]);
}

// ── The public read model ────────────────────────────────────────────────────

export const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];
export type Indicator = 'none' | 'minor' | 'major' | 'critical';
export type Impact = Indicator;

/** How bad a status is, for picking a group's or the page's worst. */
export const STATUS_RANK: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

export interface UptimeDay {
  /** Start of the UTC day, ms. */
  day: number;
  samples: number;
  /** Share of samples that were up (degraded counts as up), null without samples. */
  ratio: number | null;
}

export interface PublicComponent {
  /** Position on the page, 0-based: `/status/{slug}/components/{index}/badge.svg`. */
  index: number;
  /** Opaque public id (the component row's id). */
  id: string;
  name: string;
  group: string | null;
  groupId: string | null;
  status: ComponentStatus;
  /** False when monitoring has no current status for it (shown as "No data"). */
  known: boolean;
  /** When the current status began, ms; null when unknown. */
  since: number | null;
  uptime: { days: UptimeDay[]; ratio: number | null };
}

export interface PublicGroup {
  id: string;
  name: string;
  status: ComponentStatus;
  components: PublicComponent[];
}

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
  components: Array<Pick<PublicComponent, 'id' | 'name' | 'index'>>;
  /** Newest first. */
  updates: PublicIncidentUpdate[];
}

export interface PublicMaintenance {
  id: string;
  name: string;
  status: 'scheduled' | 'in_progress';
  scheduledFor: number;
  scheduledUntil: number;
  components: Array<Pick<PublicComponent, 'id' | 'name' | 'index'>>;
}

export interface PublicStatus {
  page: { id: string; slug: string; title: string; description: string | null; showIncidents: boolean; showMaintenance: boolean; createdAt: number; updatedAt: number };
  indicator: Indicator;
  description: string;
  /** The worst component status (the overall badge's word). */
  worst: ComponentStatus;
  components: PublicComponent[];
  /** In page order: a component outside any group is a group of its own without a name. */
  layout: Array<{ group: PublicGroup } | { component: PublicComponent }>;
  groups: PublicGroup[];
  /** Unresolved first, then resolved, newest first; only those that touch the page. */
  incidents: PublicIncident[];
  maintenance: PublicMaintenance[];
  generatedAt: number;
}

export interface PublicStatusOptions {
  /** Resolved incidents opened or resolved within this many days (default RECENT_INCIDENT_DAYS). */
  incidentDays?: number;
  /** Read the 90-day rollups (default true). */
  uptime?: boolean;
}

/**
 * The page with this slug as the public may see it; null when there is none. Needs no actor: it is
 * public by design and shows only what the page lists. A fixed handful of queries whatever the
 * number of components: one over the rollups for every subject on the page.
 */
export async function loadPublicStatus(db: Db, slug: string, now: number, options: PublicStatusOptions = {}): Promise<PublicStatus | null> {
  if (!statusPageSlugSchema.safeParse(slug).success) return null;
  const [page] = await db.select().from(statusPages).where(eq(statusPages.slug, slug));
  if (!page) return null;
  const rows = (await componentsOf(db, [page.id])).get(page.id) ?? [];
  const assetIds = [...new Set(rows.flatMap((r) => (r.assetId !== null ? [r.assetId] : [])))];
  const functionIds = [...new Set(rows.flatMap((r) => (r.functionId !== null ? [r.functionId] : [])))];

  const [assetStateRows, functionStateRows, uptimeRows, incidentRows, windowRows] = await Promise.all([
    assetIds.length ? db.select().from(assetStates).where(idsIn(assetStates.assetId, assetIds)) : [],
    functionIds.length ? db.select().from(functionStates).where(idsIn(functionStates.functionId, functionIds)) : [],
    options.uptime === false ? new Map<string, number[]>() : readUptime(db, assetIds, functionIds, now),
    readIncidents(db, assetIds, functionIds, now - (options.incidentDays ?? RECENT_INCIDENT_DAYS) * DAY_MS),
    db.select().from(maintenanceWindows).orderBy(asc(maintenanceWindows.id)),
  ]);

  // Maintenance that is on now or coming up, with the assets it covers.
  const windows = windowRows.flatMap((w) => {
    const occurrence = maintenanceOccurrence(w, now);
    return occurrence ? [{ row: w, ...occurrence }] : [];
  });
  // Which assets each page function rests on (through nested functions), only when it matters.
  const membersOf = windows.length && functionIds.length ? await functionAssetClosure(db, functionIds) : new Map<number, Set<number>>();
  const touchesAsset = (row: StatusPageComponentRow, covered: ReadonlySet<number>) =>
    row.assetId !== null ? covered.has(row.assetId) : [...(membersOf.get(row.functionId!) ?? [])].some((a) => covered.has(a));

  const assetState = new Map(assetStateRows.map((s) => [s.assetId, s]));
  const functionState = new Map(functionStateRows.map((s) => [s.functionId, s]));
  const openIncidentFunctions = new Set(incidentRows.filter((i) => i.state === 'open').flatMap((i) => i.functionIds));
  const inMaintenance = new Set(windows.filter((w) => w.status === 'in_progress').flatMap((w) => w.row.assetIds));

  const days = uptimeDays(now);
  // A day without data is the same bar on every component: one object per day, shared.
  const emptyBars = days.map((day) => ({ day, samples: 0, ratio: null }));
  const samplesOfDay = new Float64Array(days.length);
  const availableOfDay = new Float64Array(days.length);

  const groupIds = new Map<string, string>();
  const components: PublicComponent[] = rows.map((row, index) => {
    let status: ComponentStatus;
    let known = true;
    let since: number | null = null;
    if (row.assetId !== null) {
      const state = assetState.get(row.assetId);
      status = assetComponentStatus(state?.status ?? 'unknown');
      known = Boolean(state) && state!.status !== 'unknown';
      since = known ? state!.since : null;
    } else {
      const state = functionState.get(row.functionId!);
      status = functionComponentStatus(state?.status ?? 'operational');
      since = state?.since ?? null;
      if (status === 'major_outage' && !openIncidentFunctions.has(row.functionId!) && inMaintenance.size && touchesAsset(row, inMaintenance)) {
        status = 'under_maintenance';
      }
    }
    const series = uptimeRows.get(row.assetId !== null ? `asset:${row.assetId}` : `function:${row.functionId}`);
    let samples = 0;
    let available = 0;
    let bars: UptimeDay[] = emptyBars;
    if (series) {
      samplesOfDay.fill(0);
      availableOfDay.fill(0);
      for (let i = 0; i < series.length; i += 3) {
        samplesOfDay[series[i]!] = series[i + 1]!;
        availableOfDay[series[i]!] = series[i + 2]!;
      }
      bars = new Array<UptimeDay>(days.length);
      for (let i = 0; i < days.length; i++) {
        const n = samplesOfDay[i]!;
        if (n <= 0) {
          bars[i] = emptyBars[i]!;
          continue;
        }
        samples += n;
        available += availableOfDay[i]!;
        bars[i] = { day: days[i]!, samples: n, ratio: Math.min(1, availableOfDay[i]! / n) };
      }
    }
    if (row.groupName !== null && !groupIds.has(row.groupName)) groupIds.set(row.groupName, `group-${groupIds.size + 1}`);
    return {
      index,
      id: String(row.id),
      name: row.name,
      group: row.groupName,
      groupId: row.groupName !== null ? groupIds.get(row.groupName)! : null,
      status,
      known,
      since,
      uptime: { days: bars, ratio: samples ? Math.min(1, available / samples) : null },
    };
  });

  const groups = new Map<string, PublicGroup>();
  const layout: PublicStatus['layout'] = [];
  for (const component of components) {
    if (component.group === null) {
      layout.push({ component });
      continue;
    }
    let group = groups.get(component.group);
    if (!group) {
      group = { id: component.groupId!, name: component.group, status: 'operational', components: [] };
      groups.set(component.group, group);
      layout.push({ group });
    }
    group.components.push(component);
    if (STATUS_RANK[component.status] > STATUS_RANK[group.status]) group.status = component.status;
  }

  const ref = (c: PublicComponent) => ({ id: c.id, name: c.name, index: c.index });
  const scrub = needsScrubbing(incidentRows.length, windows.length) ? await scrubber(db, rows, components) : (text: string) => text;

  const incidentIds = incidentRows.map((i) => i.id);
  const updateRows = incidentIds.length
    ? await db.select().from(incidentUpdates).where(idsIn(incidentUpdates.incidentId, incidentIds)).orderBy(asc(incidentUpdates.ts), asc(incidentUpdates.id))
    : [];
  const publicIncidents = incidentRows.map((incident) => {
    const touched = components.filter((c) => {
      const row = rows[c.index]!;
      return (row.assetId !== null && row.assetId === incident.assetId) || (row.functionId !== null && incident.functionIds.includes(row.functionId));
    });
    return publicIncident(incident, touched.map(ref), updateRows.filter((u) => u.incidentId === incident.id), scrub);
  });
  publicIncidents.sort((a, b) => Number(a.status === 'resolved') - Number(b.status === 'resolved') || b.createdAt - a.createdAt);

  const maintenance: PublicMaintenance[] = windows
    .map((w) => {
      const covered = new Set(w.row.assetIds);
      return {
        id: `${w.row.id}-${w.start}`,
        name: scrub(w.row.title),
        status: w.status,
        scheduledFor: w.start,
        scheduledUntil: w.end,
        components: components.filter((c) => touchesAsset(rows[c.index]!, covered)).map(ref),
      };
    })
    .filter((m) => m.components.length > 0)
    .sort((a, b) => a.scheduledFor - b.scheduledFor);

  const worst = components.reduce<ComponentStatus>((w, c) => (STATUS_RANK[c.status] > STATUS_RANK[w] ? c.status : w), 'operational');
  const unresolved = publicIncidents.filter((i) => i.status !== 'resolved');
  const indicator = overallIndicator(components, unresolved);
  const updatedAt = Math.max(
    page.updatedAt,
    ...components.flatMap((c) => (c.since !== null ? [c.since] : [])),
    ...publicIncidents.map((i) => i.updatedAt),
  );
  return {
    page: {
      id: page.slug,
      slug: page.slug,
      title: page.title,
      description: page.description,
      showIncidents: page.showIncidents,
      showMaintenance: page.showMaintenance,
      createdAt: page.createdAt,
      updatedAt,
    },
    indicator,
    description: indicatorDescription(indicator, worst),
    worst,
    components,
    layout,
    groups: [...groups.values()],
    incidents: page.showIncidents ? publicIncidents : [],
    maintenance: page.showMaintenance ? maintenance : [],
    generatedAt: now,
  };
}

export function assetComponentStatus(status: AssetStatus): ComponentStatus {
  switch (status) {
    case 'up':
      return 'operational';
    case 'degraded':
    case 'unknown':
      return 'degraded_performance';
    case 'down':
      return 'major_outage';
    case 'maintenance':
      return 'under_maintenance';
  }
}

export function functionComponentStatus(status: FunctionStatus): ComponentStatus {
  return status === 'operational' ? 'operational' : status === 'degraded' ? 'degraded_performance' : 'major_outage';
}

export function severityImpact(severity: Severity): Impact {
  return severity === 'info' ? 'none' : severity;
}

const INDICATOR_RANK: Record<Indicator, number> = { none: 0, minor: 1, major: 2, critical: 3 };

/**
 * Statuspage's blended indicator: critical when every component not under maintenance is in a
 * major outage, major for any outage, minor for degraded performance; an unresolved incident
 * raises it to its impact.
 */
export function overallIndicator(components: Array<Pick<PublicComponent, 'status'>>, unresolved: Array<Pick<PublicIncident, 'impact'>>): Indicator {
  const active = components.filter((c) => c.status !== 'under_maintenance');
  let indicator: Indicator = 'none';
  if (active.some((c) => c.status === 'major_outage')) indicator = active.every((c) => c.status === 'major_outage') ? 'critical' : 'major';
  else if (active.some((c) => c.status === 'partial_outage')) indicator = 'major';
  else if (active.some((c) => c.status === 'degraded_performance')) indicator = 'minor';
  for (const incident of unresolved) if (INDICATOR_RANK[incident.impact] > INDICATOR_RANK[indicator]) indicator = incident.impact;
  return indicator;
}

/** Statuspage's wording for the banner and `status.description`. */
export function indicatorDescription(indicator: Indicator, worst: ComponentStatus): string {
  switch (indicator) {
    case 'critical':
      return 'Major System Outage';
    case 'major':
      return 'Partial System Outage';
    case 'minor':
      return 'Partially Degraded Service';
    case 'none':
      return worst === 'under_maintenance' ? 'Service Under Maintenance' : 'All Systems Operational';
  }
}

/** The UTC days the bars cover, oldest first, ending today. */
export function uptimeDays(now: number): number[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Array.from({ length: UPTIME_DAYS }, (_, i) => today - (UPTIME_DAYS - 1 - i) * DAY_MS);
}

/**
 * Daily rollups of every subject on the page over the bars' days, in one query, aggregated by
 * SQLite: one row per subject (200 rows for 200 components, not 18,000), its days as a flat list
 * of numbers `dayIndex, samples, available, …` (dayIndex 0 is the oldest bar). Keyed `kind:id`.
 */
async function readUptime(db: Db, assetIds: number[], functionIds: number[], now: number): Promise<Map<string, number[]>> {
  const subjects: SQL[] = [];
  if (assetIds.length) subjects.push(and(eq(rollups.subjectKind, 'asset'), idsIn(rollups.subjectId, assetIds))!);
  if (functionIds.length) subjects.push(and(eq(rollups.subjectKind, 'function'), idsIn(rollups.subjectId, functionIds))!);
  const bySubject = new Map<string, number[]>();
  if (!subjects.length) return bySubject;
  // Inlined, not bound: a bound JS number is a REAL in SQLite, and the day index must be an integer.
  const first = sql.raw(String(uptimeDays(now)[0]!));
  const day = sql.raw(String(DAY_MS));
  const rows = await db.values<[string, number, string]>(sql`
    select ${rollups.subjectKind}, ${rollups.subjectId},
      group_concat(((${rollups.bucketStart} - ${first}) / ${day}) || ',' || ${rollups.samples} || ',' || (${rollups.upSamples} + ${rollups.degradedSamples}))
    from ${rollups}
    where ${and(eq(rollups.granularity, 'day'), gte(rollups.bucketStart, first), sql`(${rollups.bucketStart} - ${first}) % ${day} = 0`, or(...subjects))}
    group by ${rollups.subjectKind}, ${rollups.subjectId}`);
  for (const [kind, id, list] of rows) bySubject.set(`${kind}:${id}`, JSON.parse(`[${list}]`) as number[]);
  return bySubject;
}

/** Open incidents, and those opened or resolved since `since`, that touch one of the subjects. */
async function readIncidents(db: Db, assetIds: number[], functionIds: number[], since: number): Promise<IncidentRow[]> {
  const touching: SQL[] = [];
  if (assetIds.length) touching.push(idsIn(incidents.assetId, assetIds));
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

/** The occurrence of a window that is on now or next, if it is on now or coming up. */
export function maintenanceOccurrence(
  w: Pick<MaintenanceWindowRow, 'cron' | 'timezone' | 'durationMinutes' | 'startsAt' | 'endsAt'>,
  now: number,
): { status: 'scheduled' | 'in_progress'; start: number; end: number } | null {
  if (w.cron) {
    const duration = (w.durationMinutes ?? 0) * 60_000;
    if (duration <= 0) return null;
    const current = nextCronTime(w.cron, w.timezone, now - duration - 1);
    if (current !== null && current <= now) return { status: 'in_progress', start: current, end: current + duration };
    const next = nextCronTime(w.cron, w.timezone, now);
    if (next === null || next - now > RECURRING_LOOKAHEAD_DAYS * DAY_MS) return null;
    return { status: 'scheduled', start: next, end: next + duration };
  }
  if (w.startsAt === null || w.endsAt === null || w.endsAt <= now) return null;
  return { status: w.startsAt <= now ? 'in_progress' : 'scheduled', start: w.startsAt, end: w.endsAt };
}

/** For each of the functions, every asset it rests on, through nested functions. */
async function functionAssetClosure(db: Db, functionIds: number[]): Promise<Map<number, Set<number>>> {
  const edges = await db
    .select({ functionId: dependencyGroups.functionId, assetId: groupMembers.assetId, memberFunctionId: groupMembers.memberFunctionId })
    .from(groupMembers)
    .innerJoin(dependencyGroups, eq(groupMembers.groupId, dependencyGroups.id));
  const direct = new Map<number, { assets: number[]; functions: number[] }>();
  for (const e of edges) {
    const entry = direct.get(e.functionId) ?? { assets: [], functions: [] };
    if (e.assetId !== null) entry.assets.push(e.assetId);
    if (e.memberFunctionId !== null) entry.functions.push(e.memberFunctionId);
    direct.set(e.functionId, entry);
  }
  const closure = new Map<number, Set<number>>();
  for (const root of functionIds) {
    const found = new Set<number>();
    const seen = new Set<number>();
    const stack = [root];
    while (stack.length) {
      const fn = stack.pop()!;
      if (seen.has(fn)) continue;
      seen.add(fn);
      const entry = direct.get(fn);
      entry?.assets.forEach((a) => found.add(a));
      entry?.functions.forEach((f) => stack.push(f));
    }
    closure.set(root, found);
  }
  return closure;
}

const needsScrubbing = (incidentCount: number, windowCount: number) => incidentCount > 0 || windowCount > 0;

/**
 * Replaces the names and keys of every asset and function the page does not list with a neutral
 * phrase, so an officer's update or a maintenance title cannot reveal them. A name that is part of
 * one of the page's own public names is left (the page shows it anyway).
 */
async function scrubber(db: Db, rows: StatusPageComponentRow[], components: PublicComponent[]): Promise<(text: string) => string> {
  const listedAssets = new Set(rows.flatMap((r) => (r.assetId !== null ? [r.assetId] : [])));
  const listedFunctions = new Set(rows.flatMap((r) => (r.functionId !== null ? [r.functionId] : [])));
  const [assetRows, functionRows] = await Promise.all([
    db.select({ id: assets.id, key: assets.key, name: assets.name }).from(assets),
    db.select({ id: missionFunctions.id, key: missionFunctions.key, name: missionFunctions.name }).from(missionFunctions),
  ]);
  const publicText = components.map((c) => `${c.name}\n${c.group ?? ''}`).join('\n').toLowerCase();
  const secrets = [
    ...assetRows.filter((a) => !listedAssets.has(a.id)),
    ...functionRows.filter((f) => !listedFunctions.has(f.id)),
  ]
    .flatMap((r) => [r.name, r.key])
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !publicText.includes(s.toLowerCase()));
  const unique = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  if (!unique.length) return (text) => text;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${unique.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return (text) => text.replace(pattern, 'an internal system');
}

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
 * stored title names internal assets), its officers' updates scrubbed, and an opening
 * "investigating" and closing "resolved" update when the officers wrote none.
 */
function publicIncident(
  row: IncidentRow,
  touched: Array<Pick<PublicComponent, 'id' | 'name' | 'index'>>,
  updates: Array<{ id: number; ts: number; status: IncidentUpdateStatus; message: string }>,
  scrub: (text: string) => string,
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
