import type { WatchFunction } from '../../../core/services/read-models/watch-floor.js';
import { dayAndClock } from './format.js';
import { DrillTag, Status } from './status.js';
import { MarkingBadge } from '../marking.js';

/** "Positioning/navigation monitoring" may wrap after the slash rather than mid-word. */
function breakAfterSlashes(name: string) {
  return name.split('/').flatMap((part, i) => (i ? ['/', <wbr />, part] : [part]));
}

const spares = (n: number) => (n === 1 ? 'one spare' : `${n} spares`);

/** Who would take the function down alone, in words a watch officer reads at a glance. */
function SinglePoints({ fn }: { fn: WatchFunction }) {
  if (fn.sparesLeft === null || fn.continuity === null) return <p class="spof muted" data-role="spof">No dependencies recorded</p>;
  if (fn.sparesLeft < 0) return <p class="spof spof-below" data-role="spof" data-continuity={fn.continuity}>Spares {fn.continuity}: below what it needs</p>;
  if (fn.sparesLeft > 0) {
    return <p class="spof muted" data-role="spof" data-continuity={fn.continuity}>Spares {fn.continuity}: {spares(fn.sparesLeft)} left, no single point of failure</p>;
  }
  return (
    <p class="spof spof-named" data-role="spof" data-continuity={fn.continuity}>
      Spares N: none left; single point{fn.singlePointsOfFailure.length > 1 ? 's' : ''} of failure{' '}
      {fn.singlePointsOfFailure.map((m, i) => [i ? ', ' : '', <strong data-spof={m.key}>{m.name || m.key}</strong>])}
    </p>
  );
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
      <MarkingBadge marking={fn.marking} />
      <div class="tile-state">
        <Status status={fn.status} />
        <span class={`redundancy r-${fn.redundancy}`} data-role="redundancy">
          Redundancy: <strong>{fn.redundancy}</strong>
        </span>
        <DrillTag runId={fn.drillRunId} />
      </div>
      <SinglePoints fn={fn} />
      {short.length ? (
        <ul class="groups">
          {short.map((g) => (
            <li class={g.available < g.k ? 'g-below' : g.available === g.k ? 'g-spof' : 'g-short'}>
              {g.name}: {g.available} of {g.n} available, needs {g.k}
            </li>
          ))}
        </ul>
      ) : fn.groups.length ? (
        <p class="groups">
          {fn.groups.length === 1 ? 'Its one group is' : `All ${fn.groups.length} groups are`} at full strength
        </p>
      ) : null}
      {fn.groups.length ? (
        <details class="members">
          <summary>Members</summary>
          {fn.groups.map((g) => (
            <div class="member-group" data-group={g.name}>
              <span class="muted">{g.name} ({g.continuity}, needs {g.k} of {g.n}):</span>
              <ul>
                {g.members.map((m) => (
                  <li data-member={m.key} data-status={m.status}>
                    {m.name || m.key} — <span class={`m-${m.status}`}>{m.status}</span>{m.singlePointOfFailure ? <strong> · SPOF</strong> : null}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </details>
      ) : null}
      <p class="tile-foot muted">
        RTO {Math.round(fn.rtoSeconds / 60)} min{fn.since ? ` · since ${dayAndClock(Date.parse(fn.since), now)}` : ''}
        {fn.commonModeRisks ? ` · ${fn.commonModeRisks} common-mode risk${fn.commonModeRisks > 1 ? 's' : ''}` : ''}
      </p>
    </li>
  );
}
