// An equirectangular map drawn as inline SVG: Natural Earth land (coastline.ts), a graticule,
// asset dots and link lines — coloured by impact, or for an earthquake by JMA intensity class —
// each with a shape and a numbered text label too (never colour alone). No tiles, nothing
// fetched. The view frames the affected assets; an inset shows where on Earth.
import type { Child } from 'hono/jsx';
import { JMA_INTENSITY_CLASSES, type IntensityClass } from '../../../core/domain/scenarios.js';
import { landPath, landScaleFor } from './coastline.js';
import { placeLabels } from './map-labels.js';

export type MapImpact = 'down' | 'degraded' | 'none';

export interface MapPoint {
  id: number;
  name: string;
  lat: number;
  lon: number;
  impact: MapImpact;
  /** An earthquake's JMA class here: the dot is filled with its colour. */
  intensityClass?: IntensityClass;
  /** Outside the attached ShakeMap: shaking unknown (a dashed ring with a question mark). */
  notCovered?: boolean;
  /** Drawn next to the dot, e.g. "1 · 6-upper" (the number refers to the table). */
  label?: string;
  /** For the hover title, e.g. "intensity 6-upper at 41 km". */
  detail?: string;
}

export interface MapLine {
  id: number;
  name: string;
  from: { lat: number; lon: number };
  to: { lat: number; lon: number };
  impact: MapImpact;
  intensityClass?: IntensityClass;
  label?: string;
  detail?: string;
}

export interface MapMarker {
  lat: number;
  lon: number;
  label: string;
}

interface View {
  lon0: number;
  lat0: number;
  lonSpan: number;
  latSpan: number;
  /** cos of the middle latitude: a degree of longitude drawn that much shorter than one of latitude. */
  cosLat: number;
}

const WIDTH = 960;
export const IMPACT_COLOURS: Record<MapImpact, string> = { down: '#e5484d', degraded: '#e0a526', none: '#7d8a97' };
export const IMPACT_WORDS: Record<MapImpact, string> = { down: 'Down', degraded: 'Degraded', none: 'Not affected' };

/**
 * JMA's colours for the seismic intensity classes, as on its earthquake information maps since 2012
 * (気象庁「気象庁ホームページにおける気象情報の配色に関する設定指針」): 1 #F2F2FF … 7 #B40068.
 * Class 0 has no JMA colour: grey.
 */
export const JMA_INTENSITY_COLOURS: Record<IntensityClass, string> = {
  '0': '#9aa5b1', '1': '#f2f2ff', '2': '#00aaff', '3': '#0041ff', '4': '#fae696', '5-lower': '#ffe600',
  '5-upper': '#ff9900', '6-lower': '#ff2800', '6-upper': '#a50021', '7': '#b40068',
};
const fillOf = (item: { impact: MapImpact; intensityClass?: IntensityClass }) =>
  item.intensityClass ? JMA_INTENSITY_COLOURS[item.intensityClass] : IMPACT_COLOURS[item.impact];

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const r1 = (n: number) => Math.round(n * 10) / 10;

/** The frame around the focus points: padded, at least a few degrees, about 2:1, inside the world. */
export function frame(points: Array<{ lat: number; lon: number }>): View {
  if (!points.length) return WORLD;
  let lonMin = Math.min(...points.map((p) => p.lon));
  let lonMax = Math.max(...points.map((p) => p.lon));
  let latMin = Math.min(...points.map((p) => p.lat));
  let latMax = Math.max(...points.map((p) => p.lat));
  const padLon = Math.max(1.5, (lonMax - lonMin) * 0.15);
  const padLat = Math.max(1, (latMax - latMin) * 0.15);
  lonMin -= padLon; lonMax += padLon; latMin -= padLat; latMax += padLat;
  const latMid = (latMin + latMax) / 2;
  // Regional views keep shapes true at their middle latitude; wide ones stay plain equirectangular.
  const cosLat = latMax - latMin > 60 ? 1 : Math.max(0.3, Math.cos((latMid * Math.PI) / 180));
  let lonSpan = Math.max(lonMax - lonMin, 6);
  let latSpan = Math.max(latMax - latMin, 3);
  if (lonSpan * cosLat < latSpan * 2) lonSpan = (latSpan * 2) / cosLat;
  else latSpan = (lonSpan * cosLat) / 2;
  if (lonSpan > 360 || latSpan > 180) return WORLD;
  const lonMid = (lonMin + lonMax) / 2;
  const lon0 = clamp(lonMid - lonSpan / 2, -180, 180 - lonSpan);
  const lat0 = clamp(latMid + latSpan / 2, -90 + latSpan, 90);
  return { lon0, lat0, lonSpan, latSpan, cosLat };
}

