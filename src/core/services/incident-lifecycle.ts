// What officers do to an incident by hand: open it, post updates (a `resolved` one resolves it),
// reopen it, and set its title and severity. Each change and its event commit together.
import { eq, sql, type SQL } from 'drizzle-orm';
import { commitAtomically, type Statement } from '../store/client.js';
import { assets, incidents, incidentUpdates, missionFunctions, type IncidentRow } from '../store/schema/index.js';
import type { IncidentUpdateStatus, Severity, UpdateVisibility } from '../domain/enums.js';
import { ConflictError, UnprocessableError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { recordEvent } from '../store/events.js';
import { idsIn } from '../store/ids.js';
import type { WriteContext } from '../store/context.js';
import type { ServiceContext } from './context.js';
import { getIncident, loadIncident } from './incidents.js';
import type { Marking } from '../domain/marking.js';
import { incidentMarkings } from '../sharing/incident-marking.js';
import { retractionStatements } from '../sharing/retraction.js';

export interface IncidentUpdateInput {
  status: IncidentUpdateStatus;
  message: string;
  /** Internal unless the officer publishes it. */
  visibility?: UpdateVisibility;
}

/** The incident an update is about: its row, or the row being written in the same batch (id as a sub-select). */
export type UpdateTarget = Pick<IncidentRow, 'ref' | 'title' | 'severity' | 'state'> & { id: number | SQL; assetKey: string | null };

/** The update row, its `incident.updated` event, and, when it resolves an open incident, the resolution. */
export function updateStatements(ctx: WriteContext, target: UpdateTarget, input: IncidentUpdateInput): Statement[] {
  const visibility = input.visibility ?? 'internal';
  const statements: Statement[] = [
    ctx.db.insert(incidentUpdates).values({ incidentId: target.id, ts: ctx.now(), author: ctx.actor.name, status: input.status, message: input.message, visibility }),
    recordEvent(ctx, {
      type: 'incident.updated',
      subjectKind: 'incident',
      subjectId: target.id,
      subjectKey: target.ref,
      severity: target.severity,
      data: { incidentRef: target.ref, title: target.title, status: input.status, message: input.message, visibility },
    }),
  ];
  if (input.status === 'resolved' && target.state === 'open') statements.push(...resolveStatements(ctx, target, target.assetKey));
  return statements;
}

/** Resolves an open incident now: state, resolvedAt (so its TTR) and the `incident.resolved` event. */
function resolveStatements(ctx: WriteContext, target: Pick<UpdateTarget, 'id' | 'ref' | 'title' | 'severity'>, assetKey: string | null): Statement[] {
  const now = ctx.now();
  return [
    ctx.db.update(incidents).set({ state: 'resolved', resolvedAt: now }).where(eq(incidents.ref, target.ref)),
    recordEvent(ctx, {
      type: 'incident.resolved',
      subjectKind: 'incident',
      subjectId: target.id,
      subjectKey: target.ref,
      severity: target.severity,
      data: { incidentRef: target.ref, title: target.title, assetKey, resolvedAt: now },
    }),
  ];
}

/** The keys of the named assets and functions; a 422 naming the field (`fieldOf`) for any that does not exist. */
async function requireExisting(ctx: ServiceContext, assetIds: number[], functionIds: number[], fieldOf: (list: 'assets' | 'functions') => string) {
  const [assetRows, functionRows] = await Promise.all([
    assetIds.length ? ctx.db.select({ id: assets.id, key: assets.key }).from(assets).where(idsIn(assets.id, assetIds)) : [],
    functionIds.length ? ctx.db.select({ id: missionFunctions.id, key: missionFunctions.key }).from(missionFunctions).where(idsIn(missionFunctions.id, functionIds)) : [],
  ]);
  const assetKeys = new Map(assetRows.map((r) => [r.id, r.key]));
  const functionKeys = new Map(functionRows.map((r) => [r.id, r.key]));
  const missingAssets = assetIds.filter((id) => !assetKeys.has(id));
  const missingFunctions = functionIds.filter((id) => !functionKeys.has(id));
  const problems = [
    ...(missingAssets.length ? [{ path: fieldOf('assets'), location: 'body' as const, message: `No asset with id ${missingAssets.join(', ')}` }] : []),
    ...(missingFunctions.length ? [{ path: fieldOf('functions'), location: 'body' as const, message: `No mission function with id ${missingFunctions.join(', ')}` }] : []),
  ];
  if (problems.length) throw new UnprocessableError(problems);
  return { assetKeys, functionKeys };
}

async function assetKeyOf(ctx: ServiceContext, assetId: number | null): Promise<string | null> {
  if (assetId === null) return null;
  const [asset] = await ctx.db.select({ key: assets.key }).from(assets).where(eq(assets.id, assetId));
  return asset?.key ?? null;
}

/** Adds an officer's update; a `resolved` update resolves an open incident. */
export async function addIncidentUpdate(ctx: ServiceContext, id: number, input: IncidentUpdateInput) {
  authorize(ctx.actor, 'handleIncidents');
  const row = await loadIncident(ctx.db, id);
  if (row.state === 'resolved' && input.status !== 'resolved') {
    throw new ConflictError('The incident is resolved; reopen it first, or add a "resolved" update (e.g. a postmortem note)');
  }
  await commitAtomically(ctx.db, updateStatements(ctx, { ...row, assetKey: await assetKeyOf(ctx, row.assetId) }, input));
  return getIncident(ctx, id);
}

export interface OpenIncidentInput {
  title: string;
  severity: Severity;
  assetId?: number;
  functionIds?: number[];
  update?: IncidentUpdateInput;
}

/** An incident an officer opens by hand (something the checks cannot see); started and detected now. */
export async function openIncidentByHand(ctx: ServiceContext, input: OpenIncidentInput) {
  authorize(ctx.actor, 'handleIncidents');
  const functionIds = [...new Set(input.functionIds ?? [])];
  const assetIds = input.assetId === undefined ? [] : [input.assetId];
  const { assetKeys, functionKeys } = await requireExisting(ctx, assetIds, functionIds, (list) => (list === 'assets' ? 'assetId' : 'functionIds'));
  const assetKey = input.assetId === undefined ? null : assetKeys.get(input.assetId)!;
  const now = ctx.now();
  const ref = crypto.randomUUID();
  const id = sql`(select id from incidents where ref = ${ref})`;
  await commitAtomically(ctx.db, [
    ctx.db.insert(incidents).values({
      ref, assetId: input.assetId ?? null, affectedAssetIds: assetIds, functionIds, state: 'open', severity: input.severity, title: input.title, startedAt: now, openedAt: now,
    }),
    recordEvent(ctx, {
      type: 'incident.opened',
      subjectKind: 'incident',
      subjectId: id,
      subjectKey: ref,
      severity: input.severity,
      data: {
        incidentRef: ref, title: input.title, assetKey, functionKeys: functionIds.map((fid) => functionKeys.get(fid)!),
        startedAt: now, openedAt: now, ttdMs: 0,
      },
    }),
    ...(input.update ? updateStatements(ctx, { id, ref, title: input.title, severity: input.severity, state: 'open', assetKey }, input.update) : []),
  ]);
  const [row] = await ctx.db.select({ id: incidents.id }).from(incidents).where(eq(incidents.ref, ref));
  return getIncident(ctx, row!.id);
}

/** Reopens a resolved incident: open again, no resolution, the `incident.reopened` event. */
export async function reopenIncident(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'handleIncidents');
  const row = await loadIncident(ctx.db, id);
  if (row.state === 'open') throw new ConflictError('The incident is open already');
  await commitAtomically(ctx.db, [
    ctx.db.update(incidents).set({ state: 'open', resolvedAt: null }).where(eq(incidents.id, id)),
    recordEvent(ctx, {
      type: 'incident.reopened',
      subjectKind: 'incident',
      subjectId: id,
      subjectKey: row.ref,
      severity: row.severity,
      data: { incidentRef: row.ref, title: row.title, reopenedBy: ctx.actor.name },
    }),
  ]);
  return getIncident(ctx, id);
}

