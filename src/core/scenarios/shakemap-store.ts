// Attaching a ShakeMap to an earthquake scenario: parsed whole first, then the grid row and its
// event in one batch, so a bad file stores nothing and a good one is never stored unannounced.
import { eq } from 'drizzle-orm';
import { commitAtomically } from '../store/client.js';
import type { Db } from '../store/client.js';
import type { WriteContext } from '../store/context.js';
import { recordEvent } from '../store/events.js';
import { scenarioShakemaps, type ScenarioShakemapRow } from '../store/schema/index.js';
import { authorize } from '../domain/roles.js';
import { InvalidInputError, NotFoundError, UnprocessableError } from '../domain/errors.js';
import { isoTime } from '../domain/time.js';
import { loadScenario } from './saved-scenarios.js';
import { parseShakeMapGrid, ShakeMapFormatError, type GridSpec, type ShakeMapGrid } from './shakemap-grid.js';

/** A stored grid, unpacked: what the assessment samples. */
export interface StoredShakeMap {
  eventId: string;
  event: Record<string, string | number | null>;
  spec: GridSpec;
  pgv: Float64Array;
  mmi: Float64Array | null;
}

const NO_MOTION = -32768;

function packInt16(values: Float64Array, encode: (v: number) => number): string {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setInt16(i * 2, Math.max(NO_MOTION, Math.min(32767, encode(v))), true));
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function unpackInt16(text: string, decode: (n: number) => number): Float64Array {
  const binary = atob(text);
  const view = new DataView(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)).buffer);
  const out = new Float64Array(binary.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = decode(view.getInt16(i * 2, true));
  return out;
}

/** PGV (cm/s) as 1000·log10: 0.23 % steps, far finer than the grid's own digits. */
const packPgv = (pgv: Float64Array) => packInt16(pgv, (v) => (v > 0 ? Math.round(1000 * Math.log10(v)) : NO_MOTION));
const unpackPgv = (text: string) => unpackInt16(text, (n) => (n === NO_MOTION ? 0 : 10 ** (n / 1000)));
const packMmi = (mmi: Float64Array) => packInt16(mmi, (v) => Math.round(v * 100));
const unpackMmi = (text: string) => unpackInt16(text, (n) => n / 100);

/** What the API shows of an attached ShakeMap (not the grid itself). */
export function shakemapView(row: ScenarioShakemapRow) {
  return {
    scenarioId: row.scenarioId,
    eventId: row.eventId,
    event: row.event,
    grid: { lonMin: row.lonMin, latMin: row.latMin, lonMax: row.lonMax, latMax: row.latMax, nlon: row.nlon, nlat: row.nlat, points: row.nlon * row.nlat },
    fields: row.mmi === null ? ['PGV'] : ['PGV', 'MMI'],
    bytes: row.bytes,
    attachedAt: isoTime(row.attachedAt),
    attachedBy: row.attachedBy,
  };
}

/** Parses the grid.xml and attaches it to the earthquake scenario, replacing one attached before. */
export async function attachShakeMap(ctx: WriteContext, scenarioId: number, xml: string, bytes: number) {
  authorize(ctx.actor, 'planExercises');
  const scenario = await loadScenario(ctx.db, scenarioId);
  if (scenario.kind !== 'earthquake') {
    throw new UnprocessableError([{ path: 'id', location: 'path', message: `a ShakeMap can be attached only to an earthquake scenario; this one is ${scenario.kind}` }]);
  }
  let grid: ShakeMapGrid;
  try {
    grid = parseShakeMapGrid(xml);
  } catch (err) {
    if (err instanceof ShakeMapFormatError) throw new InvalidInputError([{ path: err.path, location: 'body', message: err.message }]);
    throw err;
  }
  const [previous] = await ctx.db.select({ eventId: scenarioShakemaps.eventId }).from(scenarioShakemaps).where(eq(scenarioShakemaps.scenarioId, scenarioId));
  const row = {
    scenarioId, eventId: grid.event.eventId, event: { ...grid.event }, ...grid.spec,
    pgv: packPgv(grid.pgv), mmi: grid.mmi ? packMmi(grid.mmi) : null, bytes, attachedAt: ctx.now(), attachedBy: ctx.actor.name,
  };
  await commitAtomically(ctx.db, [
    ctx.db.insert(scenarioShakemaps).values(row).onConflictDoUpdate({ target: scenarioShakemaps.scenarioId, set: row }),
    recordEvent(ctx, {
      type: 'scenario.shakemap_attached', subjectKind: 'scenario', subjectId: scenarioId, subjectKey: scenario.key,
      data: { eventId: grid.event.eventId, points: grid.spec.nlon * grid.spec.nlat, bytes, replaced: previous !== undefined },
    }),
  ]);
  return shakemapView((await shakemapRow(ctx.db, scenarioId))!);
}

export async function detachShakeMap(ctx: WriteContext, scenarioId: number) {
  authorize(ctx.actor, 'planExercises');
  const scenario = await loadScenario(ctx.db, scenarioId);
  const row = await shakemapRow(ctx.db, scenarioId);
  if (!row) throw new NotFoundError('ShakeMap attached to scenario', scenarioId);
  await commitAtomically(ctx.db, [
    ctx.db.delete(scenarioShakemaps).where(eq(scenarioShakemaps.scenarioId, scenarioId)),
    recordEvent(ctx, { type: 'scenario.shakemap_detached', subjectKind: 'scenario', subjectId: scenarioId, subjectKey: scenario.key, data: { eventId: row.eventId } }),
  ]);
}

export async function shakemapRow(db: Db, scenarioId: number): Promise<ScenarioShakemapRow | undefined> {
  const [row] = await db.select().from(scenarioShakemaps).where(eq(scenarioShakemaps.scenarioId, scenarioId));
  return row;
}

/** The scenario's attached grid, unpacked; null when none is attached. */
export async function loadShakeMap(db: Db, scenarioId: number): Promise<StoredShakeMap | null> {
  const row = await shakemapRow(db, scenarioId);
  if (!row) return null;
  return {
    eventId: row.eventId,
    event: row.event,
    spec: { lonMin: row.lonMin, latMin: row.latMin, lonMax: row.lonMax, latMax: row.latMax, nlon: row.nlon, nlat: row.nlat },
    pgv: unpackPgv(row.pgv),
    mmi: row.mmi === null ? null : unpackMmi(row.mmi),
  };
}
