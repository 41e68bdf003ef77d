// A USGS ShakeMap `grid.xml`, read without an XML library: the format is fixed and flat.
// The format, as the `shakemap` project documents and writes it (usgs/shakemap, commit f23f1aeb,
// doc_source/manual4_0/ug_products.rst, "XML Grid"; its test data
// tests/data/eventdata/comparison_test/shakemap{3,4}.xml):
//   <shakemap_grid event_id=… shakemap_version=… process_timestamp=… …>
//   <event event_id=… magnitude=… depth=… lat=… lon=… event_timestamp=… event_description=… />
//   <grid_specification lon_min=… lat_min=… lon_max=… lat_max=… nominal_lon_spacing=…
//     nominal_lat_spacing=… nlon=… nlat=… />
//   <grid_field index="1" name="LON" units="dd" /> … (LAT, PGA, PGV, MMI, PSA03…, SVEL)
//   <grid_data> nlon × nlat whitespace-separated rows, longitude the fast index, from
//     (lon_min, lat_max) to (lon_max, lat_min) </grid_data>
// PGV is in cm/s ("cm/s" in ShakeMap 4, "cms" in 3.5); MMI in "intensity".

/** Refused beyond this: a 0.5-arc-minute grid of the largest events is about this size. */
export const SHAKEMAP_MAX_BYTES = 20 * 1024 * 1024;
/** Refused beyond this many grid points: the packed grids (2 bytes a point and field) must fit one D1 row (2 MB). */
export const SHAKEMAP_MAX_POINTS = 300_000;

export interface ShakeMapEvent {
  eventId: string;
  magnitude: number | null;
  depthKm: number | null;
  lat: number | null;
  lon: number | null;
  timestamp: string | null;
  description: string | null;
  version: string | null;
  processTimestamp: string | null;
  originator: string | null;
}

export interface GridSpec {
  lonMin: number;
  latMin: number;
  lonMax: number;
  latMax: number;
  nlon: number;
  nlat: number;
}

export interface ShakeMapGrid {
  event: ShakeMapEvent;
  spec: GridSpec;
  /** Row-major from the north-west corner: index = row · nlon + column, row 0 at lat_max. */
  pgv: Float64Array;
  mmi: Float64Array | null;
}

/** What is wrong with the file, and where (`path` names the element or attribute). */
export class ShakeMapFormatError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

const fail = (path: string, message: string): never => {
  throw new ShakeMapFormatError(path, message);
};

