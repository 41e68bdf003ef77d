import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { commitAtomically, type Db } from '../store/client.js';
import { assets, drillFindings, drillRuns, drills, missionFunctions, scenarios, type DrillRow, type DrillRunRow, type HookSpec } from '../store/schema/index.js';
import { ConflictError, NotFoundError, UnprocessableError, type ErrorDetail } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import { drillInputSchema, type DrillInput } from '../domain/drills.js';
import { applyPatch, patchSchemaOf } from '../domain/patch.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { idsIn } from '../store/ids.js';
import { loadDrill } from '../drills/drill-queries.js';
import { runView, type RunView } from '../drills/run-view.js';
import { maskHeaders, restoreMaskedHeaders, type SecretsIn } from './secrets.js';
import { retractionStatements } from '../sharing/retraction.js';

/** A hook with its header values masked: they usually carry the credential the hook needs. */
function maskedHook(hook: HookSpec | null): HookSpec | null {
  return hook?.headers ? { ...hook, headers: maskHeaders(hook.headers) } : hook;
}

/** The drill as answers show it; its hooks' header values only in the answer that created it. */
export function drillView(row: DrillRow, secrets: SecretsIn = 'masked') {
  const hook = (h: HookSpec | null) => (secrets === 'shown' ? h : maskedHook(h));
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    scenarioId: row.scenarioId,
    targetAssetIds: row.targetAssetIds,
    blastRadius: row.blastRadius,
    exerciseType: row.exerciseType,
    mode: row.mode,
    injectHook: hook(row.injectHook),
    rollbackHook: hook(row.rollbackHook),
    hypothesis: row.hypothesis,
    guardrails: row.guardrails,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled,
    marking: row.marking,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
    /** Set once the drill is retired: never scheduled or run again; its runs stay and still count. */
    retiredAt: isoTime(row.retiredAt),
  };
}

export async function listDrills(ctx: ServiceContext) {
  authorize(ctx.actor, 'read');
  return (await ctx.db.select().from(drills).orderBy(asc(drills.id))).map((row) => drillView(row));
}

export async function getDrill(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'read');
  return drillView(await loadDrill(ctx.db, id));
}

async function checkReferences(db: Db, input: DrillInput) {
  const problems: ErrorDetail[] = [];
  if (input.scenarioId !== undefined) {
    const [found] = await db.select({ id: scenarios.id }).from(scenarios).where(eq(scenarios.id, input.scenarioId));
    if (!found) problems.push({ path: 'scenarioId', message: `no scenario with id ${input.scenarioId}` });
  }
  const assetIds = input.targetAssetIds ?? [];
  if (assetIds.length) {
    const found = new Set((await db.select({ id: assets.id }).from(assets).where(idsIn(assets.id, assetIds))).map((r) => r.id));
    assetIds.forEach((id, i) => found.has(id) || problems.push({ path: `targetAssetIds.${i}`, message: `no asset with id ${id}` }));
  }
  const functionIds = [...input.hypothesis.functionIds, ...input.guardrails.protectedFunctionIds];
  if (functionIds.length) {
    const found = new Set((await db.select({ id: missionFunctions.id }).from(missionFunctions).where(idsIn(missionFunctions.id, functionIds))).map((r) => r.id));
    input.hypothesis.functionIds.forEach((id, i) => found.has(id) || problems.push({ path: `hypothesis.functionIds.${i}`, message: `no mission function with id ${id}` }));
    input.guardrails.protectedFunctionIds.forEach((id, i) => found.has(id) || problems.push({ path: `guardrails.protectedFunctionIds.${i}`, message: `no mission function with id ${id}` }));
  }
  if (problems.length) throw new UnprocessableError(problems);
}

