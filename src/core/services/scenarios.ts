import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { commitAtomically } from '../store/client.js';
import { scenarios, type ScenarioRow } from '../store/schema/index.js';
import { ConflictError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import { markingSchema, type Marking } from '../domain/marking.js';
import { scenarioBodySchema, SCENARIO_KINDS, vantagesDownSchema, type ScenarioBody } from '../domain/scenarios.js';
import { applyPatch, patchSchemaOf } from '../domain/patch.js';
import { loadScenario, scenarioBody } from '../scenarios/saved-scenarios.js';
import { requireVantages } from '../scenarios/visibility-inputs.js';
import { assessAgainstInventory } from '../scenarios/what-if.js';
import { assessSavedAgainstInventory } from '../scenarios/shakemap-assess.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';

export interface ScenarioInput {
  key: string;
  name: string;
  description?: string;
  vantagesDown?: string[];
  marking?: Marking | null;
  body: ScenarioBody;
}

/** A scenario's fields besides its key, kind and params. */
export const scenarioAttributes = {
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(4000).optional(),
  /** Vantages the scenario takes down (a site's backhaul cut), by name. */
  vantagesDown: vantagesDownSchema.optional(),
  marking: markingSchema.nullish(),
};

/** PATCH: name, description, and kind and params (checked together); the key is fixed. */
export const scenarioPatchSchema = patchSchemaOf({ ...scenarioAttributes, kind: z.enum(SCENARIO_KINDS), params: z.record(z.string(), z.unknown()) });

export function scenarioView(row: ScenarioRow) {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    kind: row.kind as ScenarioBody['kind'],
    params: row.params,
    vantagesDown: row.vantagesDown ?? [],
    marking: row.marking,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

export async function listScenarios(ctx: ServiceContext) {
  authorize(ctx.actor, 'read');
  return (await ctx.db.select().from(scenarios).orderBy(asc(scenarios.id))).map(scenarioView);
}

export async function getScenario(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'read');
  return scenarioView(await loadScenario(ctx.db, id));
}

export async function createScenario(ctx: ServiceContext, input: ScenarioInput) {
  authorize(ctx.actor, 'planExercises');
  const [taken] = await ctx.db.select({ id: scenarios.id }).from(scenarios).where(eq(scenarios.key, input.key));
  if (taken) throw new ConflictError(`A scenario with key "${input.key}" already exists`, [{ path: 'key', message: 'already in use' }]);
  await requireVantages(ctx.db, input.vantagesDown);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.insert(scenarios).values({
      key: input.key, name: input.name, description: input.description ?? null, kind: input.body.kind, params: input.body.params,
      vantagesDown: input.vantagesDown?.length ? input.vantagesDown : null, marking: input.marking ?? null, createdAt: now, updatedAt: now,
    }),
    recordEvent(ctx, { type: 'scenario.created', subjectKind: 'scenario', subjectId: sql`(select id from scenarios where key = ${input.key})`, subjectKey: input.key, data: { kind: input.body.kind } }),
  ]);
  const [row] = await ctx.db.select().from(scenarios).where(eq(scenarios.key, input.key));
  return scenarioView(row!);
}

/** Changes the fields the patch names; a new kind needs params of that kind. */
export async function updateScenario(ctx: ServiceContext, id: number, patch: Record<string, unknown>) {
  authorize(ctx.actor, 'planExercises');
  const row = await loadScenario(ctx.db, id);
  const { kind, params, ...attributes } = patch;
  const fields = applyPatch(z.object(scenarioAttributes), { name: row.name, description: row.description, vantagesDown: row.vantagesDown, marking: row.marking }, attributes);
  const body = applyPatch(scenarioBodySchema, { kind: row.kind, params: row.params }, { kind, params });
  await requireVantages(ctx.db, fields.vantagesDown);
  await commitAtomically(ctx.db, [
    ctx.db
      .update(scenarios)
      .set({
        name: fields.name, description: fields.description ?? null, kind: body.kind, params: body.params,
        vantagesDown: fields.vantagesDown?.length ? fields.vantagesDown : null, marking: fields.marking ?? null, updatedAt: ctx.now(),
      })
      .where(eq(scenarios.id, id)),
    recordEvent(ctx, { type: 'scenario.updated', subjectKind: 'scenario', subjectId: id, subjectKey: row.key, data: { kind: body.kind, changed: Object.keys(patch) } }),
  ]);
  return scenarioView(await loadScenario(ctx.db, id));
}

export async function deleteScenario(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'planExercises');
  const row = await loadScenario(ctx.db, id);
  try {
    await commitAtomically(ctx.db, [
      ctx.db.delete(scenarios).where(eq(scenarios.id, id)),
      recordEvent(ctx, { type: 'scenario.deleted', subjectKind: 'scenario', subjectId: id, subjectKey: row.key }),
    ]);
  } catch (err) {
    if (/FOREIGN KEY/i.test(String(err))) throw new ConflictError(`Scenario "${row.key}" is used by a drill; delete or change the drill first`);
    throw err;
  }
}

/** What-if assessment of a scenario against the current inventory; touches no live state. */
export async function assessScenarioBody(ctx: ServiceContext, body: ScenarioBody, includeAll = false, vantagesDown: string[] = []) {
  authorize(ctx.actor, 'planExercises');
  await requireVantages(ctx.db, vantagesDown);
  return assessAgainstInventory(ctx.db, body, ctx.now(), { includeAll, vantagesDown });
}

export async function assessSavedScenario(ctx: ServiceContext, id: number, includeAll = false) {
  authorize(ctx.actor, 'planExercises');
  const body = await scenarioBody(ctx.db, id);
  const { vantagesDown } = await loadScenario(ctx.db, id);
  return { scenarioId: id, ...(await assessSavedAgainstInventory(ctx.db, id, body, ctx.now(), { includeAll, vantagesDown: vantagesDown ?? [] })) };
}
