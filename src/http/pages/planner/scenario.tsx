import type { Context } from 'hono';
import { listDrills } from '../../../core/services/drills.js';
import { assessSavedScenario, getScenario } from '../../../core/services/scenarios.js';
import { pageContext, type PageEnv } from '../session.js';
import { Badge, PlannerPage, RtoMet } from './components.js';
import { assetPlaces } from '../../../core/services/read-models/planner.js';
import { durationSeconds, REDUNDANCY_WORDS } from './format.js';
import { utc } from '../format.js';
import { ImpactLegend, ImpactMap, type MapImpact, type MapLine, type MapPoint } from './map.js';
import { scenarioSummary } from './overview.js';
import { loadDetailedLand } from './coastline.js';
import type { IntensityClass } from '../../../core/domain/scenarios.js';
import { VisibilityImpact } from './visibility.js';
import { MarkingBadge } from '../marking.js';

const IMPACT_RANK: Record<string, number> = { down: 0, degraded: 1, none: 2 };
const STATUS_RANK: Record<string, number> = { lost: 0, degraded: 1, operational: 2 };
const CAUSE_WORDS: Record<string, string> = {
  scenario: 'hit together by this scenario',
  equipment: 'same equipment (vendor, model, firmware)',
  management_network: 'same management network',
  grid_region: 'same grid region (one regional blackout darkens all)',
  fault_zone: 'same fault zone (one earthquake shakes all)',
};

/** "48 h → 60 h", "0 h → 60 h", "12 h → no end given". */
const hoursWindow = (w: { fromHours: number; untilHours: number | null } | null) =>
  w === null ? '—' : `${w.fromHours} h → ${w.untilHours === null ? 'no end given' : `${w.untilHours} h`}`;

type Assessment = Awaited<ReturnType<typeof assessSavedScenario>>;
type AssessedAsset = Assessment['assets'][number];
type AssessedFunction = Assessment['functions'][number];
type Place = Awaited<ReturnType<typeof assetPlaces>>[number];
type Quake = { lat: number; lon: number; mw: number; depthKm: number };

export async function scenarioPage(c: Context<PageEnv>, id: number) {
  const ctx = pageContext(c);
  const scenario = await getScenario(ctx, id);
  const [assessment, places, drills] = await Promise.all([assessSavedScenario(ctx, id, true), assetPlaces(ctx.db), listDrills(ctx), loadDetailedLand()]);
  const placeById = new Map(places.map((p) => [p.id, p]));
  const nameOf = (assetId: number) => placeById.get(assetId)?.name ?? `asset ${assetId}`;

  const hit = assessment.assets
    .filter((a) => a.impact !== 'none')
    .sort((a, b) => IMPACT_RANK[a.impact]! - IMPACT_RANK[b.impact]! || (b.intensity ?? 0) - (a.intensity ?? 0) || a.name.localeCompare(b.name));
  const number = new Map(hit.map((a, i) => [a.assetId, i + 1]));
  const impactOf = new Map(assessment.assets.map((a) => [a.assetId, a]));
  const quake = scenario.kind === 'earthquake' ? (scenario.params as Quake) : null;
  const notCovered = new Set((assessment.shakemap?.notCovered ?? []).map((a) => a.assetId));
  const { points, lines } = mapGeometry(places, impactOf, number, notCovered);
  const counts: Record<MapImpact, number> = {
    down: assessment.summary.assetsDown,
    degraded: assessment.summary.assetsDegraded,
    none: assessment.assets.filter((a) => a.impact === 'none').length,
  };
  const unplaced = hit.filter((a) => {
    const p = placeById.get(a.assetId);
    return !p || (p.kind === 'network_link' ? !lines.some((l) => l.id === a.assetId) : p.lat === null || p.lon === null);
  });

  const fns = [...assessment.functions].sort(
    (a, b) => Number(b.affected) - Number(a.affected) || STATUS_RANK[a.status]! - STATUS_RANK[b.status]! || a.name.localeCompare(b.name),
  );
  const affectedFns = fns.filter((f) => f.affected || f.status !== 'operational');
  const untouched = fns.filter((f) => !(f.affected || f.status !== 'operational'));
  const usedBy = drills.filter((d) => d.scenarioId === id);

  return c.html(
    <PlannerPage
      title={scenario.name}
      session={c.get('session')}
      crumbs={[{ href: '/planner', label: 'Planner' }, { href: '/planner#scenarios-h', label: 'Scenarios' }, { label: scenario.name }]}
    >
      <h1>
        What-if: {scenario.name} <span class="pl-kind">{scenario.kind.replace(/_/g, ' ')}</span>
      </h1>
      <p><MarkingBadge marking={scenario.marking} /></p>
      <p class="pl-whatif-note">
        A what-if assessment against the current inventory, computed {utc(assessment.assessedAt)}. <strong>Nothing live was touched</strong>: no
        asset was taken down and no one was paged.
      </p>
      {scenario.description ? <p>{scenario.description}</p> : null}
      <p class="muted">Parameters: {scenarioSummary(scenario.kind, scenario.params)}</p>
      {assessment.shakemap ? <ShakeMapNote shakemap={assessment.shakemap} nameOf={nameOf} /> : null}

      <ul class="pl-summary" aria-label="Summary">
        <li><strong>{assessment.summary.assetsDown}</strong> assets down</li>
        <li><strong>{assessment.summary.assetsDegraded}</strong> assets degraded</li>
        <li><strong>{assessment.summary.functionsLost}</strong> functions lost</li>
        <li><strong>{assessment.summary.functionsDegraded}</strong> functions degraded</li>
        <li class={assessment.summary.rtoBreaches ? 'pl-summary-bad' : ''}><strong>{assessment.summary.rtoBreaches}</strong> RTO breaches</li>
        <li><strong>{assessment.summary.rtoUnknown}</strong> functions whose failover no drill has measured</li>
        <li><strong>{assessment.alternatesAlsoHit.length}</strong> functions whose alternates are also hit</li>
        {assessment.vantagesDown.length ? <li><strong>{assessment.summary.functionsUnseen}</strong> functions that lose visibility</li> : null}
      </ul>
      <AffectedAssets
        scenarioName={scenario.name} counts={counts} quake={quake} points={points} lines={lines} unplaced={unplaced} hit={hit} number={number} notCovered={notCovered.size}
      />

      <FunctionImpact scenarioName={scenario.name} affectedFns={affectedFns} untouched={untouched} />

      <VisibilityImpact assessment={assessment} assetName={(key) => places.find((p) => p.key === key)?.name ?? key} />

      <CommonMode findings={assessment.commonMode} nameOf={nameOf} />

      <DrillsUsing drills={usedBy} />
    </PlannerPage>,
  );
}

