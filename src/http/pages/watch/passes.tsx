import type { WatchFloorData } from '../../../core/services/read-models/watch-floor.js';
import { isoTimeOf, passTime, relative } from './format.js';

/** The next passes over each ground station with contact checks, and the passes missed lately. */
export function Passes({ data }: { data: WatchFloorData }) {
  return (
    <>
      <PassTable data={data} />
      <MissedContacts data={data} />
    </>
  );
}

/** Passes that ended without a contact (`contact.missed`) in the last day. */
function MissedContacts({ data }: { data: WatchFloorData }) {
  if (!data.missedContacts.length) return null;
  return (
    <ul class="missed-contacts">
      {data.missedContacts.map((m) => (
        <li data-event="contact.missed" data-station={m.stationKey}>
          📡 {m.stationKey} missed its contact with {m.satelliteKey}:{' '}
          <time datetime={isoTimeOf(m.aosMs)}>{passTime(m.aosMs, data.now)}</time>–<time datetime={isoTimeOf(m.losMs)}>{passTime(m.losMs, data.now)}</time> UTC{' '}
          <span class="muted">({relative(m.losMs, data.now)})</span>
        </li>
      ))}
    </ul>
  );
}

function PassTable({ data }: { data: WatchFloorData }) {
  if (!data.passes.length) return <p class="muted">No ground station has contact checks.</p>;
  return (
    <table class="passes">
      <thead>
        <tr>
          <th scope="col">Station</th>
          <th scope="col">Satellite</th>
          <th scope="col">AOS (UTC)</th>
          <th scope="col">LOS (UTC)</th>
          <th scope="col" class="num">Max el.</th>
        </tr>
      </thead>
      <tbody>
        {data.passes.flatMap((station) =>
          station.passes.length
            ? station.passes.map((p, i) => (
                <tr data-station={station.stationKey}>
                  {i === 0 ? (
                    <th scope="row" rowspan={station.passes.length}>
                      {station.stationName}
                    </th>
                  ) : null}
                  <td class="sat" title={p.satelliteName}>
                    {p.satelliteName.replace(/\s*\(.*\)\s*$/, '')}
                  </td>
                  <td>
                    <time datetime={isoTimeOf(p.aosMs)}>{passTime(p.aosMs, data.now)}</time>{' '}
                    <span class="muted">{p.aosMs <= data.now ? '(in progress)' : `(${relative(p.aosMs, data.now)})`}</span>
                  </td>
                  <td>
                    <time datetime={isoTimeOf(p.losMs)}>{passTime(p.losMs, data.now)}</time>
                  </td>
                  <td class="num">{p.maxElevationDeg.toFixed(0)}°</td>
                </tr>
              ))
            : [
                <tr data-station={station.stationKey}>
                  <th scope="row">{station.stationName}</th>
                  <td colspan={4} class="muted">
                    No pass in the next 12 h
                  </td>
                </tr>,
              ],
        )}
      </tbody>
    </table>
  );
}
