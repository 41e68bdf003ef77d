import type { WatchFunction } from '../../../core/services/read-models/watch-floor.js';
import { dayAndClock } from './format.js';
import { DrillTag, Status } from './status.js';

/** "Positioning/navigation monitoring" may wrap after the slash rather than mid-word. */
function breakAfterSlashes(name: string) {
  return name.split('/').flatMap((part, i) => (i ? ['/', <wbr />, part] : [part]));
}

export function FunctionTile({ fn, now }: { fn: WatchFunction; now: number }) {
  // Groups at full strength say nothing at a glance; those short of members do.
  const short = fn.groups.filter((g) => g.available < g.n);
  return (
    <li class={`tile st-${fn.status}`} data-subject="function" data-key={fn.key} data-status={fn.status} data-redundancy={fn.redundancy}>
      <div class="tile-head">
        <h3 class="tile-name">{breakAfterSlashes(fn.name)}</h3>
        <span class="tier">{fn.tier}</span>
      </div>
      <div class="tile-state">
        <Status status={fn.status} />
        <span class={`redundancy r-${fn.redundancy}`} data-role="redundancy">
          Redundancy: <strong>{fn.redundancy}</strong>
        </span>
        <DrillTag runId={fn.drillRunId} />
      </div>
      {short.length ? (
        <ul class="groups">
          {short.map((g) => (
            <li class={g.available < g.k ? 'g-below' : g.available === g.k ? 'g-spof' : 'g-short'}>
              {g.name}: {g.available} of {g.n} available, needs {g.k}
            </li>
          ))}
        </ul>
      ) : (
        <p class="groups">
          {fn.groups.length === 1 ? 'Its one group is' : `All ${fn.groups.length} groups are`} at full strength
        </p>
      )}
      <p class="tile-foot muted">
        RTO {Math.round(fn.rtoSeconds / 60)} min{fn.since ? ` · since ${dayAndClock(Date.parse(fn.since), now)}` : ''}
        {fn.commonModeRisks ? ` · ${fn.commonModeRisks} common-mode risk${fn.commonModeRisks > 1 ? 's' : ''}` : ''}
      </p>
    </li>
  );
}
