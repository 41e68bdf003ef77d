// A small synthetic ShakeMap grid.xml, built to the format the USGS `shakemap` project writes and
// documents: usgs/shakemap (commit f23f1aeb), doc_source/manual4_0/ug_products.rst, "XML Grid",
// and its test data tests/data/eventdata/comparison_test/shakemap4.xml (ShakeMap 4: LON, LAT, MMI,
// PGA, PGV in "cm/s", PSA03) and shakemap3.xml (ShakeMap 3.5: PGA, PGV in "cms", MMI, … SVEL).
// Rows run west to east from lat_max down to lat_min, longitude the fast index.

export interface GridOptions {
  lonMin?: number;
  latMax?: number;
  nlon?: number;
  nlat?: number;
  spacing?: number;
  /** PGV (cm/s) at a grid point. */
  pgv?: (lon: number, lat: number) => number;
  mmi?: (lon: number, lat: number) => number;
  /** 4: ShakeMap 4 field order and units; 3.5: the older order, "cms" units, SVEL. */
  version?: 4 | 3.5;
  eventId?: string;
}

/** Kumamoto-like area: 130.0–131.0° E, 32.5–33.5° N at 0.25°; PGV and MMI planes (bilinear is exact on them). */
export const planePgv = (lon: number, lat: number) => 10 + 40 * (lon - 130) + 20 * (33.5 - lat);
export const planeMmi = (lon: number, lat: number) => 4 + 2 * (lon - 130) + (33.5 - lat);

export function shakemapGridXml(o: GridOptions = {}): string {
  const { lonMin = 130, latMax = 33.5, nlon = 5, nlat = 5, spacing = 0.25, pgv = planePgv, mmi = planeMmi, version = 4, eventId = 'test2016kuma' } = o;
  const lonMax = lonMin + (nlon - 1) * spacing;
  const latMin = latMax - (nlat - 1) * spacing;
  const fields = version === 4 ? ['LON:dd', 'LAT:dd', 'MMI:intensity', 'PGA:%g', 'PGV:cm/s', 'PSA03:%g'] : ['LON:dd', 'LAT:dd', 'PGA:pctg', 'PGV:cms', 'MMI:intensity', 'SVEL:ms'];
  const rows: string[] = [];
  for (let r = 0; r < nlat; r++) {
    for (let c = 0; c < nlon; c++) {
      const lon = lonMin + c * spacing;
      const lat = latMax - r * spacing;
      const v = { LON: lon.toFixed(4), LAT: lat.toFixed(4), MMI: mmi(lon, lat).toFixed(2), PGA: '12.3', PGV: pgv(lon, lat).toPrecision(5), PSA03: '20.1', SVEL: '400' };
      rows.push(fields.map((f) => v[f.split(':')[0] as keyof typeof v]).join(' '));
    }
  }
  return [
    `<?xml version="1.0" encoding="US-ASCII" standalone="yes"?><shakemap_grid xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://earthquake.usgs.gov/eqcenter/shakemap" event_id="${eventId}" shakemap_id="${eventId}" shakemap_version="3" code_version="4.0" process_timestamp="2016-04-16T03:00:00Z" shakemap_originator="us" map_status="RELEASED" shakemap_event_type="SCENARIO">`,
    `<event event_id="${eventId}" magnitude="7.0" depth="10" lat="32.75" lon="130.76" event_timestamp="2016-04-15T16:25:05UTC" event_network="us" event_description="Kumamoto &amp; test" />`,
    `<grid_specification lon_min="${lonMin.toFixed(4)}" lat_min="${latMin.toFixed(4)}" lon_max="${lonMax.toFixed(4)}" lat_max="${latMax.toFixed(4)}" nominal_lon_spacing="${spacing}" nominal_lat_spacing="${spacing}" nlon="${nlon}" nlat="${nlat}" />`,
    ...(version === 3.5 ? ['<event_specific_uncertainty name="pga" value="0.603590" numsta="66" />'] : []),
    ...fields.map((f, i) => `<grid_field index="${i + 1}" name="${f.split(':')[0]}" units="${f.split(':')[1]}" />`),
    '<grid_data>',
    ...rows,
    '</grid_data>',
    '</shakemap_grid>',
    '',
  ].join('\n');
}
