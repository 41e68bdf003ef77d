// Allies' shared functions and assets on our watch floor: read-only tiles naming their owner, with
// a staleness mark when the feed has gone quiet, and drills shown as drills.
import type { AlliedPicture } from '../../../core/services/allied.js';
import { MarkingBadge } from '../marking.js';
import { dayAndClock } from './format.js';
import { Status } from './status.js';

type Source = AlliedPicture['sources'][number];

function Staleness({ source, now }: { source: Source; now: number }) {
  if (!source.stale) return <span class="muted">live</span>;
  const since = source.lastSuccessAt ? `no news since ${dayAndClock(Date.parse(source.lastSuccessAt), now)}` : 'never reached';
  return <span class="stale-mark" data-role="stale">STALE: {since}</span>;
}

export function AlliedTiles({ allied, now }: { allied: AlliedPicture; now: number }) {
  if (!allied.sources.length) return null;
  return (
    <section class="wf-allied" aria-labelledby="h-allied">
      <h2 id="h-allied">Allied (read-only)</h2>
      {allied.sources.map((source) => (
        <div data-allied-source={source.name} data-stale={String(source.stale)}>
          <p>
            <strong>{source.name}</strong> · <Staleness source={source} now={now} />
          </p>
          <ul class="tiles">
            {source.items.map((item) => (
              <li class={`tile allied-tile st-${item.status}`} data-subject={`allied-${item.kind}`} data-key={item.key} data-status={item.status} data-drill={String(item.drill)}>
                <div class="tile-head">
                  <h3 class="tile-name">{item.name}</h3>
                  <span class="tier">{item.kind === 'function' ? 'function' : 'asset'}</span>
                </div>
                <div class="tile-state">
                  <Status status={item.status} /> {item.drill ? <span class="drill-tag">DRILL</span> : null}
                </div>
                <p class="tile-owner muted">Owner: {source.name} · <MarkingBadge marking={item.marking} /></p>
              </li>
            ))}
          </ul>
          {source.events.some((e) => e.drill) ? (
            <ul class="allied-drills">
              {source.events.filter((e) => e.drill).slice(0, 5).map((e) => (
                <li data-allied-drill={e.type}>
                  <span class="drill-tag">DRILL</span> {source.name}: {e.type} {typeof e.data.drillName === 'string' ? e.data.drillName : ''} at {dayAndClock(Date.parse(e.at), now)}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ))}
    </section>
  );
}