const WORLD: View = { lon0: -180, lat0: 90, lonSpan: 360, latSpan: 180, cosLat: 1 };

function projector(view: View, width: number) {
  const scale = width / view.lonSpan;
  const yScale = scale / view.cosLat;
  return {
    scale,
    yScale,
    width,
    height: view.latSpan * yScale,
    lonMin: view.lon0 - 1,
    lonMax: view.lon0 + view.lonSpan + 1,
    latMin: view.lat0 - view.latSpan - 1,
    latMax: view.lat0 + 1,
    x: (lon: number) => r1((lon - view.lon0) * scale),
    y: (lat: number) => r1((view.lat0 - lat) * yScale),
  };
}

/** A marker shape per impact: large circle (down), triangle (degraded), small circle (not affected); a dashed ring with "?" where shaking is unknown. */
function Dot(props: { x: number; y: number; impact: MapImpact; fill: string; notCovered?: boolean; hollow?: boolean }) {
  const { x, y, impact, fill } = props;
  if (props.notCovered) {
    return (
      <g>
        <circle cx={x} cy={y} r="7" fill="#0c1a26" stroke="#c3ccd5" stroke-width="1.5" stroke-dasharray="3 2" />
        <text x={x} y={r1(y + 4)} text-anchor="middle" font-size="11" font-weight="700" fill="#e6ebf0">?</text>
      </g>
    );
  }
  if (impact === 'down') return <circle cx={x} cy={y} r="7.5" fill={fill} stroke="#10151b" stroke-width="1.5" />;
  if (impact === 'degraded') return <path d={`M${x} ${r1(y - 8.5)}L${r1(x + 8)} ${r1(y + 6)}L${r1(x - 8)} ${r1(y + 6)}Z`} fill={fill} stroke="#10151b" stroke-width="1.5" />;
  if (props.hollow) return <circle cx={x} cy={y} r="3.5" fill="none" stroke={fill} stroke-width="1.5" />;
  return <circle cx={x} cy={y} r="4" fill={fill} stroke="#10151b" stroke-width="1" />;
}

export interface ImpactMapProps {
  id: string;
  title: string;
  description: string;
  points: MapPoint[];
  lines: MapLine[];
  marker?: MapMarker | null;
  /** Frame these (default: the affected points and lines, else every point). */
  focus?: Array<{ lat: number; lon: number }>;
}

type Projection = ReturnType<typeof projector>;

