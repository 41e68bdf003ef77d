// Satellites' orbital elements at run time: which stations watch which satellites, stale-element
// warnings, and the GP/TLE feed refresh.
import { and, eq } from 'drizzle-orm';
import { commitAtomically, type Db, type Statement } from '../store/client.js';
import { checks, satellites, type SatelliteRow } from '../store/schema/index.js';
import { catalogNumberValue } from '../domain/document.js';
import { InvalidInputError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { elementsEpochMs, parseTleText, TleParseError, type OrbitalElements } from '../domain/orbits/elements.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { idsIn, textIn } from '../store/ids.js';
import { DAY_MS } from '../domain/time.js';

/** Elements older than this are stale unless the context says otherwise (`COOPWATCH_ELEMENTS_MAX_AGE_DAYS`). */
export const DEFAULT_ELEMENTS_MAX_AGE_DAYS = 3;
/**
 * The satellites each station's contact checks follow, with the lowest elevation mask any of
 * its checks sets for that satellite. Stations without a contact check are absent.
 */
export async function contactSatellitesByStation(db: Db, assetIds: readonly number[]): Promise<Map<number, Map<string, number>>> {
  const byStation = new Map<number, Map<string, number>>();
  if (assetIds.length === 0) return byStation;
  const wanted = new Set(assetIds);
  const rows = await db
    .select({ assetId: checks.assetId, settings: checks.settings })
    .from(checks)
    .where(and(eq(checks.kind, 'contact'), idsIn(checks.assetId, [...wanted])));
  for (const row of rows) {
    const keys = Array.isArray(row.settings.satellites) ? (row.settings.satellites as string[]) : [];
    const mask = typeof row.settings.elevationMaskDeg === 'number' ? row.settings.elevationMaskDeg : 10;
    let sats = byStation.get(row.assetId);
    if (!sats) byStation.set(row.assetId, (sats = new Map()));
    for (const key of keys) sats.set(key, Math.min(mask, sats.get(key) ?? Number.POSITIVE_INFINITY));
  }
  return byStation;
}

export async function loadSatellites(db: Db, keys: Iterable<string>): Promise<Map<string, SatelliteRow>> {
  const wanted = [...new Set(keys)];
  if (wanted.length === 0) return new Map();
  const rows = await db.select().from(satellites).where(textIn(satellites.key, wanted));
  return new Map(rows.map((row) => [row.key, row]));
}

/**
 * Warnings per ground station (by asset id) about the elements its contact checks rely on: stale
 * (older than the context's maximum age) or missing. Two queries for any number of stations;
 * assets that are not ground stations are skipped and get no entry.
 */
export async function elementWarnings(ctx: ServiceContext, assets: ReadonlyArray<{ id: number; kind: string }>): Promise<Map<number, string[]>> {
  const stationIds = assets.filter((a) => a.kind === 'ground_station').map((a) => a.id);
  const byStation = await contactSatellitesByStation(ctx.db, stationIds);
  const rows = await loadSatellites(ctx.db, [...byStation.values()].flatMap((sats) => [...sats.keys()]));
  const maxAgeMs = (ctx.elementsMaxAgeDays ?? DEFAULT_ELEMENTS_MAX_AGE_DAYS) * DAY_MS;
  const now = ctx.now();
  const warnings = new Map<number, string[]>();
  for (const [assetId, sats] of byStation) {
    const list: string[] = [];
    for (const key of sats.keys()) {
      const row = rows.get(key);
      if (!row) list.push(`no orbital elements for ${key}: no such satellite`);
      else if (now - row.epochMs > maxAgeMs) list.push(`orbital elements for ${key} are ${((now - row.epochMs) / DAY_MS).toFixed(1)} days old`);
    }
    if (list.length) warnings.set(assetId, list);
  }
  return warnings;
}

// ── GP/TLE feed ──────────────────────────────────────────────────────────────

export interface ElementsRefresh {
  /** Element sets in the feed. */
  entries: number;
  /** Satellites whose elements were replaced by newer ones from the feed. */
  updated: string[];
  /** Satellites found in the feed whose stored elements are as recent or newer. */
  current: string[];
}

/**
 * Updates satellites from GP/TLE text (CelesTrak `FORMAT=tle`, Space-Track 3LE): each satellite
 * whose noradId appears in the feed takes the feed's elements (source 'feed') when they are newer
 * than the stored ones, with a `satellite.updated` event, all in one transaction. A stated orbit's
 * spec is kept, so re-applying the file does not roll the feed's elements back. A malformed feed is
 * refused whole (400 naming the line) and nothing changes.
 */
export async function refreshElements(ctx: ServiceContext, feedText: string): Promise<ElementsRefresh> {
  authorize(ctx.actor, 'manageInventory');
  let entries;
  try {
    entries = parseTleText(feedText);
  } catch (err) {
    if (err instanceof TleParseError) throw new InvalidInputError([{ path: '', message: err.message, line: err.lineNumber }], `GP/TLE feed: ${err.message}`);
    throw err;
  }
  // The newest element set per catalog number, should the feed list one twice.
  const newest = new Map<number, { elements: OrbitalElements; epochMs: number }>();
  for (const entry of entries) {
    const noradId = catalogNumberValue(entry.line1.slice(2, 7));
    if (noradId === null) continue;
    const elements: OrbitalElements = { format: 'tle', line1: entry.line1, line2: entry.line2 };
    const epochMs = elementsEpochMs(elements);
    const seen = newest.get(noradId);
    if (!seen || epochMs > seen.epochMs) newest.set(noradId, { elements, epochMs });
  }
  const result: ElementsRefresh = { entries: entries.length, updated: [], current: [] };
  if (newest.size === 0) return result;

  // The satellites table is small (the fleet's own spacecraft); a feed may list thousands.
  const rows = await ctx.db.select().from(satellites);
  const now = ctx.now();
  const statements: Statement[] = [];
  for (const row of rows) {
    const found = row.noradId === null ? undefined : newest.get(row.noradId);
    if (!found) continue;
    if (found.epochMs <= row.epochMs) {
      result.current.push(row.key);
      continue;
    }
    result.updated.push(row.key);
    statements.push(
      ctx.db
        .update(satellites)
        .set({ elements: found.elements as unknown as Record<string, unknown>, epochMs: found.epochMs, source: 'feed', updatedAt: now })
        .where(eq(satellites.id, row.id)),
      recordEvent(ctx, {
        type: 'satellite.updated',
        subjectKind: 'satellite',
        subjectId: row.id,
        subjectKey: row.key,
        data: {
          elementsChanged: true,
          source: 'feed',
          epoch: new Date(found.epochMs).toISOString(),
          previousEpoch: new Date(row.epochMs).toISOString(),
        },
      }),
    );
  }
  await commitAtomically(ctx.db, statements);
  return result;
}

export interface FeedFetchOptions {
  timeoutMs?: number;
}

/** Downloads GP/TLE text; throws on a network error, a timeout or a non-2xx answer. */
export async function fetchElementsFeed(url: string, fetchImpl: typeof fetch = fetch, options: FeedFetchOptions = {}): Promise<string> {
  const res = await fetchImpl(url, {
    headers: { accept: 'text/plain, */*;q=0.5' },
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`GP/TLE feed ${url} answered ${res.status}`);
  }
  return res.text();
}

/**
 * One scheduled refresh: fetch `url` (COOPWATCH_ELEMENTS_URL) and apply it. The runtime calls
 * this on its schedule with a system context.
 */
export async function refreshElementsFromFeed(ctx: ServiceContext, url: string, fetchImpl: typeof fetch = fetch): Promise<ElementsRefresh> {
  authorize(ctx.actor, 'manageInventory');
  return refreshElements(ctx, await fetchElementsFeed(url, fetchImpl));
}
