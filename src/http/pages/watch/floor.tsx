import type { SessionInfo } from '../../../core/services/sessions.js';
import { watchAssets, type WatchFloorData } from '../../../core/services/read-models/watch-floor.js';
import { AssetTables } from './asset-tables.js';
import { isoTimeOf } from './format.js';
import { FunctionTile } from './function-tile.js';
import { IncidentCard } from './incident-card.js';
import { Passes } from './passes.js';
import { Attention, DrillBanner, Summary } from './situation.js';
import { WorldMap } from './world-map.js';
import { Vantages } from './vantages.js';
import { AlliedTiles } from './allied.js';
import type { AlliedPicture } from '../../../core/services/allied.js';

const TIER_ORDER = { PMEF: 0, MEF: 1, supporting: 2 } as const;

export function WatchFloor({ data, session, allied }: { data: WatchFloorData; session: SessionInfo; allied?: AlliedPicture }) {
  const functions = [...data.functions].sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier] || a.name.localeCompare(b.name));
  const assets = watchAssets(data);
  return (
    <div class="watch-floor" id="watch-floor" data-last-event={String(data.lastEventId)} data-stream="/events/stream">
      <div class="wf-head">
        <h1>Watch floor</h1>
        <Summary data={data} assets={assets} />
        <p class="wf-clock muted">
          As of <time datetime={isoTimeOf(data.now)}>{new Date(data.now).toISOString().slice(11, 19)} UTC</time> ·{' '}
          <span id="live-state" class="live-state">
            live updates starting…
          </span>
        </p>
      </div>
      {data.drills.map((d) => (
        <DrillBanner drill={d} now={data.now} />
      ))}
      <Attention assets={assets} />
      <div class="wf-grid">
        <section class="wf-functions" aria-labelledby="h-functions">
          <h2 id="h-functions">Mission functions</h2>
          {functions.length ? (
            <ul class="tiles">
              {functions.map((fn) => (
                <FunctionTile fn={fn} now={data.now} />
              ))}
            </ul>
          ) : (
            <p class="muted">No mission functions defined.</p>
          )}
        </section>
        <section class="wf-incidents" aria-labelledby="h-incidents">
          <h2 id="h-incidents">Open incidents ({data.incidents.length})</h2>
          {data.incidents.length ? (
            <ul class="incidents">
              {data.incidents.map((i) => (
                <IncidentCard incident={i} session={session} now={data.now} />
              ))}
            </ul>
          ) : (
            <p class="muted">No open incidents.</p>
          )}
        </section>
        <section class="wf-map" aria-labelledby="h-map">
          <h2 id="h-map">World map</h2>
          <WorldMap assets={assets} />
          <p class="map-legend" aria-hidden="true">
            <span class="status s-up">up</span> <span class="status s-degraded">degraded</span> <span class="status s-flapping">flapping</span>{' '}
            <span class="status s-down">down (dashed link)</span>{' '}
            <span class="status s-unknown">unknown</span> <span class="status s-maintenance">maintenance</span>
          </p>
        </section>
        <section class="wf-passes" aria-labelledby="h-passes">
          <h2 id="h-passes">Next satellite passes</h2>
          <Passes data={data} />
        </section>
        <section class="wf-assets" aria-labelledby="h-assets">
          <h2 id="h-assets">Assets</h2>
          <AssetTables assets={assets} />
        </section>
      </div>
      {allied ? <AlliedTiles allied={allied} now={data.now} /> : null}
      <Vantages vantages={data.vantages} now={data.now} />
    </div>
  );
}
