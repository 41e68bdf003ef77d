// The world map on the watch floor: inline SVG in an equirectangular projection, drawn on the
// server with no tiles or fonts from anywhere (it works offline). Land is a hand-simplified
// outline, good to a few degrees, only there to orient the eye; assets are dots coloured by
// status (and ringed, labelled and listed with words elsewhere: never colour alone); links are
// lines between their endpoints, dashed when down.
import type { AssetStatus } from '../../../core/domain/enums.js';

export const MAP_WIDTH = 720;
export const MAP_HEIGHT = 360;

export interface MapAsset {
  key: string;
  name: string;
  kind: string;
  status: AssetStatus;
  lat: number | null;
  lon: number | null;
  link: { fromAssetId: number | null; toAssetId: number | null } | null;
  id: number;
  drillRunId: number | null;
}

const SYMBOL: Record<AssetStatus, string> = { up: '✔', degraded: '▲', down: '✖', unknown: '?', maintenance: '⚙', flapping: '↕' };

/** Longitude, latitude (degrees) → SVG coordinates. */
export function project(lon: number, lat: number): [number, number] {
  const x = ((lon + 180) / 360) * MAP_WIDTH;
  const y = ((90 - lat) / 180) * MAP_HEIGHT;
  return [round(x), round(y)];
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * The path of a link between two points, split at the antimeridian when the short way round
 * crosses it (Tokyo to Oregon goes east over the Pacific, not west across Asia).
 */
export function linkPath(from: { lon: number; lat: number }, to: { lon: number; lat: number }): string {
  let { lon: lon1, lat: lat1 } = from;
  let { lon: lon2, lat: lat2 } = to;
  if (Math.abs(lon2 - lon1) <= 180) {
    const [x1, y1] = project(lon1, lat1);
    const [x2, y2] = project(lon2, lat2);
    return `M${x1} ${y1}L${x2} ${y2}`;
  }
  // Make the first point the western one in the eastward-unwrapped frame.
  if (lon1 < lon2) {
    [lon1, lon2] = [lon2, lon1];
    [lat1, lat2] = [lat2, lat1];
  }
  const unwrapped = lon2 + 360;
  const t = (180 - lon1) / (unwrapped - lon1);
  const latCross = lat1 + t * (lat2 - lat1);
  const [ax, ay] = project(lon1, lat1);
  const [bx, by] = project(180, latCross);
  const [cx, cy] = project(-180, latCross);
  const [dx, dy] = project(lon2, lat2);
  return `M${ax} ${ay}L${bx} ${by}M${cx} ${cy}L${dx} ${dy}`;
}

function graticule(): string {
  const parts: string[] = [];
  for (let lon = -150; lon <= 150; lon += 30) {
    const [x] = project(lon, 0);
    parts.push(`M${x} 0V${MAP_HEIGHT}`);
  }
  for (let lat = -60; lat <= 60; lat += 30) {
    const [, y] = project(0, lat);
    parts.push(`M0 ${y}H${MAP_WIDTH}`);
  }
  return parts.join('');
}

const GRATICULE = graticule();

export function WorldMap(props: { assets: MapAsset[]; label?: string }) {
  const byId = new Map(props.assets.map((a) => [a.id, a]));
  const located = (a: MapAsset | undefined): a is MapAsset & { lat: number; lon: number } => Boolean(a && a.lat !== null && a.lon !== null);
  const points = props.assets.filter((a) => a.kind !== 'network_link' && located(a)) as Array<MapAsset & { lat: number; lon: number }>;
  const links = props.assets.flatMap((a) => {
    if (a.kind !== 'network_link' || !a.link) return [];
    const from = a.link.fromAssetId === null ? undefined : byId.get(a.link.fromAssetId);
    const to = a.link.toAssetId === null ? undefined : byId.get(a.link.toAssetId);
    return located(from) && located(to) ? [{ asset: a, d: linkPath(from, to) }] : [];
  });
  const labelled = points.filter((a) => a.status === 'down' || a.status === 'flapping' || a.status === 'degraded');
  const count = (s: AssetStatus) => points.filter((a) => a.status === s).length + links.filter((l) => l.asset.status === s).length;
  const label =
    props.label ??
    `World map of ${points.length} located assets and ${links.length} links: ${count('up')} up, ${count('degraded')} degraded, ${count('flapping')} flapping, ${count('down')} down, ${count('unknown')} unknown, ${count('maintenance')} in maintenance.`;
  return (
    <svg class="world-map" viewBox={`0 0 ${MAP_WIDTH} ${MAP_HEIGHT}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
      <rect class="map-sea" x="0" y="0" width={MAP_WIDTH} height={MAP_HEIGHT} />
      <g class="map-land">
        {LAND.map((ring) => (
          <path d={ringPath(ring)} />
        ))}
      </g>
      <path class="map-graticule" d={GRATICULE} />
      <g class="map-links">
        {links.map(({ asset, d }) => (
          <path class={`map-link d-${asset.status}`} d={d} data-asset={asset.key} data-status={asset.status}>
            <title>{`${asset.name}: ${asset.status}${asset.drillRunId !== null ? ' (DRILL)' : ''}`}</title>
          </path>
        ))}
      </g>
      <g class="map-dots">
        {points.map((a) => {
          const [x, y] = project(a.lon, a.lat);
          return (
            <circle class={`map-dot d-${a.status}`} cx={x} cy={y} r="4" data-asset={a.key} data-status={a.status}>
              <title>{`${a.name}: ${a.status}${a.drillRunId !== null ? ' (DRILL)' : ''}`}</title>
            </circle>
          );
        })}
      </g>
      <g class="map-labels">
        {labelled.map((a) => {
          const [x, y] = project(a.lon, a.lat);
          const flip = x > MAP_WIDTH - 140; // near the right edge: label to the left of the dot
          return (
            <text class={`map-label d-${a.status}`} x={flip ? x - 8 : x + 8} y={y + 3} text-anchor={flip ? 'end' : 'start'}>
              {`${SYMBOL[a.status]} ${shortName(a.name)}`}
            </text>
          );
        })}
      </g>
    </svg>
  );
}

function shortName(name: string): string {
  return name.length > 22 ? `${name.slice(0, 21)}…` : name;
}

function ringPath(ring: ReadonlyArray<readonly [number, number]>): string {
  return `${ring.map(([lon, lat], i) => `${i ? 'L' : 'M'}${project(lon, lat).join(' ')}`).join('')}Z`;
}

/** Coarse land outlines as [lon, lat] rings, simplified by hand to a few degrees. */
const LAND: ReadonlyArray<ReadonlyArray<readonly [number, number]>> = [
  // North America
  [[-168, 65.5], [-165, 69], [-156, 71.3], [-141, 69.7], [-125, 70], [-110, 68], [-95, 68.5], [-85, 69.5], [-80, 64], [-90, 63], [-94, 58.7], [-86, 55.5],
    [-82, 52.5], [-79, 55], [-77, 60], [-72, 61], [-64, 60], [-61, 56], [-56, 52], [-59, 48], [-65, 45], [-70, 43], [-70, 41.7], [-74, 40.5], [-76, 37],
    [-75.5, 35], [-81, 31.5], [-80, 27], [-80.5, 25.2], [-82, 27], [-83, 29.5], [-86, 30.3], [-89.5, 30], [-94, 29.5], [-97, 27.5], [-97.5, 24], [-97, 21],
    [-95, 18.5], [-91, 18.8], [-90.3, 21], [-87, 21.5], [-88, 16], [-84, 15], [-83.5, 11], [-81.5, 9], [-79.5, 9.5], [-77.5, 8.5], [-78, 7], [-80, 7.5],
    [-83, 8.3], [-86, 11.5], [-88, 13.2], [-92, 14.5], [-95, 16], [-97, 15.8], [-101, 17.3], [-105, 19.8], [-105.5, 23], [-109, 25.8], [-112.7, 31.5],
    [-114.8, 31.7], [-114, 28], [-112, 25], [-109.8, 23], [-111, 24.5], [-114, 27.5], [-115.5, 30], [-117, 32.5], [-120.5, 34.5], [-122.5, 37.5],
    [-124, 40.5], [-124.5, 43], [-124, 46.5], [-124.7, 48.4], [-123, 49], [-127, 50.5], [-130, 54.5], [-133, 57.5], [-137, 58.5], [-141, 60], [-146, 61],
    [-150, 61], [-152, 58.7], [-157, 57.5], [-162, 55], [-164, 54.5], [-158, 58], [-162, 59.8], [-165, 62], [-164.5, 63.2], [-161, 64.5], [-166, 64.7]],
  // Arctic Canada
  [[-80, 73.7], [-68, 70.5], [-62, 66.5], [-65, 62.5], [-74, 64.5], [-78, 67.5], [-86, 70], [-90, 72.5]],
  [[-90, 76], [-80, 76.5], [-65, 80.5], [-60, 82.3], [-80, 83], [-95, 81]],
  [[-118, 69], [-102, 68.5], [-100, 72.5], [-118, 73]],
  // Greenland, Iceland
  [[-73, 78], [-60, 82], [-35, 83.5], [-20, 82], [-18, 77], [-20, 70], [-24, 68.5], [-35, 65.5], [-42, 60], [-48, 61], [-53, 66], [-54, 70], [-58, 75.5], [-66, 76]],
  [[-22, 64], [-24, 65.5], [-22, 66.4], [-15, 66.5], [-13.5, 65], [-18, 63.4]],
  // Cuba
  [[-85, 21.8], [-82, 23.2], [-77, 22], [-74.2, 20.2], [-77.7, 19.9]],
  // South America
  [[-80, 0], [-78, 2], [-77, 7], [-72, 12], [-64, 10.7], [-60, 8.5], [-53, 5.5], [-50, 2], [-50, 0], [-44, -2.5], [-35, -5.5], [-35, -9], [-39, -13.5],
    [-39, -18], [-41, -22], [-45, -23.5], [-48.5, -26], [-51, -31], [-53.5, -34], [-57, -35], [-57, -38], [-62, -39], [-65, -41], [-64, -43], [-67.5, -46],
    [-66, -48], [-69, -51.5], [-68.5, -54.5], [-72, -54], [-75, -51], [-74, -46], [-73.5, -42], [-73.5, -37], [-71.5, -30], [-70.5, -24], [-70, -18.5],
    [-75, -15], [-77, -12], [-79.5, -7.5], [-81, -5], [-80, -2]],
  // Africa, Madagascar
  [[-17, 14.5], [-16.5, 19.5], [-17, 21], [-13, 27.5], [-9.5, 30], [-6, 35.8], [-2, 35], [3, 36.8], [10, 37.3], [11, 33.5], [15, 32.3], [20, 30.8],
    [20, 32.5], [25, 31.8], [32, 31.2], [34.2, 31], [32.5, 29.8], [35, 24], [37.3, 18.5], [39, 15.5], [43.3, 12.5], [51, 11.8], [51, 10.5], [48, 4.5],
    [41.5, -1.5], [39, -5], [40, -10.5], [40.5, -15], [35, -20], [35.5, -24], [32.5, -26], [32.8, -28.8], [30, -31.3], [27, -33.8], [22, -34.3],
    [18.4, -34.2], [18, -31], [15, -26.5], [14.5, -22.5], [11.7, -17], [13.5, -11.5], [12, -5], [9, -0.8], [9.6, 3.5], [8.6, 4.5], [6, 4.3], [2, 6.3],
    [-2, 4.8], [-7.5, 4.4], [-11, 6.8], [-13.3, 9], [-15, 11]],
  [[44, -25], [47, -25], [50.5, -15.5], [49.3, -12], [44, -17]],
  // Eurasia
  [[-9, 43], [-9.5, 39], [-8.9, 37], [-6, 36.2], [-2, 36.7], [0, 38.7], [3.2, 41.9], [3, 43.3], [6, 43.1], [9, 44.4], [12.3, 44.3], [13.6, 45.7],
    [16, 43.5], [19.5, 41.8], [20, 39.5], [22.5, 36.5], [24, 38], [23, 40.5], [26, 40.8], [29, 41.2], [27, 40.3], [26.2, 39.3], [27.5, 37], [30.5, 36.3],
    [36, 36.5], [35.5, 33.5], [34.5, 31.3], [34.9, 29.5], [39, 22], [42.8, 15], [45, 12.8], [52, 15.5], [55.5, 17.7], [58.5, 20.5], [59.8, 22.5],
    [56.4, 24.9], [56, 26.3], [54, 24.2], [51.5, 24.5], [50, 26.5], [48, 29.8], [50.5, 29.5], [54, 27], [57.3, 25.6], [61.5, 25.2], [66.5, 25.3],
    [68.5, 23.5], [70, 21], [72.8, 20.5], [73, 16], [74.8, 12.8], [76.4, 9], [77.5, 8], [78.2, 8.9], [80.2, 13], [80.2, 15.8], [82.3, 17], [86.9, 20.5],
    [89, 21.8], [91.8, 22.4], [94, 19.4], [94.4, 16], [97.7, 16.5], [98.6, 12], [98.3, 8], [100.5, 3], [103.5, 1.3], [104.2, 1.4], [103, 5.5],
    [100.4, 12.8], [102.5, 12.2], [105, 8.7], [106.5, 9.5], [109.2, 11.6], [108.3, 16], [106.3, 20.2], [108, 21.6], [110.5, 20.5], [113.5, 22.2],
    [117, 23.6], [120, 26.6], [122, 30], [121, 32], [119.5, 35], [122.5, 37], [118.8, 37.5], [117.8, 38.8], [121.5, 40.8], [124.4, 40], [126, 37.7],
    [126.5, 34.5], [129.4, 35.5], [129.5, 37.5], [128.4, 38.6], [130, 42.3], [133, 42.8], [135.5, 43.9], [140.5, 48.5], [141.3, 53], [137, 54],
    [135.5, 55], [138.5, 56.3], [143, 59.3], [151, 59.2], [155, 59.3], [156.5, 61.6], [163, 62.5], [160, 60.5], [162, 57.5], [156.7, 51], [156, 57],
    [163.5, 60], [170, 60], [177, 62.5], [180, 65], [180, 69], [176, 70], [170, 70], [160, 69.7], [150, 71.5], [140, 72.5], [130, 71], [127, 73.5],
    [113, 73.8], [110, 76.5], [104, 77.7], [99, 76], [88, 75.5], [80, 73.5], [80, 72], [72.5, 72.8], [69, 73], [66, 69.5], [60, 69.8], [55, 68.3],
    [44, 68.5], [43.5, 66.5], [40.5, 64.5], [37, 66], [41, 67], [40.5, 68.5], [33, 69.3], [28, 71], [20, 70], [15, 68.5], [12.5, 65.5], [10.5, 63.6],
    [5, 62], [5.2, 59], [7, 58], [10.5, 59.3], [12, 57.5], [12.6, 56], [11, 55.5], [10, 57.6], [8.2, 56.8], [8.5, 54.9], [7, 53.5], [4.5, 52.5],
    [3.3, 51.3], [1.6, 51], [-1.5, 49.6], [-4.6, 48.5], [-1.2, 46.2], [-1.8, 43.4]],
  // Great Britain, Ireland, Svalbard, Sri Lanka
  [[-5.7, 50], [1.5, 51.2], [1.7, 52.7], [0, 53.5], [-1.6, 55.6], [-2, 57.7], [-4, 58.6], [-5, 58.6], [-6.2, 56.5], [-5, 55], [-3, 54], [-4.6, 53.3],
    [-4.3, 52.2], [-5.3, 51.7], [-3, 51.2]],
  [[-6, 52], [-6, 54], [-7.5, 55.3], [-10, 54.2], [-10, 51.6]],
  [[11, 78.5], [16, 80], [27, 80.2], [22, 77.5], [16.5, 76.5]],
  [[79.8, 9.8], [81.9, 7.5], [80.5, 5.9]],
  // Japan
  [[130, 31.3], [131.3, 31.4], [132, 33.8], [135, 33.5], [136.8, 34.3], [139, 34.7], [140.8, 35.7], [141, 38.3], [142, 39.5], [141.5, 41.4], [140, 40.8],
    [139.8, 39], [138.5, 37.5], [136.7, 37], [136, 35.7], [133, 35.5], [131, 34.5], [129.8, 33.2]],
  [[140, 41.5], [141.2, 41.8], [143.2, 42], [145.5, 43.3], [144.5, 44], [141.8, 45.4], [141.3, 43.3], [140, 42.5]],
  // Philippines, Indonesia, New Guinea
  [[120, 18.5], [122.3, 18.5], [124, 12.5], [121.5, 13.5], [120, 16]],
  [[95.3, 5.6], [98, 4], [104, -1.5], [106, -5.8], [104.5, -5.9], [101, -2.5], [98.5, 1.8]],
  [[109, 1.5], [110, -1.5], [114, -4], [116.5, -2], [118, 1], [119, 5], [117, 7], [115.5, 5.3], [113, 3.2], [110.8, 1.6]],
  [[105.5, -6.8], [114.5, -7.8], [114.4, -8.7], [106, -7.5]],
  [[131, -1], [138, -1.7], [145, -4.5], [147.5, -6], [150, -10.5], [143, -9], [141, -9.2], [138, -8.3], [134.5, -4]],
  // Australia, Tasmania, New Zealand
  [[113.5, -22], [114, -26], [115, -34], [118, -35], [123.5, -34], [126, -32.3], [131, -31.5], [134, -32.5], [136, -35], [138, -35.5], [138.5, -34.5],
    [140, -37.8], [143.5, -38.8], [146.3, -39], [150, -37.5], [151.2, -34], [153.1, -30.5], [153.5, -28], [153, -25], [150.8, -22.5], [149, -20.5],
    [146.3, -19], [145.4, -15], [143.5, -14], [142.5, -10.8], [141.5, -13.5], [141.5, -17], [139.5, -17.4], [136, -15.5], [136.8, -12.2], [132.5, -11.3],
    [130, -13], [129.5, -15], [126.5, -14], [124.5, -16.5], [122.3, -18], [121, -19.6], [117, -20.7]],
  [[145, -40.8], [148.3, -40.9], [148, -43.2], [146, -43.6]],
  [[172.7, -34.5], [174.5, -36.5], [178.5, -37.7], [177, -39.5], [175, -41.5], [174.6, -39.8], [173.8, -39.2], [174.6, -37]],
  [[172.7, -40.5], [174.3, -41.7], [173, -43.8], [171, -44.5], [169, -46.6], [166.5, -46], [168, -44], [171, -42]],
  // Antarctica
  [[-180, -90], [-180, -78], [-160, -78], [-150, -77], [-140, -75], [-120, -74], [-100, -73], [-80, -73], [-68, -70], [-58, -63.5], [-62, -64],
    [-65, -68], [-62, -75], [-45, -78], [-30, -77], [-20, -73], [0, -70], [20, -70], [40, -69], [60, -67], [80, -67], [100, -66], [120, -66.5],
    [140, -66.8], [160, -70], [170, -72], [165, -78], [180, -78], [180, -90]],
];
