// Satellites in the apply file: how an item compares with the stored row, the statements that
// bring the row in line, and the row in the file's spelling for export.
import { asc, eq, sql } from 'drizzle-orm';
import type { Db, Statement } from '../../store/client.js';
import { satellites, type SatelliteRow } from '../../store/schema/index.js';
import { satelliteCatalogNumber, type InventoryDocument, type OrbitSpecDocument, type SatelliteDocument } from '../../domain/document.js';
import type { ErrorDetail } from '../../domain/errors.js';
import {
  elementsEpochMs,
  elementsFromOrbit,
  sunSynchronousInclinationDeg,
  type OrbitalElements,
} from '../../domain/orbits/elements.js';
import type { ServiceContext } from '../context.js';
import { recordEvent } from '../../store/events.js';
import { withLocation, type Locate } from './document.js';
import { canonical, compact } from './canonical.js';

/**
 * The catalog number written into synthetic elements for a stated orbit without a noradId.
 * The row's norad_id stays empty, so no GP feed entry ever matches it.
 */
const UNNAMED_SYNTHETIC_NORAD_ID = 99_999;

/** The noradId a satellite is stored under: as given, else the catalog number its elements name. */
function effectiveNoradId(item: SatelliteDocument): number | null {
  return item.noradId ?? satelliteCatalogNumber(item);
}

/** The elements a TLE or OMM item carries, in the stored form (see orbital-elements.ts). */
function givenElements(item: SatelliteDocument): OrbitalElements | null {
  if (item.tle) return { format: 'tle', line1: item.tle.line1, line2: item.tle.line2 };
  if (item.omm) return { format: 'omm', omm: item.omm };
  return null;
}

/** Synthetic elements for a stated orbit, with epoch `epochMs` (the moment of the apply). */
export function elementsForOrbit(item: SatelliteDocument & { orbit: OrbitSpecDocument }, epochMs: number): OrbitalElements {
  const spec = item.orbit;
  return elementsFromOrbit(
    {
      altitudeKm: spec.altitudeKm,
      inclinationDeg: spec.inclinationDeg ?? sunSynchronousInclinationDeg(spec.altitudeKm, spec.eccentricity ?? 0),
      raanDeg: spec.raanDeg,
      meanAnomalyDeg: spec.meanAnomalyDeg,
      argPerigeeDeg: spec.argPerigeeDeg,
      eccentricity: spec.eccentricity,
      noradId: item.noradId ?? UNNAMED_SYNTHETIC_NORAD_ID,
      name: item.name,
    },
    epochMs,
  );
}

type ElementsDecision = 'keep' | 'file' | 'orbit';

/**
 * Whether a stored satellite's elements are replaced by the item's:
 * - a stated orbit: only when the spec differs from the stored one (the spec is compared, never
 *   the elements, so re-applying it does not regenerate them and feed updates survive);
 * - TLE/OMM: when they differ from the stored elements, unless the stored ones came from the
 *   GP feed and are at least as recent (a file does not roll the feed back).
 */
function elementsDecision(item: SatelliteDocument, row: SatelliteRow): ElementsDecision {
  if (item.orbit) return row.orbit && canonical(row.orbit) === canonical(item.orbit) ? 'keep' : 'orbit';
  const elements = givenElements(item)!;
  if (row.orbit) return 'file';
  if (canonical(row.elements) === canonical(elements)) return 'keep';
  if (row.source === 'feed' && row.epochMs >= elementsEpochMs(elements)) return 'keep';
  return 'file';
}

export interface SatellitePlan {
  created: string[];
  updated: string[];
  /** The writes, each with its event; `now` is also the epoch of newly generated synthetic elements. */
  statements(ctx: ServiceContext, now: number): Statement[];
}