/** The attributes of the first `<tag …>` in the text, or null. */
function tagAttributes(xml: string, tag: string): Map<string, string> | null {
  const m = new RegExp(`<${tag}(\\s[^>]*?)?/?>`).exec(xml);
  if (!m) return null;
  const attrs = new Map<string, string>();
  for (const a of (m[1] ?? '').matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs.set(a[1]!, unescapeXml(a[2] ?? a[3] ?? ''));
  return attrs;
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}

function numberAttr(attrs: Map<string, string>, tag: string, name: string): number {
  const raw = attrs.get(name);
  if (raw === undefined) return fail(`${tag}.${name}`, `<${tag}> has no ${name} attribute`);
  const v = Number(raw);
  return Number.isFinite(raw.trim() === '' ? NaN : v) ? v : fail(`${tag}.${name}`, `<${tag}> ${name}="${raw}" is not a number`);
}

const optionalNumber = (raw: string | undefined) => (raw === undefined || raw.trim() === '' || !Number.isFinite(Number(raw)) ? null : Number(raw));

function readEvent(xml: string, root: Map<string, string>): ShakeMapEvent {
  const ev = tagAttributes(xml, 'event') ?? fail('event', 'no <event> element');
  return {
    eventId: ev.get('event_id') || root.get('event_id') || fail('event.event_id', '<event> has no event_id'),
    magnitude: optionalNumber(ev.get('magnitude')),
    depthKm: optionalNumber(ev.get('depth')),
    lat: optionalNumber(ev.get('lat')),
    lon: optionalNumber(ev.get('lon')),
    timestamp: ev.get('event_timestamp') ?? null,
    description: ev.get('event_description') ?? null,
    version: root.get('shakemap_version') ?? null,
    processTimestamp: root.get('process_timestamp') ?? null,
    originator: root.get('shakemap_originator') ?? null,
  };
}

function readSpec(xml: string): GridSpec {
  const gs = tagAttributes(xml, 'grid_specification') ?? fail('grid_specification', 'no <grid_specification> element');
  const n = (name: string) => numberAttr(gs, 'grid_specification', name);
  const spec = { lonMin: n('lon_min'), latMin: n('lat_min'), lonMax: n('lon_max'), latMax: n('lat_max'), nlon: n('nlon'), nlat: n('nlat') };
  for (const k of ['nlon', 'nlat'] as const) {
    if (!Number.isInteger(spec[k]) || spec[k] < 2) fail(`grid_specification.${k}`, `${k} must be a whole number of at least 2, got ${spec[k]}`);
  }
  if (spec.nlon * spec.nlat > SHAKEMAP_MAX_POINTS) {
    fail('grid_specification', `the grid has ${spec.nlon} × ${spec.nlat} = ${spec.nlon * spec.nlat} points; at most ${SHAKEMAP_MAX_POINTS} are accepted (coarsen it)`);
  }
  if (!(spec.latMax > spec.latMin) || spec.latMin < -90 || spec.latMax > 90) fail('grid_specification.lat_max', 'lat_max must be above lat_min, both within ±90');
  // A grid across the antimeridian may give lon_max < lon_min (or beyond 180): keep lon_max east of lon_min.
  if (spec.lonMax <= spec.lonMin) spec.lonMax += 360;
  if (spec.lonMax - spec.lonMin > 360) fail('grid_specification.lon_max', 'the grid spans more than 360° of longitude');
  return spec;
}

/** Column (0-based) of each field by name, from the `grid_field` list. */
function readFields(xml: string): Map<string, { column: number; units: string }> {
  const fields = new Map<string, { column: number; units: string }>();
  for (const m of xml.matchAll(/<grid_field\s([^>]*?)\/?>/g)) {
    const attrs = tagAttributes(`<grid_field ${m[1]}>`, 'grid_field')!;
    const index = Number(attrs.get('index'));
    const name = attrs.get('name')?.toUpperCase();
    if (!Number.isInteger(index) || index < 1 || !name) fail('grid_field', `a <grid_field> needs a whole-number index from 1 and a name: ${m[0]}`);
    fields.set(name!, { column: index - 1, units: attrs.get('units') ?? '' });
  }
  for (const need of ['LON', 'LAT', 'PGV']) if (!fields.has(need)) fail('grid_field', `no grid_field named ${need}${need === 'PGV' ? ' (the JMA intensity is computed from PGV)' : ''}`);
  const pgvUnits = fields.get('PGV')!.units;
  if (!['cm/s', 'cms'].includes(pgvUnits)) fail('grid_field.PGV.units', `PGV units "${pgvUnits}" are not cm/s ("cm/s" or "cms")`);
  return fields;
}

/** Parses and checks a grid.xml; throws ShakeMapFormatError naming the first problem. */
export function parseShakeMapGrid(xml: string): ShakeMapGrid {
  if (xml.length > SHAKEMAP_MAX_BYTES) fail('', `the file is larger than ${SHAKEMAP_MAX_BYTES} bytes`);
  const root = tagAttributes(xml, 'shakemap_grid') ?? fail('shakemap_grid', 'not a ShakeMap grid.xml: no <shakemap_grid> root element');
  const dataAt = xml.indexOf('<grid_data');
  const header = dataAt < 0 ? xml : xml.slice(0, dataAt);
  const event = readEvent(header, root);
  const spec = readSpec(header);
  const fields = readFields(header);
  const open = /<grid_data\s*>/.exec(xml) ?? fail('grid_data', 'no <grid_data> element');
  const close = xml.indexOf('</grid_data>', open.index);
  if (close < 0) fail('grid_data', 'the <grid_data> element is not closed (is the file cut short?)');
  const columns = Math.max(...[...fields.values()].map((f) => f.column)) + 1;
  const { pgv, mmi } = readRows(xml, open.index + open[0].length, close, spec, columns, fields);
  return { event, spec, pgv, mmi };
}

function readRows(xml: string, start: number, end: number, spec: GridSpec, columns: number, fields: ReturnType<typeof readFields>) {
  const count = spec.nlon * spec.nlat;
  const pgv = new Float64Array(count);
  const mmi = fields.has('MMI') ? new Float64Array(count) : null;
  const col = (name: string) => fields.get(name)?.column ?? -1;
  const [cLon, cLat, cPgv, cMmi] = [col('LON'), col('LAT'), col('PGV'), col('MMI')];
  const dLon = (spec.lonMax - spec.lonMin) / (spec.nlon - 1);
  const dLat = (spec.latMax - spec.latMin) / (spec.nlat - 1);
  const row = new Float64Array(columns);
  const token = /\S+/g;
  token.lastIndex = start;
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < columns; c++) {
      const m = token.exec(xml);
      if (!m || m.index >= end) fail('grid_data', `grid_data holds ${i} complete rows of ${columns} values; the specification says ${count} (nlon × nlat)`);
      const v = Number(m![0]);
      if (!Number.isFinite(v)) fail('grid_data', `row ${i + 1}, column ${c + 1}: "${m![0].slice(0, 20)}" is not a number`);
      row[c] = v;
    }
    const r = Math.floor(i / spec.nlon);
    const expectLon = spec.lonMin + (i % spec.nlon) * dLon;
    const expectLat = spec.latMax - r * dLat;
    const lonOff = Math.abs(((row[cLon]! - expectLon + 540) % 360) - 180);
    if (lonOff > dLon / 2 || Math.abs(row[cLat]! - expectLat) > dLat / 2) {
      fail('grid_data', `row ${i + 1} is at (${row[cLon]}, ${row[cLat]}), expected about (${expectLon.toFixed(4)}, ${expectLat.toFixed(4)}): rows must run west to east from lat_max down to lat_min`);
    }
    pgv[i] = row[cPgv]!;
    if (mmi) mmi[i] = row[cMmi]!;
  }
  const extra = token.exec(xml);
  if (extra && extra.index < end) fail('grid_data', `grid_data holds more values than nlon × nlat = ${count} rows of ${columns}`);
  return { pgv, mmi };
}