export interface EditIncidentInput {
  title?: string;
  severity?: Severity;
  affected?: { assets: number[]; functions: number[] };
  /** null: back to the most restrictive marking of what it touches. */
  marking?: Marking | null;
}

/** An officer's judgement of the incident: its title, severity (the impact status pages show) and affected components. */
export async function editIncident(ctx: ServiceContext, id: number, input: EditIncidentInput) {
  authorize(ctx.actor, 'handleIncidents');
  const row = await loadIncident(ctx.db, id);
  const { affected, ...fields } = input;
  const set: Partial<IncidentRow> = { ...fields };
  if (affected) {
    set.affectedAssetIds = [...new Set(affected.assets)];
    set.functionIds = [...new Set(affected.functions)];
    await requireExisting(ctx, set.affectedAssetIds, set.functionIds, (list) => `affected.${list}`);
  }
  const markings = await incidentMarkings(ctx.db, [row, { ...row, ...set, id: -1 }]);
  const retraction = await retractionStatements(ctx, [{ kind: 'incident', key: row.ref, before: markings.get(row.id), after: markings.get(-1) }]);
  await commitAtomically(ctx.db, [
    ctx.db.update(incidents).set(set).where(eq(incidents.id, id)),
    ...retraction,
    recordEvent(ctx, {
      type: 'incident.edited',
      subjectKind: 'incident',
      subjectId: id,
      subjectKey: row.ref,
      severity: input.severity ?? row.severity,
      data: { incidentRef: row.ref, title: input.title ?? row.title, changed: Object.keys(input) },
    }),
  ]);
  return getIncident(ctx, id);
}