/** The map with its inset; the legend is HTML beside it (ImpactLegend). Labels left without room are listed under the map. */
export function ImpactMap(props: ImpactMapProps) {
  // Frame the affected sites (and the epicentre); a long link's far end may leave the frame.
  const affectedPoints = props.points.filter((p) => p.impact !== 'none');
  const affectedLinkEnds = props.lines.filter((l) => l.impact !== 'none').flatMap((l) => [l.from, l.to]);
  const sites = affectedPoints.length ? affectedPoints : affectedLinkEnds;
  const marker = props.marker ? [props.marker] : [];
  const focus = props.focus ?? (sites.length ? [...sites, ...marker] : marker.length ? marker : props.points);
  const view = frame(focus);
  const p = projector(view, WIDTH);
  const height = Math.round(p.height);
  const inView = (lat: number, lon: number) => lon >= view.lon0 && lon <= view.lon0 + view.lonSpan && lat <= view.lat0 && lat >= view.lat0 - view.latSpan;
  // Unaffected first so the affected draw on top.
  const points = [...props.points].filter((pt) => inView(pt.lat, pt.lon)).sort((a, b) => rank(a.impact) - rank(b.impact));
  const lines = [...props.lines].sort((a, b) => rank(a.impact) - rank(b.impact));
  const { placed, unplaced } = placeLabels(
    [
      // most important first: the most affected sites, then links at their midpoint, then the epicentre
      ...[...points].reverse().filter((pt) => pt.label).map((pt) => ({ x: p.x(pt.lon), y: p.y(pt.lat), text: pt.label! })),
      ...[...lines].reverse().filter((l) => l.label).map((l) => ({
        x: r1((p.x(l.from.lon) + p.x(shortWay(l.from.lon, l.to.lon))) / 2), y: r1((p.y(l.from.lat) + p.y(l.to.lat)) / 2), text: l.label!,
      })),
      ...(props.marker ? [{ x: p.x(props.marker.lon), y: p.y(props.marker.lat), text: 'Epicentre' }] : []),
    ],
    WIDTH,
    height,
  );
  const titleId = `${props.id}-title`;
  const descId = `${props.id}-desc`;
  const clipId = `${props.id}-clip`;
  return (
    <div class="pl-map">
      <svg class="pl-map-svg" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${titleId} ${descId}`} xmlns="http://www.w3.org/2000/svg">
        <title id={titleId}>{props.title}</title>
        <desc id={descId}>{props.description}</desc>
        <defs>
          <clipPath id={clipId}>
            <rect x="0" y="0" width={WIDTH} height={height} />
          </clipPath>
        </defs>
        <rect x="0" y="0" width={WIDTH} height={height} fill="#0c1a26" />
        <g clip-path={`url(#${clipId})`}>
          <Basemap p={p} view={view} height={height} />
          <g fill="none" stroke-linecap="round">
            {lines.map((l) => (
              <line
                x1={p.x(l.from.lon)} y1={p.y(l.from.lat)} x2={p.x(shortWay(l.from.lon, l.to.lon))} y2={p.y(l.to.lat)}
                stroke={l.impact === 'none' && !l.intensityClass ? IMPACT_COLOURS.none : fillOf(l)} stroke-width={l.impact === 'none' ? 1.2 : 3}
                stroke-dasharray={l.impact === 'degraded' ? '8 5' : l.impact === 'none' ? '2 4' : undefined}
              >
                <title>{`${l.name}: ${IMPACT_WORDS[l.impact]}${l.detail ? ` — ${l.detail}` : ''}`}</title>
              </line>
            ))}
          </g>
          {props.marker ? <EpicentreMarker marker={props.marker} p={p} /> : null}
          <g>
            {points.map((pt) => (
              <g data-asset-id={pt.id} data-impact={pt.impact} data-intensity-class={pt.intensityClass} data-coverage={pt.notCovered ? 'not_covered' : undefined}>
                <Dot x={p.x(pt.lon)} y={p.y(pt.lat)} impact={pt.impact} fill={fillOf(pt)} notCovered={pt.notCovered} hollow={!pt.intensityClass} />
                <title>{`${pt.name}: ${pt.notCovered ? 'not covered by the ShakeMap' : IMPACT_WORDS[pt.impact]}${pt.detail ? ` — ${pt.detail}` : ''}`}</title>
              </g>
            ))}
          </g>
          <g stroke="#e6ebf0" stroke-width="1">
            {placed.filter((l) => l.leader).map((l) => <line class="pl-map-leader" x1={l.leader!.x1} y1={l.leader!.y1} x2={l.leader!.x2} y2={l.leader!.y2} />)}
          </g>
          <g font-size="13" font-weight="600" fill="#f1f5f9" stroke="#0c1a26" stroke-width="3" paint-order="stroke">
            {placed.map((l) => (
              <text class="pl-map-label" x={l.x} y={l.y} text-anchor={l.anchor}>{l.text}</text>
            ))}
          </g>
        </g>
        <rect x="0.5" y="0.5" width={WIDTH - 1} height={height - 1} fill="none" stroke="#2a3542" />
      </svg>
      {view.lonSpan < 360 ? <Inset view={view} /> : null}
      {unplaced.length ? <p class="muted pl-small">No room on the map for the labels of: {unplaced.map((u) => u.text).join('; ')} (see the table).</p> : null}
    </div>
  );
}

/** The second longitude unwrapped so a line takes the short way round (across the antimeridian when shorter). */
const shortWay = (lon1: number, lon2: number) => (lon2 - lon1 > 180 ? lon2 - 360 : lon1 - lon2 > 180 ? lon2 + 360 : lon2);

const rank = (i: MapImpact) => (i === 'none' ? 0 : i === 'degraded' ? 1 : 2);

/** The whole world (Natural Earth 1:110m), small, with the main map's frame drawn on it. */
function Inset(props: { view: View }) {
  const p = projector(WORLD, 240);
  const { view } = props;
  return (
    <svg class="pl-map-inset" viewBox="0 0 240 120" role="img" aria-label={`Locator: the map shows longitude ${Math.round(view.lon0)}° to ${Math.round(view.lon0 + view.lonSpan)}°, latitude ${Math.round(view.lat0 - view.latSpan)}° to ${Math.round(view.lat0)}°`} xmlns="http://www.w3.org/2000/svg">
      <rect x="0" y="0" width="240" height="120" fill="#0c1a26" stroke="#2a3542" />
      <path d={landPath('110m', p, 0.8)} fill="#2b3d31" fill-rule="evenodd" />
      <rect x={p.x(view.lon0)} y={p.y(view.lat0)} width={Math.max(3, r1(view.lonSpan * p.scale))} height={Math.max(3, r1(view.latSpan * p.yScale))} fill="none" stroke="#ffd166" stroke-width="1.5" />
    </svg>
  );
}

const swatch = (dot: Child) => (
  <svg class="pl-swatch" viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">{dot}</svg>
);

/** The legend, in words and shapes; for an earthquake, JMA's intensity colours with their class names. */
export function ImpactLegend(props: { counts: Record<MapImpact, number>; extra?: string; intensity?: boolean; notCovered?: number }) {
  const fill = (impact: MapImpact) => (props.intensity ? '#c3ccd5' : IMPACT_COLOURS[impact]);
  const how = props.intensity ? { down: 'large circle', degraded: 'triangle', none: 'small circle' } : { down: 'filled circle, red', degraded: 'triangle, amber', none: 'small ring, grey' };
  return (
    <ul class="pl-legend" aria-label="Map legend">
      <li>{swatch(<Dot x={10} y={11} impact="down" fill={fill('down')} />)}<span><strong>Down</strong> ({how.down}): {props.counts.down}</span></li>
      <li>{swatch(<Dot x={10} y={11} impact="degraded" fill={fill('degraded')} />)}<span><strong>Degraded</strong> ({how.degraded}): {props.counts.degraded}</span></li>
      <li>{swatch(<Dot x={10} y={11} impact="none" fill={fill('none')} hollow={!props.intensity} />)}<span><strong>Not affected</strong> ({how.none}): {props.counts.none}</span></li>
      {props.notCovered ? <li>{swatch(<Dot x={10} y={10} impact="none" fill="" notCovered />)}<span><strong>Not covered</strong> by the ShakeMap (dashed ring, “?”): {props.notCovered}</span></li> : null}
      <li>
        {swatch(<line x1="2" y1="10" x2="18" y2="10" stroke={fill('down')} stroke-width="3" />)}
        <span>Links: solid (down), dashed (degraded), dotted (not affected)</span>
      </li>
      {props.extra ? <li><span>{props.extra}</span></li> : null}
      {props.intensity ? (
        <li class="pl-legend-scale">
          <span>Fill: JMA seismic intensity class (JMA's colours)</span>
          <ul class="pl-plain pl-intensity-scale" aria-label="JMA intensity colours">
            {JMA_INTENSITY_CLASSES.filter((c) => c !== '0').reverse().map((c) => (
              <li data-class={c}>{swatch(<rect x="2" y="2" width="16" height="16" fill={JMA_INTENSITY_COLOURS[c]} stroke="#10151b" />)}<span>{c}</span></li>
            ))}
          </ul>
        </li>
      ) : null}
    </ul>
  );
}

function graticuleStep(span: number): number {
  return span > 180 ? 30 : span > 60 ? 15 : span > 24 ? 5 : span > 10 ? 2 : 1;
}

const degLabel = (v: number, pos: string, neg: string) => `${Math.abs(v)}°${v === 0 ? '' : v > 0 ? pos : neg}`;

/** Land (Natural Earth 1:10m or 1:50m, by the view's width) and the graticule with its degree labels. */
function Basemap({ p, view, height }: { p: Projection; view: View; height: number }) {
  const step = graticuleStep(view.lonSpan);
  const lons: number[] = [];
  for (let v = Math.ceil(view.lon0 / step) * step; v <= view.lon0 + view.lonSpan; v += step) lons.push(v);
  const lats: number[] = [];
  for (let v = Math.ceil((view.lat0 - view.latSpan) / step) * step; v <= view.lat0; v += step) lats.push(v);
  return (
    <>
      <path d={landPath(landScaleFor(view.lonSpan), p, view.lonSpan > 60 ? 1.5 : 0.7)} data-land-scale={landScaleFor(view.lonSpan)} fill="#263a2d" stroke="#5b7f66" stroke-width="0.8" fill-rule="evenodd" stroke-linejoin="round" />
      <g stroke="#2b3e50" stroke-width="0.6" stroke-dasharray="3 4">
        {lons.map((v) => <line x1={p.x(v)} y1="0" x2={p.x(v)} y2={height} />)}
        {lats.map((v) => <line x1="0" y1={p.y(v)} x2={WIDTH} y2={p.y(v)} />)}
      </g>
      <g fill="#8696a6" font-size="11">
        {lons.map((v) => <text x={p.x(v) + 3} y={height - 5}>{degLabel(v, 'E', 'W')}</text>)}
        {lats.map((v) => <text x="4" y={p.y(v) - 3}>{degLabel(v, 'N', 'S')}</text>)}
      </g>
    </>
  );
}

/** A ringed cross (an earthquake's epicentre). */
function EpicentreMarker({ marker, p }: { marker: NonNullable<ImpactMapProps['marker']>; p: Projection }) {
  const [x, y] = [p.x(marker.lon), p.y(marker.lat)];
  return (
    <g class="pl-map-marker">
      <circle cx={x} cy={y} r="11" fill="none" stroke="#ffd166" stroke-width="2" />
      <path d={`M${x - 7} ${y}H${x + 7}M${x} ${y - 7}V${y + 7}`} stroke="#ffd166" stroke-width="2" />
      <title>{marker.label}</title>
    </g>
  );
}