/** The places as map dots and link lines, labelled with their number in the table. */
function mapGeometry(places: Place[], impactOf: Map<number, AssessedAsset>, number: Map<number, number>, notCovered: Set<number>): { points: MapPoint[]; lines: MapLine[] } {
  const placeById = new Map(places.map((p) => [p.id, p]));
  const points: MapPoint[] = [];
  const lines: MapLine[] = [];
  for (const place of places) {
    const a = impactOf.get(place.id);
    const impact = (a?.impact ?? 'none') as MapImpact;
    const n = number.get(place.id);
    const detail = a && (a.impact !== 'none' || notCovered.has(place.id)) ? a.reason : undefined;
    const intensityClass = a?.intensityClass as IntensityClass | undefined;
    if (place.kind === 'network_link') {
      const from = place.linkFromAssetId === null ? undefined : placeById.get(place.linkFromAssetId);
      const to = place.linkToAssetId === null ? undefined : placeById.get(place.linkToAssetId);
      if (from?.lat != null && from.lon != null && to?.lat != null && to.lon != null) {
        lines.push({
          id: place.id, name: place.name, from: { lat: from.lat, lon: from.lon }, to: { lat: to.lat, lon: to.lon }, impact, detail, intensityClass,
          label: n === undefined ? undefined : `${n}${a?.intensityClass ? ` · ${a.intensityClass}` : ''}`,
        });
      }
      continue;
    }
    if (place.lat === null || place.lon === null) continue;
    points.push({
      id: place.id, name: place.name, lat: place.lat, lon: place.lon, impact, detail, intensityClass, notCovered: notCovered.has(place.id),
      label: n === undefined ? undefined : `${n}${a?.intensityClass ? ` · ${a.intensityClass}` : ''}`,
    });
  }
  return { points, lines };
}

