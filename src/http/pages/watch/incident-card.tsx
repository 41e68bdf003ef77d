import { INCIDENT_UPDATE_STATUSES } from '../../../core/domain/enums.js';
import { roleAtLeast } from '../../../core/domain/roles.js';
import type { SessionInfo } from '../../../core/services/sessions.js';
import type { WatchIncident } from '../../../core/services/read-models/watch-floor.js';
import { clock, dayAndClock, relative } from './format.js';
import { MarkingBadge } from '../marking.js';

/** The longest incident update the form takes. */
export const MAX_MESSAGE = 2000;

/** An open incident, with acknowledge and update forms for an officer. */
export function IncidentCard({ incident, session, now }: { incident: WatchIncident; session: SessionInfo; now: number }) {
  const canAct = roleAtLeast(session.actor.role, 'officer');
  const id = incident.id;
  const opened = Date.parse(incident.openedAt);
  return (
    <li class={`incident sev-${incident.severity}`} id={`incident-${id}`} data-incident={String(id)}>
      <h3 class="incident-title">{incident.title}</h3>
      <p class="incident-meta">
        <span class={`severity sev-${incident.severity}`}>{incident.severity}</span> <MarkingBadge marking={incident.marking} /> · opened{' '}
        <time datetime={incident.openedAt}>{dayAndClock(opened, now)}</time> ({relative(opened, now)})
        {incident.assetName ? ` · cause: ${incident.assetName}` : ''}
      </p>
      {incident.functionNames.length ? <p class="incident-functions">Affects: {incident.functionNames.join(', ')}</p> : null}
      {incident.symptoms.length ? (
        <p class="incident-symptoms" data-symptoms={String(incident.symptoms.length)}>
          Also down because of it (not paged separately): {incident.symptoms.join(', ')}
        </p>
      ) : null}
      <p class="incident-ack">
        {incident.acknowledgedAt ? (
          <span class="acked">✔ Acknowledged by {incident.acknowledgedBy ?? 'someone'} at {clock(Date.parse(incident.acknowledgedAt))}</span>
        ) : (
          <span class="unacked">● Not acknowledged</span>
        )}
      </p>
      {incident.latestUpdate ? (
        <p class="incident-update">
          <span class={`visibility visibility-${incident.latestUpdate.visibility}`}>
            {incident.latestUpdate.visibility === 'public' ? 'Public' : 'Internal'}
          </span>{' '}
          <strong>{incident.latestUpdate.status}</strong>: {incident.latestUpdate.message}{' '}
          <span class="muted">
            — {incident.latestUpdate.author}, {clock(incident.latestUpdate.at)}
            {incident.updateCount > 1 ? ` (${incident.updateCount} updates)` : ''}
          </span>
        </p>
      ) : null}
      {canAct ? (
        <div class="incident-actions">
          {incident.acknowledgedAt ? null : (
            <form method="post" action={`/incidents/${id}/ack`} class="ack-form">
              <input type="hidden" name="_csrf" value={session.csrf} />
              <button type="submit" id={`ack-${id}`} class="primary">
                Acknowledge
              </button>
            </form>
          )}
          <form method="post" action={`/incidents/${id}/updates`} class="update-form">
            <input type="hidden" name="_csrf" value={session.csrf} />
            <label for={`update-status-${id}`}>Status</label>
            <select id={`update-status-${id}`} name="status">
              {INCIDENT_UPDATE_STATUSES.map((s) => (
                <option value={s} selected={s === (incident.latestUpdate?.status ?? 'investigating')}>
                  {s}
                </option>
              ))}
            </select>
            <label for={`update-message-${id}`}>Update</label>
            <input id={`update-message-${id}`} name="message" type="text" required maxlength={MAX_MESSAGE} autocomplete="off" />
            <fieldset class="update-visibility">
              <legend>Who sees it</legend>
              <label>
                <input type="radio" name="visibility" value="internal" id={`update-internal-${id}`} checked /> Internal (officers only)
              </label>
              <label>
                <input type="radio" name="visibility" value="public" id={`update-public-${id}`} /> Public (status pages and feeds)
              </label>
            </fieldset>
            <button type="submit" id={`update-${id}`}>
              Add update
            </button>
          </form>
        </div>
      ) : null}
    </li>
  );
}
