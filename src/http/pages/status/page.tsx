import { raw } from 'hono/html';
import { RECENT_INCIDENT_DAYS, type PublicIncident } from '../../../core/services/read-models/public-incidents.js';
import type { PublicMaintenance } from '../../../core/services/read-models/public-maintenance.js';
import type { PublicComponent, PublicGroup, PublicStatus } from '../../../core/services/read-models/public-status.js';
import { UPTIME_DAYS } from '../../../core/services/read-models/uptime-bars.js';
import { DAY_MS } from '../../../core/domain/time.js';
import { Layout } from '../layout.js';
import { barLevel, componentLook, escapeXml, indicatorLook, percent, STATUS_SYMBOLS, STATUS_WORDS } from './format.js';
import { day, utc } from '../format.js';
import { MarkingBadge } from '../marking.js';

const BAR_WIDTH = 4;
const BAR_STEP = 6;

function Time({ ms }: { ms: number }) {
  return <time datetime={new Date(ms).toISOString()}>{utc(ms)}</time>;
}

/** One component's 90 daily bars as inline SVG, written as a string: 90 rects each with a title. */
function uptimeBars(component: PublicComponent) {
  const rects = component.uptime.days
    .map((d, i) => {
      const text = `${day(d.day)}: ${d.ratio === null ? 'no data' : `${percent(d.ratio)} up`}`;
      return `<rect class="sp-bar sp-bar-${barLevel(d.ratio)}" x="${i * BAR_STEP}" y="0" width="${BAR_WIDTH}" height="34" rx="1"><title>${text}</title></rect>`;
    })
    .join('');
  const worstDays = component.uptime.days.filter((d) => d.ratio !== null && d.ratio < 0.99).length;
  const withData = component.uptime.days.filter((d) => d.ratio !== null).length;
  const summary =
    component.uptime.ratio === null
      ? `No uptime data for ${component.name} in the last ${UPTIME_DAYS} days`
      : `${component.name}: ${percent(component.uptime.ratio)} uptime over the last ${UPTIME_DAYS} days; ${withData} days with data, ${worstDays} below 99 %`;
  const width = (UPTIME_DAYS - 1) * BAR_STEP + BAR_WIDTH;
  return raw(
    `<svg class="sp-bars" viewBox="0 0 ${width} 34" preserveAspectRatio="none" role="img" aria-label="${escapeXml(summary)}" data-days="${UPTIME_DAYS}">${rects}</svg>`,
  );
}

function StatusWord({ component }: { component: Pick<PublicComponent, 'status' | 'known'> }) {
  const look = componentLook(component);
  return (
    <span class={`sp-status sp-st-${look.cls}`}>
      <span class="sp-sym" aria-hidden="true">
        {look.symbol}
      </span>
      {look.word}
    </span>
  );
}

function Component({ component, heading }: { component: PublicComponent; heading: 'h3' | 'h4' }) {
  const Heading = heading;
  return (
    <li class="sp-comp" data-component={String(component.index)} data-status={component.known ? component.status : 'unknown'}>
      <div class="sp-comp-head">
        <Heading class="sp-comp-name">{component.name}</Heading>
        <StatusWord component={component} />
      </div>
      {uptimeBars(component)}
      <div class="sp-bars-legend">
        <span>{UPTIME_DAYS} days ago</span>
        <span class="sp-uptime">{component.uptime.ratio === null ? 'No data yet' : `${percent(component.uptime.ratio)} uptime`}</span>
        <span>Today</span>
      </div>
    </li>
  );
}

function Group({ group }: { group: PublicGroup }) {
  return (
    <li class="sp-group" data-group={group.id} data-status={group.status}>
      <div class="sp-group-head">
        <h3 class="sp-group-name">{group.name}</h3>
        <StatusWord component={{ status: group.status, known: true }} />
      </div>
      <ul class="sp-comps">
        {group.components.map((c) => (
          <Component component={c} heading="h4" />
        ))}
      </ul>
    </li>
  );
}

const UPDATE_WORDS = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' } as const;
const IMPACT_WORDS = { none: 'No impact', minor: 'Minor impact', major: 'Major impact', critical: 'Critical impact' } as const;

function Incident({ incident, heading }: { incident: PublicIncident; heading: 'h3' | 'h4' }) {
  const Heading = heading;
  return (
    <article class={`sp-incident sp-impact-${incident.impact}`} id={`incident-${incident.id}`} data-incident={incident.id} data-status={incident.status}>
      <Heading class="sp-incident-title">{incident.title}</Heading>
      <p class="sp-incident-meta">
        <span class="sp-tag">{UPDATE_WORDS[incident.status]}</span> <span class="sp-tag">{IMPACT_WORDS[incident.impact]}</span> · Affects{' '}
        {incident.components.map((c) => c.name).join(', ')}
      </p>
      <ol class="sp-updates">
        {incident.updates.map((u) => (
          <li class="sp-update" data-status={u.status}>
            <strong>{UPDATE_WORDS[u.status]}</strong> — {u.body}{' '}
            <span class="sp-when">
              <Time ms={u.at} />
            </span>
          </li>
        ))}
      </ol>
    </article>
  );
}