/** Where the shaking comes from when a ShakeMap is attached, and which assets it does not cover. */
function ShakeMapNote({ shakemap, nameOf }: { shakemap: NonNullable<Assessment['shakemap']>; nameOf: (assetId: number) => string }) {
  const { event, grid } = shakemap;
  const what = [event.description, event.magnitude !== null ? `M ${event.magnitude}` : null, event.timestamp].filter(Boolean).join(', ');
  return (
    <div class="pl-shakemap" id="shakemap">
      <p>
        <strong>Shaking from USGS ShakeMap {shakemap.eventId}</strong>{what ? ` (${what})` : ''}, not from the model: PGV read at each asset
        between the grid points ({grid.lonMin}° to {grid.lonMax}° E, {grid.latMin}° to {grid.latMax}° N), turned into JMA intensity.
      </p>
      {shakemap.notCovered.length ? (
        <p>
          <strong>Not covered</strong> (outside the grid: shaking unknown, not “unaffected”): {shakemap.notCovered.map((a) => `${nameOf(a.assetId)}${a.coverage === 'partial' ? ' (one end)' : ''}`).join(', ')}.
        </p>
      ) : <p class="muted">Every located asset lies inside the grid.</p>}
    </div>
  );
}

function AffectedAssets(props: {
  scenarioName: string;
  counts: Record<MapImpact, number>;
  quake: Quake | null;
  points: MapPoint[];
  lines: MapLine[];
  unplaced: AssessedAsset[];
  hit: AssessedAsset[];
  number: Map<number, number>;
  notCovered: number;
}) {
  const { counts, quake, points, lines, unplaced, hit, number } = props;
  return (
    <section aria-labelledby="map-h">
      <h2 id="map-h">Affected assets on the map</h2>
      <div class="pl-map-wrap">
        <ImpactMap
          id="scenario-map"
          title={`Map of assets affected by ${props.scenarioName}`}
          description={`${counts.down} assets down and ${counts.degraded} degraded; numbers next to the dots refer to the table below${quake ? ', with the estimated JMA intensity class, also the fill colour; the cross in a ring marks the epicentre' : ''}${props.notCovered ? `; ${props.notCovered} assets outside the ShakeMap are marked with a question mark` : ''}.`}
          points={points}
          lines={lines}
          marker={quake ? { lat: quake.lat, lon: quake.lon, label: `Epicentre Mw ${quake.mw}, ${quake.depthKm} km deep` } : null}
        />
        <ImpactLegend
          counts={counts}
          extra={quake ? 'Labels: table number · estimated JMA intensity class (a line leads to a label set apart). Ringed cross: epicentre.' : 'Labels: the number of the asset in the table below.'}
          intensity={quake !== null}
          notCovered={props.notCovered}
        />
      </div>
      {unplaced.length ? <p class="muted">Not on the map (no location): {unplaced.map((a) => a.name).join(', ')}.</p> : null}

      <div class="pl-scroll">
        <table class="pl-table" id="affected-assets">
          <caption>Affected assets ({hit.length})</caption>
          <thead>
            <tr>
              <th scope="col">#</th><th scope="col">Asset</th><th scope="col">Kind</th><th scope="col">Impact</th>
              {quake ? <><th scope="col">Intensity (JMA)</th><th scope="col">Distance</th></> : null}
              <th scope="col">Reason</th><th scope="col">Down (from → until)</th><th scope="col">Recovery</th>
            </tr>
          </thead>
          <tbody>
            {hit.length ? (
              hit.map((a) => (
                <tr data-key={a.assetKey} data-impact={a.impact}>
                  <td>{number.get(a.assetId)}</td>
                  <th scope="row">{a.name}</th>
                  <td>{a.kind.replace(/_/g, ' ')}</td>
                  <td><Badge kind={a.impact} /></td>
                  {quake ? (
                    <>
                      <td>{a.intensityClass ? <><strong>{a.intensityClass}</strong> <span class="muted">({a.intensity?.toFixed(2)})</span></> : '—'}</td>
                      <td>{a.distanceKm === undefined ? '—' : `${Math.round(a.distanceKm)} km`}</td>
                    </>
                  ) : null}
                  <td>{a.reason}</td>
                  <td class="pl-window">{hoursWindow(a.downWindow)}</td>
                  <td>{a.recoveryHours === null ? '—' : `${a.recoveryHours} h`}</td>
                </tr>
              ))
            ) : (
              <tr><td colspan={quake ? 9 : 7}>No asset is affected by this scenario.</td></tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function FunctionImpact({ scenarioName, affectedFns, untouched }: { scenarioName: string; affectedFns: AssessedFunction[]; untouched: AssessedFunction[] }) {
  return (
    <section aria-labelledby="functions-h">
      <h2 id="functions-h">Mission function impact: functions that lose capability</h2>
      <p class="muted">
        Status through the k-of-n dependency graph. Lost: the hours after the scenario starts during which a group is below k (assets run
        out of backup power at different hours). Expected time to fail over: for a lost function, how long it is lost; otherwise the median
        failover measured in drills that really failed over — and <strong>unknown</strong> when no drill has measured it (the RTO is then only
        declared, not shown to hold). Compared with each function's RTO and MTD.
      </p>
      <div class="pl-scroll">
        <table class="pl-table" id="function-impact">
          <caption class="sr-only">Mission function impact of {scenarioName}</caption>
          <thead>
            <tr>
              <th scope="col">Function</th><th scope="col">Status</th><th scope="col">Redundancy</th><th scope="col">Groups (available / n, need k)</th>
              <th scope="col">Alternates also hit</th><th scope="col">Lost (from → until)</th><th scope="col">Expected time to fail over</th><th scope="col">RTO</th><th scope="col">MTD</th>
              <th scope="col">Against RTO</th><th scope="col">MTD margin</th>
            </tr>
          </thead>
          <tbody>
            {affectedFns.map((f) => (
              <tr data-key={f.functionKey} data-status={f.status} class={f.rtoMet === false ? 'pl-row-breach' : undefined}>
                <th scope="row">{f.name} <span class="muted">({f.tier})</span></th>
                <td><Badge kind={f.status} /></td>
                <td>{REDUNDANCY_WORDS[f.redundancy] ?? f.redundancy}</td>
                <td>
                  <ul class="pl-plain pl-groups">
                    {f.groups.map((g) => (
                      <li>{g.name}: {g.available} / {g.n}, need {g.k}{g.available < g.k ? ' ✖' : g.available === g.k ? ' (no spare)' : ''}</li>
                    ))}
                  </ul>
                </td>
                <td>{f.alternatesHit ? <strong class="pl-flag">⚠ yes — the redundancy fails together</strong> : 'no'}</td>
                <td class="pl-window">{hoursWindow(f.lostWindow)}</td>
                <td data-expectation={f.expectation}>{f.expectation === 'unknown' ? <strong>unknown</strong> : durationSeconds(f.expectedSecondsToFailover)}<br /><span class="muted pl-small">{f.basis}</span></td>
                <td>{durationSeconds(f.rtoSeconds)}</td>
                <td>{durationSeconds(f.mtdSeconds)}</td>
                <td>
                  <RtoMet met={f.rtoMet} by={f.rtoMet === false && f.expectedSecondsToFailover !== null ? durationSeconds(f.expectedSecondsToFailover - f.rtoSeconds) : undefined} />
                </td>
                <td>
                  {f.mtdMarginSeconds === null ? '—' : f.mtdMarginSeconds < 0 ? <strong class="pl-flag">✖ MTD exceeded by {durationSeconds(-f.mtdMarginSeconds)}</strong> : durationSeconds(f.mtdMarginSeconds)}
                </td>
              </tr>
            ))}
            {affectedFns.length ? null : <tr><td colspan={11}>No mission function is affected.</td></tr>}
          </tbody>
        </table>
      </div>
      {untouched.length ? (
        <p class="muted">Not affected ({untouched.length}): {untouched.map((f) => f.name).join(', ')}.</p>
      ) : null}
    </section>
  );
}

function CommonMode({ findings, nameOf }: { findings: Assessment['commonMode']; nameOf: (assetId: number) => string }) {
  return (
    <section aria-labelledby="common-h">
      <h2 id="common-h">Common-mode findings ({findings.length})</h2>
      {findings.length ? (
        <ul class="pl-findings" id="common-mode">
          {findings.map((f) => (
            <li>
              <strong>⚠ Group “{f.group}”</strong>
              {' '}of function <code>{f.functionKey}</code>: {CAUSE_WORDS[f.cause] ?? f.cause}
              {f.cause !== 'scenario' ? <> — {f.shared}</> : null}. Members: {f.assetIds.map(nameOf).join(', ')}.
            </li>
          ))}
        </ul>
      ) : (
        <p>✔ No group loses redundant members together under this scenario.</p>
      )}
    </section>
  );
}

function DrillsUsing({ drills }: { drills: Awaited<ReturnType<typeof listDrills>> }) {
  return (
    <section aria-labelledby="drills-h">
      <h2 id="drills-h">Drills using this scenario</h2>
      {drills.length ? (
        <ul>
          {drills.map((d) => (
            <li><span class="drill-tag">DRILL</span> <a href={`/planner/drills/${d.id}`}>{d.name}</a> ({d.exerciseType}, {d.mode})</li>
          ))}
        </ul>
      ) : (
        <p class="muted">No drill exercises this scenario yet.</p>
      )}
    </section>
  );
}
