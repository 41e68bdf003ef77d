import type { WatchVantage } from '../../../core/services/read-models/watch-vantages.js';
import { isoTimeOf, relative } from './format.js';
import { ColumnHeads, Status } from './status.js';

/** When a vantage last reported: central is the service itself; a pending agent never has. */
export function LastSeen({ vantage, now }: { vantage: Pick<WatchVantage, 'kind' | 'lastSeenAt'>; now: number }) {
  if (vantage.kind === 'central') return <span class="muted">this service</span>;
  if (vantage.lastSeenAt === null) return <span class="muted">never reported</span>;
  return <time datetime={isoTimeOf(vantage.lastSeenAt)}>{relative(vantage.lastSeenAt, now)}</time>;
}

/** A vantage's health in words: a lost one says so, and that its votes no longer count. */
export function VantageHealth({ status }: { status: WatchVantage['status'] }) {
  return (
    <>
      <Status status={status} />
      {status === 'lost' ? <strong class="vantage-lost"> LOST: its votes do not count</strong> : null}
    </>
  );
}

/** Every place that probes, with its health and how many checks it runs. */
export function Vantages({ vantages, now }: { vantages: WatchVantage[]; now: number }) {
  const lost = vantages.filter((v) => v.status === 'lost').length;
  return (
    <section class="wf-vantages" aria-labelledby="h-vantages">
      <h2 id="h-vantages">
        Vantages <span class="muted">({vantages.length}{lost ? `, ${lost} lost` : ''})</span>
      </h2>
      <table class="vantages">
        <ColumnHeads columns={['Vantage', 'Kind', 'Status', 'Last seen', ['Checks', 'num']]} />
        <tbody>
          {vantages.map((v) => (
            <tr class={`vantage-row st-${v.status}`} data-vantage={v.name} data-status={v.status}>
              <th scope="row">{v.name}</th>
              <td>{v.kind}</td>
              <td>
                <VantageHealth status={v.status} />
              </td>
              <td>
                <LastSeen vantage={v} now={now} />
              </td>
              <td class="num">{v.checks}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