function Maintenance({ item }: { item: PublicMaintenance }) {
  return (
    <article class={`sp-maint sp-maint-${item.status}`} data-maintenance={item.id} data-status={item.status}>
      <h3 class="sp-incident-title">{item.name}</h3>
      <p class="sp-incident-meta">
        <span class="sp-tag">{item.status === 'in_progress' ? 'In progress' : 'Scheduled'}</span> <Time ms={item.scheduledFor} /> – <Time ms={item.scheduledUntil} /> ·
        Affects {item.components.map((c) => c.name).join(', ')}
      </p>
    </article>
  );
}

function PastIncidents({ incidents, now }: { incidents: PublicIncident[]; now: number }) {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const days = Array.from({ length: RECENT_INCIDENT_DAYS }, (_, i) => today - i * DAY_MS);
  return (
    <section class="sp-section" aria-labelledby="sp-past">
      <h2 id="sp-past">Past incidents</h2>
      {days.map((start) => {
        const those = incidents.filter((i) => i.createdAt >= start && i.createdAt < start + DAY_MS);
        return (
          <section class="sp-day" aria-label={day(start)}>
            <h3 class="sp-day-head">
              <time datetime={day(start)}>{day(start)}</time>
            </h3>
            {those.length ? those.map((i) => <Incident incident={i} heading="h4" />) : <p class="muted">No incidents reported.</p>}
          </section>
        );
      })}
    </section>
  );
}

/** The public status page: no sign-in, no script, nothing the page does not list. */
export function StatusPageView({ status, base }: { status: PublicStatus; base: string }) {
  const banner = indicatorLook(status.indicator, status.description);
  const active = status.incidents.filter((i) => i.status !== 'resolved');
  const past = status.incidents.filter((i) => i.status === 'resolved');
  return (
    <Layout title={status.page.title} bodyClass="sp-body">
      <div class="sp">
        <header class="sp-head">
          <h1>{status.page.title}</h1>
          {status.page.marking ? <p class="sp-marking"><MarkingBadge marking={status.page.marking} /></p> : null}
          {status.page.description ? <p class="sp-desc">{status.page.description}</p> : null}
          <p class="sp-links">
            <a href={`${base}/feed.atom`}>Incident feed (Atom)</a> · <a href={`${base}/summary.json`}>summary.json</a> ·{' '}
            <a href={`${base}/badge.svg`}>Status badge</a>
          </p>
        </header>

        <section class={`sp-banner sp-ind-${banner.cls}`} data-indicator={status.indicator} aria-label="Overall status">
          <span class="sp-banner-sym" aria-hidden="true">
            {banner.symbol}
          </span>
          <span class="sp-banner-text">{status.description}</span>
          <span class="sp-banner-time">
            Updated <Time ms={status.generatedAt} />
          </span>
        </section>

        {active.length ? (
          <section class="sp-section" aria-labelledby="sp-active">
            <h2 id="sp-active">Active incidents</h2>
            {active.map((i) => (
              <Incident incident={i} heading="h3" />
            ))}
          </section>
        ) : null}

        {status.maintenance.length ? (
          <section class="sp-section" aria-labelledby="sp-maint">
            <h2 id="sp-maint">Maintenance</h2>
            {status.maintenance.map((m) => (
              <Maintenance item={m} />
            ))}
          </section>
        ) : null}

        <section class="sp-section" aria-labelledby="sp-components">
          <h2 id="sp-components">Components</h2>
          <p class="muted sp-legend">
            Uptime over the last {UPTIME_DAYS} days, one bar per day (UTC). Bars:{' '}
            <span class="sp-key sp-key-ok">at least 99.9 %</span> <span class="sp-key sp-key-minor">99–99.9 %</span>{' '}
            <span class="sp-key sp-key-partial">95–99 %</span> <span class="sp-key sp-key-major">below 95 %</span>{' '}
            <span class="sp-key sp-key-nodata">no data</span>
          </p>
          {status.components.length ? (
            <ul class="sp-comps sp-top">
              {status.layout.map((entry) => ('group' in entry ? <Group group={entry.group} /> : <Component component={entry.component} heading="h3" />))}
            </ul>
          ) : (
            <p class="muted">This page lists no components yet.</p>
          )}
        </section>

        {status.page.showIncidents ? <PastIncidents incidents={past} now={status.generatedAt} /> : null}

        <footer class="sp-foot muted">
          Times are UTC. Statuses:{' '}
          {(['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const).map((s) => (
            <span class={`sp-status sp-st-${s}`}>
              <span class="sp-sym" aria-hidden="true">
                {STATUS_SYMBOLS[s]}
              </span>
              {STATUS_WORDS[s]}{' '}
            </span>
          ))}
          . Powered by coopwatch.
        </footer>
      </div>
    </Layout>
  );
}

export function StatusNotFound() {
  return (
    <Layout title="No such status page">
      <div class="sp">
        <h1>No such status page</h1>
        <p>There is no public status page at this address.</p>
      </div>
    </Layout>
  );
}