/** Compares the file's satellites with the stored ones, by key. Nothing is generated or written yet. */
export async function planSatellites(db: Db, items: SatelliteDocument[]): Promise<SatellitePlan> {
  const rows = items.length ? await db.select().from(satellites) : [];
  const stored = new Map(rows.map((row) => [row.key, row]));
  const changes: Array<{ item: SatelliteDocument; row: SatelliteRow | undefined; elements: ElementsDecision }> = [];
  for (const item of items) {
    const row = stored.get(item.key);
    if (!row) {
      changes.push({ item, row, elements: item.orbit ? 'orbit' : 'file' });
      continue;
    }
    const elements = elementsDecision(item, row);
    if (elements !== 'keep' || row.name !== item.name || row.noradId !== effectiveNoradId(item)) changes.push({ item, row, elements });
  }
  return {
    created: changes.filter((c) => !c.row).map((c) => c.item.key),
    updated: changes.filter((c) => c.row).map((c) => c.item.key),
    statements: (ctx, now) => changes.flatMap((c) => writeSatellite(ctx, c.item, c.row, c.elements, now)),
  };
}

function writeSatellite(ctx: ServiceContext, item: SatelliteDocument, row: SatelliteRow | undefined, decision: ElementsDecision, now: number): Statement[] {
  let elementColumns: Partial<Pick<SatelliteRow, 'elements' | 'epochMs' | 'source' | 'orbit'>> = {};
  if (decision !== 'keep') {
    const elements = item.orbit ? elementsForOrbit({ ...item, orbit: item.orbit }, now) : givenElements(item)!;
    elementColumns = {
      elements: elements as unknown as Record<string, unknown>,
      epochMs: elementsEpochMs(elements),
      source: decision,
      orbit: item.orbit ? compact(item.orbit) : null,
    };
  }
  const columns = { name: item.name, noradId: effectiveNoradId(item), ...elementColumns, updatedAt: now };
  const write = row
    ? ctx.db.update(satellites).set(columns).where(eq(satellites.key, item.key))
    : ctx.db.insert(satellites).values({ key: item.key, ...columns } as typeof satellites.$inferInsert);
  return [
    write,
    recordEvent(ctx, {
      type: row ? 'satellite.updated' : 'satellite.created',
      subjectKind: 'satellite',
      subjectId: sql`(select id from satellites where key = ${item.key})`,
      subjectKey: item.key,
      data: {
        elementsChanged: decision !== 'keep',
        ...(decision !== 'keep' ? { source: decision, epoch: new Date(elementColumns.epochMs!).toISOString() } : {}),
      },
    }),
  ];
}

/** Contact checks name satellites that exist in the file or the database. */
export function satelliteReferenceProblems(document: InventoryDocument, current: InventoryDocument, locate: Locate | undefined): ErrorDetail[] {
  const keys = new Set([...current.satellites, ...document.satellites].map((s) => s.key));
  const problems: ErrorDetail[] = [];
  document.checks.forEach((check, i) => {
    if (check.kind !== 'contact') return;
    (check.contact?.satellites ?? []).forEach((key, j) => {
      if (!keys.has(key)) problems.push(withLocation(locate, ['checks', i, 'contact', 'satellites', j], `no satellite with key "${key}"`));
    });
  });
  return problems;
}

/** A stored satellite in the apply file's spelling: a stated orbit stays an orbit, else its elements. */
export function satelliteDocument(row: SatelliteRow): SatelliteDocument {
  const elements = row.elements as unknown as OrbitalElements;
  const spelling = row.orbit
    ? { orbit: row.orbit as OrbitSpecDocument }
    : elements.format === 'tle'
      ? { tle: { line1: elements.line1, line2: elements.line2 } }
      : { omm: elements.omm };
  return compact({ key: row.key, name: row.name, noradId: row.noradId, ...spelling }) as SatelliteDocument;
}

export async function readSatelliteDocuments(db: Db): Promise<SatelliteDocument[]> {
  const rows = await db.select().from(satellites).orderBy(asc(satellites.id));
  return rows.map(satelliteDocument);
}
