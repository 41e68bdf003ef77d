// An equirectangular map drawn as inline SVG: land outlines, a graticule, asset dots and link
// lines coloured by impact, each with a shape and a text label too (never colour alone). No
// tiles, nothing fetched. The view frames the affected assets; an inset shows where on Earth.
import { LAND, WATER, type Ring } from './outline.js';

export type MapImpact = 'down' | 'degraded' | 'none';

export interface MapPoint {
  id: number;
  name: string;
  lat: number;
  lon: number;
  impact: MapImpact;
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
}

const WIDTH = 960;
export const IMPACT_COLOURS: Record<MapImpact, string> = { down: '#e5484d', degraded: '#e0a526', none: '#7d8a97' };
export const IMPACT_WORDS: Record<MapImpact, string> = { down: 'Down', degraded: 'Degraded', none: 'Not affected' };

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const r1 = (n: number) => Math.round(n * 10) / 10;

/** The frame around the focus points: padded, at least a few degrees, about 2:1, inside the world. */
export function frame(points: Array<{ lat: number; lon: number }>): View {
  if (!points.length) return { lon0: -180, lat0: 90, lonSpan: 360, latSpan: 180 };
  let lonMin = Math.min(...points.map((p) => p.lon));
  let lonMax = Math.max(...points.map((p) => p.lon));
  let latMin = Math.min(...points.map((p) => p.lat));
  let latMax = Math.max(...points.map((p) => p.lat));
  const padLon = Math.max(1.5, (lonMax - lonMin) * 0.15);
  const padLat = Math.max(1, (latMax - latMin) * 0.15);
  lonMin -= padLon; lonMax += padLon; latMin -= padLat; latMax += padLat;
  let lonSpan = Math.max(lonMax - lonMin, 12);
  let latSpan = Math.max(latMax - latMin, 6);
  if (lonSpan < latSpan * 2) lonSpan = latSpan * 2;
  else latSpan = lonSpan / 2;
  if (lonSpan > 360 || latSpan > 180) return { lon0: -180, lat0: 90, lonSpan: 360, latSpan: 180 };
  const lonMid = (lonMin + lonMax) / 2;
  const latMid = (latMin + latMax) / 2;
  const lon0 = clamp(lonMid - lonSpan / 2, -180, 180 - lonSpan);
  const lat0 = clamp(latMid + latSpan / 2, -90 + latSpan, 90);
  return { lon0, lat0, lonSpan, latSpan };
}

function projector(view: View, width: number) {
  const scale = width / view.lonSpan;
  return {
    scale,
    height: view.latSpan * scale,
    x: (lon: number) => r1((lon - view.lon0) * scale),
    y: (lat: number) => r1((view.lat0 - lat) * scale),
  };
}

function ringPath(ring: Ring, p: ReturnType<typeof projector>): string {
  return ring.map(([lon, lat], i) => `${i ? 'L' : 'M'}${p.x(lon)} ${p.y(lat)}`).join('') + 'Z';
}

function graticuleStep(span: number): number {
  return span > 180 ? 30 : span > 60 ? 15 : span > 24 ? 5 : span > 10 ? 2 : 1;
}

const degLabel = (v: number, pos: string, neg: string) => `${Math.abs(v)}°${v === 0 ? '' : v > 0 ? pos : neg}`;