export async function createDrill(ctx: ServiceContext, input: DrillInput) {
  authorize(ctx.actor, 'planExercises');
  await checkReferences(ctx.db, input);
  const [taken] = await ctx.db.select({ retiredAt: drills.retiredAt }).from(drills).where(eq(drills.key, input.key));
  if (taken) throw new ConflictError(`A drill with key "${input.key}" already exists`, [{ path: 'key', message: taken.retiredAt === null ? 'already in use' : 'held by a retired drill (its runs are history); choose another key' }]);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.insert(drills).values({
      key: input.key, name: input.name, description: input.description ?? null, scenarioId: input.scenarioId ?? null,
      targetAssetIds: input.targetAssetIds ?? null, blastRadius: input.blastRadius, exerciseType: input.exerciseType, mode: input.mode,
      injectHook: input.injectHook ?? null, rollbackHook: input.rollbackHook ?? null, hypothesis: input.hypothesis, guardrails: input.guardrails,
      cron: input.cron ?? null, timezone: input.cron ? (input.timezone ?? null) : null, enabled: input.enabled, marking: input.marking ?? null, createdAt: now, updatedAt: now,
    }),
    recordEvent(ctx, { type: 'drill.created', subjectKind: 'drill', subjectId: sql`(select id from drills where key = ${input.key})`, subjectKey: input.key }),
  ]);
  const [row] = await ctx.db.select().from(drills).where(eq(drills.key, input.key));
  return drillView(row!, 'shown');
}

async function assertNotRunning(db: Db, row: DrillRow): Promise<void> {
  const [running] = await db.select({ id: drillRuns.id }).from(drillRuns).where(and(eq(drillRuns.drillId, row.id), eq(drillRuns.status, 'running')));
  if (running) throw new ConflictError(`Drill "${row.key}" has run ${running.id} in progress; abort it first`);
}

/** PATCH: any field but the key; `null` clears an optional one (e.g. `scenarioId` when naming targets instead). */
export const drillPatchSchema = patchSchemaOf(drillInputSchema.shape, ['key']);

/** Changes the fields the patch names; the drill that results is checked whole, as a new one. Not while it runs. */
export async function updateDrill(ctx: ServiceContext, id: number, patch: Record<string, unknown>) {
  authorize(ctx.actor, 'planExercises');
  const row = await loadDrill(ctx.db, id);
  assertNotRetired(row);
  await assertNotRunning(ctx.db, row);
  const { id: _id, createdAt: _created, updatedAt: _updated, retiredAt: _retired, ...current } = row;
  const { key: _key, ...patched } = applyPatch(drillInputSchema, current, patch);
  const input = keepStoredHookHeaders(patched, row);
  await checkReferences(ctx.db, { key: row.key, ...input });
  const cleared = { marking: null, description: null, scenarioId: null, targetAssetIds: null, injectHook: null, rollbackHook: null, cron: null, timezone: null };
  await commitAtomically(ctx.db, [
    ctx.db
      .update(drills)
      .set({ ...cleared, ...input, timezone: input.cron ? (input.timezone ?? null) : null, updatedAt: ctx.now() })
      .where(eq(drills.id, id)),
    recordEvent(ctx, { type: 'drill.updated', subjectKind: 'drill', subjectId: id, subjectKey: row.key, data: { changed: Object.keys(patch) } }),
    ...(await retractionStatements(ctx, [{ kind: 'drill', key: row.key, before: row.marking, after: input.marking }])),
  ]);
  return drillView(await loadDrill(ctx.db, id));
}

/** Hook headers sent back as the mask keep the values stored (a GET → edit → PATCH loses nothing). */
function keepStoredHookHeaders<T extends { injectHook?: HookSpec | null; rollbackHook?: HookSpec | null }>(input: T, row: DrillRow): T {
  const out = { ...input };
  const problems: Array<{ path: string; message: string; location: 'body' }> = [];
  for (const field of ['injectHook', 'rollbackHook'] as const) {
    const hook = input[field];
    if (!hook) continue;
    const kept = restoreMaskedHeaders(hook.headers, row[field]?.headers, [field, 'headers']);
    problems.push(...kept.problems.map((p) => ({ path: p.path.join('.'), message: p.message, location: 'body' as const })));
    out[field] = { ...hook, headers: kept.headers } as T[typeof field];
  }
  if (problems.length) throw new UnprocessableError(problems);
  return out;
}

function assertNotRetired(row: DrillRow): void {
  if (row.retiredAt !== null) throw new ConflictError(`Drill "${row.key}" is retired; it cannot be changed`);
}

/**
 * Retires the drill (`DELETE /api/drills/{id}`): it is never scheduled or run again and stays
 * readable; its runs are history and keep counting in the resilience score. Runs are never
 * deleted: deleting a failed drill must not raise a score. Retiring a retired drill changes nothing.
 */
