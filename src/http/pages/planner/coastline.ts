// Land from Natural Earth (public domain), as the `world-atlas` package ships it in TopoJSON:
// 1:10m for a country view, 1:50m for wider ones, 1:110m for the world inset. Decoded once per
// process (the 3 MB 1:10m file only when a page first asks for it), clipped to the view and
// thinned to the pixel, so the page carries only what shows. Nothing is fetched from the network.
import type { Topology } from 'topojson-specification';
import type { MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import land50m from 'world-atlas/land-50m.json' with { type: 'json' };
import land110m from 'world-atlas/land-110m.json' with { type: 'json' };

type Ring = number[][];
export type LandScale = '10m' | '50m' | '110m';

const topologies = new Map<LandScale, unknown>([['50m', land50m], ['110m', land110m]]);
/** Every ring (outer rings and holes alike: drawn with the even-odd rule) with its box in degrees. */
const decoded = new Map<LandScale, LandRing[]>();
let loading10m: Promise<void> | null = null;

interface LandRing {
  ring: Ring;
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

/** Loads the 1:10m land once (a dynamic import: hosts that split modules load it on first use). */
export function loadDetailedLand(): Promise<void> {
  loading10m ??= import('world-atlas/land-10m.json', { with: { type: 'json' } }).then((m) => void topologies.set('10m', m.default));
  return loading10m;
}

/** The finest land for a view `lonSpan` degrees wide: 1:10m for a country view once loaded, else 1:50m. */
export const landScaleFor = (lonSpan: number): LandScale => (lonSpan <= 30 && topologies.has('10m') ? '10m' : '50m');

/** Land polygons (outer ring first, then holes such as the Caspian) in [lon, lat] degrees. */
export function landPolygons(scale: LandScale): Ring[][] {
  const topology = topologies.get(scale) as Topology | undefined;
  if (!topology) throw new Error(`land ${scale} is not loaded (loadDetailedLand first)`);
  const land = feature(topology, topology.objects.land!) as unknown as { features: Array<{ geometry: Polygon | MultiPolygon }> };
  return land.features.flatMap((f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates));
}

function landRings(scale: LandScale): LandRing[] {
  let rings = decoded.get(scale);
  if (!rings) {
    rings = landPolygons(scale).flat().map((ring) => {
      const box = { ring, lonMin: Infinity, lonMax: -Infinity, latMin: Infinity, latMax: -Infinity };
      for (const [lon, lat] of ring) {
        box.lonMin = Math.min(box.lonMin, lon!); box.lonMax = Math.max(box.lonMax, lon!);
        box.latMin = Math.min(box.latMin, lat!); box.latMax = Math.max(box.latMax, lat!);
      }
      return box;
    });
    decoded.set(scale, rings);
  }
  return rings;
}

export interface PixelFrame {
  width: number;
  height: number;
  x: (lon: number) => number;
  y: (lat: number) => number;
  /** The frame's extent in degrees: rings wholly outside it are not even projected. */
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

type Point = [number, number];

/** Sutherland–Hodgman: the ring clipped to the rectangle (for filled land, edges along the border are harmless). */
function clipRing(ring: Point[], x0: number, y0: number, x1: number, y1: number): Point[] {
  const edges: Array<[(p: Point) => boolean, (a: Point, b: Point) => Point]> = [
    [(p) => p[0] >= x0, (a, b) => [x0, a[1] + ((b[1] - a[1]) * (x0 - a[0])) / (b[0] - a[0])]],
    [(p) => p[0] <= x1, (a, b) => [x1, a[1] + ((b[1] - a[1]) * (x1 - a[0])) / (b[0] - a[0])]],
    [(p) => p[1] >= y0, (a, b) => [a[0] + ((b[0] - a[0]) * (y0 - a[1])) / (b[1] - a[1]), y0]],
    [(p) => p[1] <= y1, (a, b) => [a[0] + ((b[0] - a[0]) * (y1 - a[1])) / (b[1] - a[1]), y1]],
  ];
  let out = ring;
  for (const [inside, cross] of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i]!;
      const prev = input[(i + input.length - 1) % input.length]!;
      if (inside(cur)) {
        if (!inside(prev)) out.push(cross(prev, cur));
        out.push(cur);
      } else if (inside(prev)) out.push(cross(prev, cur));
    }
    if (!out.length) break;
  }
  return out;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/**
 * One SVG path (even-odd fill) of the land inside the frame: each ring projected, dropped when
 * its box misses the frame, clipped just outside it, and thinned to points at least `minPx` apart.
 */
export function landPath(scale: LandScale, frame: PixelFrame, minPx = 0.7): string {
  const margin = 4;
  const parts: string[] = [];
  for (const { ring, ...box } of landRings(scale)) {
    if (box.lonMax < frame.lonMin || box.lonMin > frame.lonMax || box.latMax < frame.latMin || box.latMin > frame.latMax) continue;
    // an island smaller than a pixel or so is not drawn
    if (Math.abs(frame.x(box.lonMax) - frame.x(box.lonMin)) < minPx && Math.abs(frame.y(box.latMax) - frame.y(box.latMin)) < minPx) continue;
    const projected: Point[] = ring.map(([lon, lat]) => [frame.x(lon!), frame.y(lat!)]);
    const kept: Point[] = [];
    for (const p of clipRing(projected, -margin, -margin, frame.width + margin, frame.height + margin)) {
      const last = kept[kept.length - 1];
      if (!last || Math.abs(p[0] - last[0]) >= minPx || Math.abs(p[1] - last[1]) >= minPx) kept.push(p);
    }
    if (kept.length >= 3) parts.push(kept.map(([x, y], i) => `${i ? 'L' : 'M'}${r1(x)} ${r1(y)}`).join('') + 'Z');
  }
  return parts.join('');
}
