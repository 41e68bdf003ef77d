// The public read model behind /status/{slug}. It shows only what a page lists: its components
// under their public names, the incidents that touch them (with a title written from those names
// and updates scrubbed of anything else's name or key) and the maintenance of their assets.
// Statuses: component-status.ts.
import { eq } from 'drizzle-orm';
import type { Db } from '../../store/client.js';
import { idsIn } from '../../store/ids.js';
import { assetStates, functionStates, statusPages, type IncidentRow, type StatusPageComponentRow, type StatusPageRow } from '../../store/schema/index.js';
import { statusPageSlugSchema } from '../../domain/document.js';
import { DAY_MS } from '../../domain/time.js';
import { pageComponents } from '../status-pages.js';
import { assetComponentStatus, functionComponentStatus, indicatorDescription, overallIndicator, STATUS_RANK, type ComponentStatus, type Indicator } from './component-status.js';
import { publicIncidents, readIncidents, RECENT_INCIDENT_DAYS, type PublicIncident } from './public-incidents.js';
import { assetCoverage, publicMaintenance, readUpcomingMaintenance, type PublicMaintenance, type TouchesAsset, type UpcomingMaintenance } from './public-maintenance.js';
import { publicNameScrubber } from './public-names.js';
import { readUptime, uptimeBarMaker, type Uptime } from './uptime-bars.js';

export interface PublicComponent {
  /** Position on the page, 0-based. */
  index: number;
  /** Opaque public id (the component row's id): `/status/{slug}/components/{id}/badge.svg`. */
  id: string;
  name: string;
  group: string | null;
  groupId: string | null;
  status: ComponentStatus;
  /** False when monitoring has no current status for it (shown as "No data"). */
  known: boolean;
  /** When the current status began, ms; null when unknown. */
  since: number | null;
  uptime: Uptime;
}

export interface PublicGroup {
  id: string;
  name: string;
  status: ComponentStatus;
  components: PublicComponent[];
}

export type PublicLayout = Array<{ group: PublicGroup } | { component: PublicComponent }>;

export interface PublicStatus {
  page: { id: string; slug: string; title: string; description: string | null; showIncidents: boolean; showMaintenance: boolean; createdAt: number; updatedAt: number; marking: StatusPageRow['marking'] };
  indicator: Indicator;
  description: string;
  /** The worst component status (the overall badge's word). */
  worst: ComponentStatus;
  components: PublicComponent[];
  /** In page order: a component outside any group is a group of its own without a name. */
  layout: PublicLayout;
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
  const rows = (await pageComponents(db, [page.id])).get(page.id) ?? [];
  const assetIds = [...new Set(rows.flatMap((r) => (r.assetId !== null ? [r.assetId] : [])))];
  const functionIds = [...new Set(rows.flatMap((r) => (r.functionId !== null ? [r.functionId] : [])))];

  const [assetStateRows, functionStateRows, uptimeRows, incidentRows, windows] = await Promise.all([
    assetIds.length ? db.select().from(assetStates).where(idsIn(assetStates.assetId, assetIds)) : [],
    functionIds.length ? db.select().from(functionStates).where(idsIn(functionStates.functionId, functionIds)) : [],
    options.uptime === false ? new Map<string, number[]>() : readUptime(db, assetIds, functionIds, now),
    readIncidents(db, assetIds, functionIds, now - (options.incidentDays ?? RECENT_INCIDENT_DAYS) * DAY_MS),
    readUpcomingMaintenance(db, now),
  ]);
  const touchesAsset = await assetCoverage(db, functionIds, windows.length > 0);
  const components = publicComponents(rows, { assetStateRows, functionStateRows, uptimeRows, incidentRows, windows, touchesAsset }, now);

  const scrub = await publicNameScrubber(db, rows, components, incidentRows.length > 0 || windows.length > 0);
  const incidents = await publicIncidents(db, incidentRows, rows, components, scrub);
  const maintenance = publicMaintenance(windows, rows, components, touchesAsset, scrub);
  return publicStatus(page, components, incidents, maintenance, now);
}

interface Monitoring {
  assetStateRows: Array<typeof assetStates.$inferSelect>;
  functionStateRows: Array<typeof functionStates.$inferSelect>;
  uptimeRows: Map<string, number[]>;
  incidentRows: IncidentRow[];
  windows: UpcomingMaintenance[];
  touchesAsset: TouchesAsset;
}

/** Each listed component with its current status and its uptime bars, in page order. */
function publicComponents(rows: StatusPageComponentRow[], monitoring: Monitoring, now: number): PublicComponent[] {
  const { windows, touchesAsset } = monitoring;
  const assetState = new Map(monitoring.assetStateRows.map((s) => [s.assetId, s]));
  const functionState = new Map(monitoring.functionStateRows.map((s) => [s.functionId, s]));
  const openIncidentFunctions = new Set(monitoring.incidentRows.filter((i) => i.state === 'open').flatMap((i) => i.functionIds));
  const inMaintenance = new Set(windows.filter((w) => w.status === 'in_progress').flatMap((w) => w.row.assetIds));
  const uptimeOf = uptimeBarMaker(now);

  const groupIds = new Map<string, string>();
  return rows.map((row, index) => {
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
    const uptime = uptimeOf(monitoring.uptimeRows.get(row.assetId !== null ? `asset:${row.assetId}` : `function:${row.functionId}`));
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
      uptime,
    };
  });
}

/** The components in page order, each group (showing its worst member) where its first member is. */
function groupLayout(components: PublicComponent[]): { layout: PublicLayout; groups: PublicGroup[] } {
  const groups = new Map<string, PublicGroup>();
  const layout: PublicLayout = [];
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
  return { layout, groups: [...groups.values()] };
}

function publicStatus(page: StatusPageRow, components: PublicComponent[], incidents: PublicIncident[], maintenance: PublicMaintenance[], now: number): PublicStatus {
  const { layout, groups } = groupLayout(components);
  const worst = components.reduce<ComponentStatus>((w, c) => (STATUS_RANK[c.status] > STATUS_RANK[w] ? c.status : w), 'operational');
  const indicator = overallIndicator(components, incidents.filter((i) => i.status !== 'resolved'));
  const updatedAt = Math.max(page.updatedAt, ...components.flatMap((c) => (c.since !== null ? [c.since] : [])), ...incidents.map((i) => i.updatedAt));
  return {
    page: {
      id: page.slug,
      slug: page.slug,
      title: page.title,
      description: page.description,
      showIncidents: page.showIncidents,
      showMaintenance: page.showMaintenance,
      marking: page.marking,
      createdAt: page.createdAt,
      updatedAt,
    },
    indicator,
    description: indicatorDescription(indicator, worst),
    worst,
    components,
    layout,
    groups,
    incidents: page.showIncidents ? incidents : [],
    maintenance: page.showMaintenance ? maintenance : [],
    generatedAt: now,
  };
}
