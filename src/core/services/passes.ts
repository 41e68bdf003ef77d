import { eq } from 'drizzle-orm';
import { assets } from '../store/schema/index.js';
import { NotFoundError, UnprocessableError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import { parseOrbitalElements } from '../domain/orbits/elements.js';
import { predictPasses } from '../domain/orbits/passes.js';
import type { ServiceContext } from './context.js';
import { contactSatellitesByStation, loadSatellites } from './satellites.js';

export interface PassView {
  satelliteKey: string;
  satelliteName: string;
  aosAt: string;
  tcaAt: string;
  losAt: string;
  maxElevationDeg: number;
  aosAzimuthDeg: number;
  losAzimuthDeg: number;
}

const HOUR_MS = 3_600_000;
const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Passes over a ground station from now to `hours` ahead, in AOS order, of the satellites its
 * contact checks follow, above the lowest mask those checks set per satellite. A pass already
 * under way counts (its AOS is now); one that has risen by the end is followed to its LOS.
 * A station without a contact check has none. Satellites without usable elements are skipped
 * (the asset's `warnings` say why).
 */
export async function listUpcomingPasses(ctx: ServiceContext, assetId: number, hours: number): Promise<{ items: PassView[] }> {
  authorize(ctx.actor, 'read');
  const [station] = await ctx.db.select().from(assets).where(eq(assets.id, assetId));
  if (!station) throw new NotFoundError('asset', assetId);
  if (station.kind !== 'ground_station') {
    throw new UnprocessableError([{ path: 'id', location: 'path', message: `asset "${station.key}" is a ${station.kind}; only ground stations have passes` }]);
  }
  if (station.lat === null || station.lon === null) {
    throw new UnprocessableError([{ path: 'id', location: 'path', message: `ground station "${station.key}" has no location (lat, lon), so its passes cannot be predicted` }]);
  }
  const followed = (await contactSatellitesByStation(ctx.db, [station.id])).get(station.id);
  if (!followed) return { items: [] };
  const rows = await loadSatellites(ctx.db, followed.keys());
  const location = { lat: station.lat, lon: station.lon, altM: station.altM ?? 0 };
  const fromMs = ctx.now();
  const toMs = fromMs + hours * HOUR_MS;
  const items: Array<PassView & { aosMs: number }> = [];
  for (const [key, maskDeg] of followed) {
    const row = rows.get(key);
    if (!row) continue;
    let elements;
    try {
      elements = parseOrbitalElements(row.elements);
    } catch {
      continue;
    }
    for (const pass of predictPasses({ satelliteKey: key, elements }, location, fromMs, toMs, maskDeg)) {
      items.push({
        satelliteKey: key,
        satelliteName: row.name,
        aosAt: isoTime(pass.aosMs),
        tcaAt: isoTime(pass.tcaMs),
        losAt: isoTime(pass.losMs),
        maxElevationDeg: round2(pass.maxElevationDeg),
        aosAzimuthDeg: round2(pass.aosAzimuthDeg),
        losAzimuthDeg: round2(pass.losAzimuthDeg),
        aosMs: pass.aosMs,
      });
    }
  }
  items.sort((a, b) => a.aosMs - b.aosMs || a.satelliteKey.localeCompare(b.satelliteKey));
  return { items: items.map(({ aosMs: _aosMs, ...view }) => view) };
}
