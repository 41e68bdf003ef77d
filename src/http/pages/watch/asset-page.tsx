// One asset (`/asset/{key}`): its state, its checks, and for each check run from several
// vantages a table of votes — what each vantage sees, since when, and whether it still counts.
import type { AssetPageData } from '../../../core/services/read-models/asset-page.js';
import type { AssetCheckVotes } from '../../../core/services/read-models/watch-vantages.js';
import { dayAndClock, isoTimeOf, relative } from './format.js';
import { ColumnHeads, Status } from './status.js';
import { LastSeen, VantageHealth } from './vantages.js';
import { MarkingBadge } from '../marking.js';

export function AssetDetail({ data }: { data: AssetPageData }) {
  const { asset, now } = data;
  return (
    <div class="asset-page" data-subject="asset" data-key={asset.key} data-status={asset.status}>
      <h1>{asset.name}</h1>
      <p>
        <Status status={asset.status} />
        {asset.since !== null ? (
          <span class="muted">
            {' '}since <time datetime={isoTimeOf(asset.since)}>{dayAndClock(asset.since, now)}</time>
          </span>
        ) : null}
        {asset.reason ? <span data-role="reason"> — {asset.reason}</span> : null}
      </p>
      <p class="muted">
        {asset.kind.replace(/_/g, ' ')}
        {asset.region ? ` · ${asset.region}` : ''} · key <code>{asset.key}</code> · <MarkingBadge marking={asset.marking} />
      </p>
      <section aria-labelledby="h-checks">
        <h2 id="h-checks">Checks ({data.checks.length})</h2>
        {data.checks.length ? (
          <table class="votes" id="checks">
            <ColumnHeads columns={['Check', 'Kind', 'Status', 'Runs from', 'Message']} />
            <tbody>
              {data.checks.map((c) => (
                <tr data-subject="check" data-key={c.key} data-status={c.status ?? 'unknown'}>
                  <th scope="row">{c.key}</th>
                  <td>{c.kind}</td>
                  <td>{c.enabled ? <Status status={c.status ?? 'unknown'} /> : <span class="muted">disabled</span>}</td>
                  <td>{c.vantages ? `${c.vantages.join(', ')} (quorum ${c.quorum ?? 'a majority'})` : 'central'}</td>
                  <td>{c.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">No checks watch this asset.</p>
        )}
      </section>
      {data.votes.map((check) => (
        <CheckVotes check={check} now={now} />
      ))}
    </div>
  );
}

/** Each vantage's view of one check, with the vantage's own health (a lost vantage's vote does not count). */
function CheckVotes({ check, now }: { check: AssetCheckVotes; now: number }) {
  const headingId = `h-votes-${check.checkKey}`;
  return (
    <section aria-labelledby={headingId} class="check-votes" data-check={check.checkKey}>
      <h2 id={headingId}>
        Votes on {check.checkKey}: <Status status={check.status ?? 'unknown'} />
      </h2>
      <p class="muted">
        Down only when {check.quorum ?? 'a majority'} of {check.vantages.length} vantages see it down
        {check.message ? <>; now: {check.message}</> : null}.
      </p>
      <table class="votes">
        <ColumnHeads columns={['Vantage', 'Sees', 'Since', 'Vantage health', 'Last seen']} />
        <tbody>
          {check.votes.map((v) => (
            <tr data-vantage={v.vantage} data-status={v.status} data-health={v.health?.status ?? 'unknown'}>
              <th scope="row">{v.vantage}</th>
              <td>
                <Status status={v.status} />
                {v.message ? <span class="muted"> {v.message}</span> : null}
              </td>
              <td>{v.at === null ? <span class="muted">no result yet</span> : <time datetime={isoTimeOf(v.at)}>{dayAndClock(v.at, now)} ({relative(v.at, now)})</time>}</td>
              <td>{v.health ? <VantageHealth status={v.health.status} /> : <span class="muted">no such vantage</span>}</td>
              <td>{v.health ? <LastSeen vantage={v.health} now={now} /> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
