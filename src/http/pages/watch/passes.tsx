import type { WatchFloorData } from '../../../core/services/read-models/watch-floor.js';
import { isoTimeOf, passTime, relative } from './format.js';

/** The next passes over each ground station with contact checks. */
export function Passes({ data }: { data: WatchFloorData }) {
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
