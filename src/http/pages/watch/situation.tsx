// The lines at the top of the watch floor: counts, running drills, and what is not up.
import type { WatchDrill } from '../../../core/services/read-models/watch-drills.js';
import type { WatchAsset, WatchFloorData } from '../../../core/services/read-models/watch-floor.js';
import { clock, relative } from './format.js';
import { Status } from './status.js';

export function Summary({ data, assets }: { data: WatchFloorData; assets: WatchAsset[] }) {
  const fnCount = (s: string) => data.functions.filter((f) => f.status === s).length;
  const assetCount = (s: string) => assets.filter((a) => a.status === s).length;
  const unacked = data.incidents.filter((i) => !i.acknowledgedAt).length;
  return (
    <p class="summary" id="wf-summary">
      <span class="sum-group">
        Functions: <span class="status s-operational">{fnCount('operational')} operational</span>{' '}
        <span class="status s-degraded">{fnCount('degraded')} degraded</span> <span class="status s-lost">{fnCount('lost')} lost</span>
      </span>
      <span class="sum-group">
        Assets: <span class="status s-up">{assetCount('up')} up</span> <span class="status s-degraded">{assetCount('degraded')} degraded</span>{' '}
        {assetCount('flapping') ? <span class="status s-flapping">{assetCount('flapping')} flapping</span> : null}
        <span class="status s-down">{assetCount('down')} down</span>
        {assetCount('unknown') ? <span class="status s-unknown">{assetCount('unknown')} unknown</span> : null}
        {assetCount('maintenance') ? <span class="status s-maintenance">{assetCount('maintenance')} in maintenance</span> : null}
      </span>
      <span class="sum-group">
        Open incidents: <strong>{data.incidents.length}</strong>
        {unacked ? ` (${unacked} not acknowledged)` : ''}
      </span>
    </p>
  );
}

export function DrillBanner({ drill, now }: { drill: WatchDrill; now: number }) {
  return (
    <div class="drill-banner" data-drill-run={String(drill.runId)} role="status">
      <span class="drill-what">
        Drill in progress, not a real outage: {drill.drillName}
        {drill.drillName.toLowerCase().includes(drill.mode) ? '' : ` (${drill.mode})`}
      </span>
      <span class="drill-detail">
        Targets: {drill.targets.map((t) => t.name).join(', ') || 'none'}
        {drill.functionNames.length ? ` · functions: ${drill.functionNames.join(', ')}` : ''} · phase {drill.phase.replace('_', ' ')}
        {drill.startedAt !== null ? ` · started ${clock(drill.startedAt)} (${relative(drill.startedAt, now)})` : ''} · run {drill.runId}
      </span>
    </div>
  );
}

/** The assets that are not up, named, so a glance across the room finds them without scrolling. */
export function Attention({ assets }: { assets: WatchAsset[] }) {
  const order = { down: 0, flapping: 1, degraded: 2, maintenance: 3 } as Record<string, number>;
  const notUp = assets.filter((a) => a.status in order).sort((a, b) => order[a.status]! - order[b.status]! || a.name.localeCompare(b.name));
  if (!notUp.length) return <p class="attention muted">No asset is down, flapping, degraded or in maintenance.</p>;
  return (
    <p class="attention">
      <span class="attention-label">Not up:</span>{' '}
      {notUp.map((a) => (
        <span class={`attention-item st-${a.status}`}>
          <Status status={a.status} /> {a.name}
          {a.drillRunId !== null ? ' (drill)' : ''}
        </span>
      ))}
    </p>
  );
}