export async function retireDrill(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'planExercises');
  const row = await loadDrill(ctx.db, id);
  if (row.retiredAt !== null) return drillView(row);
  await assertNotRunning(ctx.db, row);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.update(drills).set({ retiredAt: now, updatedAt: now }).where(eq(drills.id, id)),
    recordEvent(ctx, { type: 'drill.retired', subjectKind: 'drill', subjectId: id, subjectKey: row.key }),
  ]);
  return drillView(await loadDrill(ctx.db, id));
}

export async function listRuns(ctx: ServiceContext, drillId: number) {
  authorize(ctx.actor, 'read');
  await loadDrill(ctx.db, drillId);
  return (await ctx.db.select().from(drillRuns).where(eq(drillRuns.drillId, drillId)).orderBy(desc(drillRuns.id)).limit(200)).map(runView);
}

export async function loadRun(db: Db, drillId: number, runId: number): Promise<DrillRunRow> {
  const [row] = await db.select().from(drillRuns).where(and(eq(drillRuns.id, runId), eq(drillRuns.drillId, drillId)));
  if (!row) throw new NotFoundError(`run of drill ${drillId}`, runId);
  return row;
}

export async function getRun(ctx: ServiceContext, drillId: number, runId: number) {
  authorize(ctx.actor, 'read');
  return runView(await loadRun(ctx.db, drillId, runId));
}

// ── Findings ────────────────────────────────────────────────────────────────

type FindingRow = typeof drillFindings.$inferSelect;
export function findingView(row: FindingRow) {
  return {
    id: row.id, runId: row.runId, title: row.title, detail: row.detail, owner: row.owner, dueDate: row.dueDate, status: row.status,
    createdAt: isoTime(row.createdAt), closedAt: isoTime(row.closedAt),
  };
}

export async function addFinding(
  ctx: ServiceContext,
  drillId: number,
  runId: number,
  input: { title: string; detail?: string; owner: string; dueDate: string; status: 'open' | 'in_progress' | 'closed' },
) {
  authorize(ctx.actor, 'planExercises');
  await loadRun(ctx.db, drillId, runId);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.insert(drillFindings).values({
      runId, title: input.title, detail: input.detail ?? null, owner: input.owner, dueDate: input.dueDate, status: input.status, createdAt: now,
      closedAt: input.status === 'closed' ? now : null,
    }),
    recordEvent(ctx, { type: 'finding.created', subjectKind: 'drill_run', subjectId: runId, data: { title: input.title, owner: input.owner, dueDate: input.dueDate } }),
  ]);
  const [row] = await ctx.db.select().from(drillFindings).where(eq(drillFindings.runId, runId)).orderBy(desc(drillFindings.id)).limit(1);
  return findingView(row!);
}

export async function updateFinding(
  ctx: ServiceContext,
  id: number,
  patch: Partial<{ title: string; detail: string; owner: string; dueDate: string; status: 'open' | 'in_progress' | 'closed' }>,
) {
  authorize(ctx.actor, 'planExercises');
  const [row] = await ctx.db.select().from(drillFindings).where(eq(drillFindings.id, id));
  if (!row) throw new NotFoundError('finding', id);
  const closing = patch.status === 'closed' && row.status !== 'closed';
  const reopening = patch.status !== undefined && patch.status !== 'closed';
  await commitAtomically(ctx.db, [
    ctx.db.update(drillFindings).set({ ...patch, ...(closing ? { closedAt: ctx.now() } : reopening ? { closedAt: null } : {}) }).where(eq(drillFindings.id, id)),
    recordEvent(ctx, { type: 'finding.updated', subjectKind: 'drill_run', subjectId: row.runId, data: { findingId: id, changed: Object.keys(patch) } }),
  ]);
  const [updated] = await ctx.db.select().from(drillFindings).where(eq(drillFindings.id, id));
  return findingView(updated!);
}

export async function listFindings(ctx: ServiceContext, status?: 'open' | 'in_progress' | 'closed') {
  authorize(ctx.actor, 'read');
  const rows = await ctx.db.select().from(drillFindings).where(status ? eq(drillFindings.status, status) : undefined).orderBy(asc(drillFindings.dueDate));
  return rows.map(findingView);
}
