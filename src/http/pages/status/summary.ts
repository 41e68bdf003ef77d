// `/status/{slug}/summary.json` in the shape of Atlassian Statuspage's `GET /api/v2/summary.json`,
// so the many tools that read that shape can read ours.
import { isoTime } from '../../../core/domain/time.js';
import type { PublicIncident } from '../../../core/services/read-models/public-incidents.js';
import type { PublicMaintenance } from '../../../core/services/read-models/public-maintenance.js';
import type { PublicComponent, PublicStatus } from '../../../core/services/read-models/public-status.js';

const iso = (ms: number) => isoTime(ms);

function componentRef(status: PublicStatus, ref: Pick<PublicComponent, 'id'>) {
  const c = status.components.find((x) => x.id === ref.id)!;
  return { id: c.id, name: c.name, status: c.status };
}

function incidentJson(status: PublicStatus, incident: PublicIncident, url: string) {
  return {
    id: incident.id,
    name: incident.title,
    status: incident.status,
    created_at: iso(incident.createdAt),
    updated_at: iso(incident.updatedAt),
    monitoring_at: incident.monitoringAt === null ? null : iso(incident.monitoringAt),
    resolved_at: incident.resolvedAt === null ? null : iso(incident.resolvedAt),
    impact: incident.impact,
    shortlink: `${url}#incident-${incident.id}`,
    started_at: iso(incident.startedAt),
    page_id: status.page.id,
    incident_updates: incident.updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.body,
      incident_id: incident.id,
      created_at: iso(u.at),
      updated_at: iso(u.at),
      display_at: iso(u.at),
      affected_components: null,
    })),
    components: incident.components.map((c) => componentRef(status, c)),
  };
}

function maintenanceJson(status: PublicStatus, m: PublicMaintenance, url: string) {
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    created_at: iso(m.scheduledFor),
    updated_at: iso(m.scheduledFor),
    monitoring_at: null,
    resolved_at: null,
    impact: 'maintenance',
    shortlink: url,
    started_at: iso(m.scheduledFor),
    page_id: status.page.id,
    incident_updates: [],
    components: m.components.map((c) => componentRef(status, c)),
    scheduled_for: iso(m.scheduledFor),
    scheduled_until: iso(m.scheduledUntil),
  };
}

/** `url` is the page's absolute address. Groups are components with `group: true`, as on Statuspage. */
export function summaryJson(status: PublicStatus, url: string) {
  const created = iso(status.page.createdAt);
  const components: Array<Record<string, unknown>> = [];
  let position = 0;
  const component = (c: PublicComponent) => ({
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: created,
    updated_at: iso(c.since ?? status.page.createdAt),
    position: ++position,
    description: c.known ? null : 'No current monitoring data',
    showcase: true,
    start_date: null,
    group_id: c.groupId,
    page_id: status.page.id,
    group: false,
    only_show_if_degraded: false,
  });
  for (const entry of status.layout) {
    if ('component' in entry) {
      components.push(component(entry.component));
      continue;
    }
    const g = entry.group;
    components.push({
      id: g.id,
      name: g.name,
      status: g.status,
      created_at: created,
      updated_at: iso(Math.max(status.page.createdAt, ...g.components.map((c) => c.since ?? 0))),
      position: ++position,
      description: null,
      showcase: false,
      start_date: null,
      group_id: null,
      page_id: status.page.id,
      group: true,
      only_show_if_degraded: false,
      components: g.components.map((c) => c.id),
    });
    for (const c of g.components) components.push(component(c));
  }
  return {
    page: { id: status.page.id, name: status.page.title, url, time_zone: 'Etc/UTC', updated_at: iso(status.page.updatedAt) },
    status: { indicator: status.indicator, description: status.description },
    components,
    incidents: status.incidents.filter((i) => i.status !== 'resolved').map((i) => incidentJson(status, i, url)),
    scheduled_maintenances: status.maintenance.map((m) => maintenanceJson(status, m, url)),
  };
}