/** A marker shape per impact: filled circle (down), triangle (degraded), hollow ring (not affected). */
function Dot(props: { x: number; y: number; impact: MapImpact }) {
  const { x, y, impact } = props;
  const fill = IMPACT_COLOURS[impact];
  if (impact === 'down') return <circle cx={x} cy={y} r="7" fill={fill} stroke="#10151b" stroke-width="1.5" />;
  if (impact === 'degraded') return <path d={`M${x} ${r1(y - 8)}L${r1(x + 7.5)} ${r1(y + 5.5)}L${r1(x - 7.5)} ${r1(y + 5.5)}Z`} fill={fill} stroke="#10151b" stroke-width="1.5" />;
  return <circle cx={x} cy={y} r="3.5" fill="none" stroke={fill} stroke-width="1.5" />;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Greedy label placement: right, left, above, below of the dot; skipped when all collide (the table still lists it). */
function placeLabels(items: Array<{ x: number; y: number; text: string }>, width: number, height: number) {
  const taken: Box[] = items.map((i) => ({ x: i.x - 8, y: i.y - 8, w: 16, h: 16 }));
  const placed: Array<{ x: number; y: number; text: string; anchor: 'start' | 'end' | 'middle' }> = [];
  for (const item of items) {
    const w = item.text.length * 7.2 + 4;
    const h = 15;
    const candidates: Array<{ box: Box; x: number; y: number; anchor: 'start' | 'end' | 'middle' }> = [
      { box: { x: item.x + 10, y: item.y - 8, w, h }, x: item.x + 11, y: item.y + 4, anchor: 'start' },
      { box: { x: item.x - 10 - w, y: item.y - 8, w, h }, x: item.x - 11, y: item.y + 4, anchor: 'end' },
      { box: { x: item.x - w / 2, y: item.y - 26, w, h }, x: item.x, y: item.y - 14, anchor: 'middle' },
      { box: { x: item.x - w / 2, y: item.y + 10, w, h }, x: item.x, y: item.y + 22, anchor: 'middle' },
      { box: { x: item.x + 10, y: item.y + 6, w, h }, x: item.x + 11, y: item.y + 18, anchor: 'start' },
      { box: { x: item.x + 10, y: item.y - 22, w, h }, x: item.x + 11, y: item.y - 10, anchor: 'start' },
    ];
    const ok = candidates.find((c) => c.box.x >= 0 && c.box.y >= 0 && c.box.x + c.box.w <= width && c.box.y + c.box.h <= height && !taken.some((t) => overlaps(t, c.box)));
    if (!ok) continue;
    taken.push(ok.box);
    placed.push({ x: r1(ok.x), y: r1(ok.y), text: item.text, anchor: ok.anchor });
  }
  return placed;
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

/** The map with its inset; the legend is HTML beside it (ImpactLegend). */
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
  const step = graticuleStep(view.lonSpan);
  const lons: number[] = [];
  for (let v = Math.ceil(view.lon0 / step) * step; v <= view.lon0 + view.lonSpan; v += step) lons.push(v);
  const lats: number[] = [];
  for (let v = Math.ceil((view.lat0 - view.latSpan) / step) * step; v <= view.lat0; v += step) lats.push(v);
  // Unaffected first so the affected draw on top.
  const points = [...props.points].filter((pt) => inView(pt.lat, pt.lon)).sort((a, b) => rank(a.impact) - rank(b.impact));
  const lines = [...props.lines].sort((a, b) => rank(a.impact) - rank(b.impact));
  const labels = placeLabels(
    [
      ...(props.marker ? [{ x: p.x(props.marker.lon), y: p.y(props.marker.lat), text: props.marker.label }] : []),
      ...points.filter((pt) => pt.label).reverse().map((pt) => ({ x: p.x(pt.lon), y: p.y(pt.lat), text: pt.label! })),
      // links after sites: labelled at their midpoint when there is room
      ...lines.filter((l) => l.label).reverse().map((l) => {
        const toLon = shortWay(l.from.lon, l.to.lon);
        return { x: r1((p.x(l.from.lon) + p.x(toLon)) / 2), y: r1((p.y(l.from.lat) + p.y(l.to.lat)) / 2), text: l.label! };
      }),
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
          <Basemap p={p} lons={lons} lats={lats} height={height} />
          <g fill="none" stroke-linecap="round">
            {lines.map((l) => (
              <line
                x1={p.x(l.from.lon)} y1={p.y(l.from.lat)} x2={p.x(shortWay(l.from.lon, l.to.lon))} y2={p.y(l.to.lat)}
                stroke={IMPACT_COLOURS[l.impact]} stroke-width={l.impact === 'none' ? 1.2 : 3}
                stroke-dasharray={l.impact === 'degraded' ? '8 5' : l.impact === 'none' ? '2 4' : undefined}
              >
                <title>{`${l.name}: ${IMPACT_WORDS[l.impact]}${l.detail ? ` — ${l.detail}` : ''}`}</title>
              </line>
            ))}
          </g>
          {props.marker ? <EpicentreMarker marker={props.marker} p={p} /> : null}
          <g>
            {points.map((pt) => (
              <g data-asset-id={pt.id} data-impact={pt.impact}>
                <Dot x={p.x(pt.lon)} y={p.y(pt.lat)} impact={pt.impact} />
                <title>{`${pt.name}: ${IMPACT_WORDS[pt.impact]}${pt.detail ? ` — ${pt.detail}` : ''}`}</title>
              </g>
            ))}
          </g>
          <g font-size="13" font-weight="600" fill="#f1f5f9" stroke="#0c1a26" stroke-width="3" paint-order="stroke">
            {labels.map((l) => (
              <text x={l.x} y={l.y} text-anchor={l.anchor}>{l.text}</text>
            ))}
          </g>
        </g>
        <rect x="0.5" y="0.5" width={WIDTH - 1} height={height - 1} fill="none" stroke="#2a3542" />
      </svg>
      {view.lonSpan < 360 ? <Inset view={view} /> : null}
    </div>
  );
}

/** The second longitude unwrapped so a line takes the short way round (across the antimeridian when shorter). */
const shortWay = (lon1: number, lon2: number) => (lon2 - lon1 > 180 ? lon2 - 360 : lon1 - lon2 > 180 ? lon2 + 360 : lon2);

const rank = (i: MapImpact) => (i === 'none' ? 0 : i === 'degraded' ? 1 : 2);

/** The whole world, small, with the main map's frame drawn on it. */
function Inset(props: { view: View }) {
  const p = projector({ lon0: -180, lat0: 90, lonSpan: 360, latSpan: 180 }, 240);
  const { view } = props;
  return (
    <svg class="pl-map-inset" viewBox="0 0 240 120" role="img" aria-label={`Locator: the map shows longitude ${Math.round(view.lon0)}° to ${Math.round(view.lon0 + view.lonSpan)}°, latitude ${Math.round(view.lat0 - view.latSpan)}° to ${Math.round(view.lat0)}°`} xmlns="http://www.w3.org/2000/svg">
      <rect x="0" y="0" width="240" height="120" fill="#0c1a26" stroke="#2a3542" />
      <g fill="#2b3d31">
        {LAND.map((ring) => (
          <path d={ringPath(ring, p)} />
        ))}
      </g>
      <rect x={p.x(view.lon0)} y={p.y(view.lat0)} width={Math.max(3, r1(view.lonSpan * p.scale))} height={Math.max(3, r1(view.latSpan * p.scale))} fill="none" stroke="#ffd166" stroke-width="1.5" />
    </svg>
  );
}

/** The legend, in words and shapes. */
export function ImpactLegend(props: { counts: Record<MapImpact, number>; extra?: string }) {
  const swatch = (impact: MapImpact) => (
    <svg class="pl-swatch" viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
      <Dot x={10} y={11} impact={impact} />
    </svg>
  );
  return (
    <ul class="pl-legend" aria-label="Map legend">
      <li>{swatch('down')}<span><strong>Down</strong> (filled circle, red): {props.counts.down}</span></li>
      <li>{swatch('degraded')}<span><strong>Degraded</strong> (triangle, amber): {props.counts.degraded}</span></li>
      <li>{swatch('none')}<span><strong>Not affected</strong> (small ring, grey): {props.counts.none}</span></li>
      <li>
        <svg class="pl-swatch" viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
          <line x1="2" y1="10" x2="18" y2="10" stroke={IMPACT_COLOURS.down} stroke-width="3" />
        </svg>
        <span>Links: solid (down), dashed (degraded), dotted (not affected)</span>
      </li>
      {props.extra ? <li><span>{props.extra}</span></li> : null}
    </ul>
  );
}

type Projection = ReturnType<typeof projector>;

/** Land, water and the graticule with its degree labels. */
function Basemap({ p, lons, lats, height }: { p: Projection; lons: number[]; lats: number[]; height: number }) {
  return (
    <>
      <g fill="#263a2d" stroke="#4f7059" stroke-width="0.8">
        {LAND.map((ring) => (
          <path d={ringPath(ring, p)} />
        ))}
      </g>
      <g fill="#0c1a26" stroke="#4f7059" stroke-width="0.8">
        {WATER.map((ring) => (
          <path d={ringPath(ring, p)} />
        ))}
      </g>
      <g stroke="#2b3e50" stroke-width="0.6" stroke-dasharray="3 4">
        {lons.map((v) => (
          <line x1={p.x(v)} y1="0" x2={p.x(v)} y2={height} />
        ))}
        {lats.map((v) => (
          <line x1="0" y1={p.y(v)} x2={WIDTH} y2={p.y(v)} />
        ))}
      </g>
      <g fill="#8696a6" font-size="11">
        {lons.map((v) => (
          <text x={p.x(v) + 3} y={height - 5}>{degLabel(v, 'E', 'W')}</text>
        ))}
        {lats.map((v) => (
          <text x="4" y={p.y(v) - 3}>{degLabel(v, 'N', 'S')}</text>
        ))}
      </g>
    </>
  );
}

/** A ringed cross (an earthquake's epicentre). */
function EpicentreMarker({ marker, p }: { marker: NonNullable<ImpactMapProps['marker']>; p: Projection }) {
  return (
    <g class="pl-map-marker">
      <circle cx={p.x(marker.lon)} cy={p.y(marker.lat)} r="11" fill="none" stroke="#ffd166" stroke-width="2" />
      <path
        d={`M${p.x(marker.lon) - 7} ${p.y(marker.lat)}H${p.x(marker.lon) + 7}M${p.x(marker.lon)} ${p.y(marker.lat) - 7}V${p.y(marker.lat) + 7}`}
        stroke="#ffd166" stroke-width="2"
      />
      <title>{marker.label}</title>
    </g>
  );
}
