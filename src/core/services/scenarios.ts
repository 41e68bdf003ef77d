import { asc, eq, sql } from 'drizzle-orm';
import { commitAtomically, type Db } from '../store/client.js';
import { assets, checks, drillRuns, missionFunctions, scenarios, type ScenarioRow } from '../store/schema/index.js';
import { DEFAULT_INTERVAL_SECONDS } from '../domain/checks.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import { assessScenario, type AssessFunction } from '../scenarios/assess.js';
import { scenarioBodySchema, type ScenarioBody } from '../domain/scenarios.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { loadGroups } from './functions.js';

export interface ScenarioInput {
  key: string;
  name: string;
  description?: string;
  body: ScenarioBody;
}

export function scenarioView(row: ScenarioRow) {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    kind: row.kind as ScenarioBody['kind'],
    params: row.params,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

export async function listScenarios(ctx: ServiceContext) {
  authorize(ctx.actor, 'read');
  return (await ctx.db.select().from(scenarios).orderBy(asc(scenarios.id))).map(scenarioView);
}

async function loadScenario(db: Db, id: number): Promise<ScenarioRow> {
  const [row] = await db.select().from(scenarios).where(eq(scenarios.id, id));
  if (!row) throw new NotFoundError('scenario', id);
  return row;
}

export async function getScenario(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'read');
  return scenarioView(await loadScenario(ctx.db, id));
}

export async function createScenario(ctx: ServiceContext, input: ScenarioInput) {
  authorize(ctx.actor, 'planExercises');
  const [taken] = await ctx.db.select({ id: scenarios.id }).from(scenarios).where(eq(scenarios.key, input.key));
  if (taken) throw new ConflictError(`A scenario with key "${input.key}" already exists`, [{ path: 'key', message: 'already in use' }]);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.insert(scenarios).values({
      key: input.key, name: input.name, description: input.description ?? null, kind: input.body.kind, params: input.body.params, createdAt: now, updatedAt: now,
    }),
    recordEvent(ctx, { type: 'scenario.created', subjectKind: 'scenario', subjectId: sql`(select id from scenarios where key = ${input.key})`, subjectKey: input.key, data: { kind: input.body.kind } }),
  ]);
  const [row] = await ctx.db.select().from(scenarios).where(eq(scenarios.key, input.key));
  return scenarioView(row!);
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

/** The stored scenario's body (kind and parameters), validated again as stored data may predate a rule. */
export async function scenarioBody(db: Db, id: number): Promise<ScenarioBody> {
  const row = await loadScenario(db, id);
  return scenarioBodySchema.parse({ kind: row.kind, params: row.params });
}

/** Everything the what-if needs, read once. */
async function assessmentInputs(db: Db) {
  const assetRows = await db.select().from(assets).orderBy(asc(assets.id));
  const located = new Map(assetRows.map((a) => [a.id, a.lat !== null && a.lon !== null ? { lat: a.lat, lon: a.lon } : null]));
  const functionRows = await db.select().from(missionFunctions).orderBy(asc(missionFunctions.id));
  const groups = await loadGroups(db, functionRows.map((f) => f.id));
  const checkRows = await db
    .select({ assetId: checks.assetId, failureThreshold: checks.failureThreshold, intervalSeconds: checks.intervalSeconds, enabled: checks.enabled })
    .from(checks);
  const detection = new Map<number, number>();
  for (const c of checkRows) {
    if (!c.enabled) continue;
    const seconds = c.failureThreshold * (c.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS);
    detection.set(c.assetId, Math.min(detection.get(c.assetId) ?? Infinity, seconds));
  }
  const runs = await db
    .select({ functionIds: drillRuns.functionIds, startedAt: drillRuns.startedAt, failoverCompletedAt: drillRuns.failoverCompletedAt })
    .from(drillRuns)
    .where(eq(drillRuns.status, 'completed'));
  const measured = new Map<number, number[]>();
  for (const run of runs) {
    if (run.startedAt === null || run.failoverCompletedAt === null) continue;
    for (const id of run.functionIds) measured.set(id, [...(measured.get(id) ?? []), (run.failoverCompletedAt - run.startedAt) / 1000]);
  }
  return {
    assets: assetRows.map((a) => {
      const ends = a.kind === 'network_link' ? [located.get(a.linkFromAssetId ?? -1), located.get(a.linkToAssetId ?? -1)] : null;
      return {
        id: a.id, key: a.key, name: a.name, kind: a.kind, lat: a.lat, lon: a.lon, vendor: a.vendor, model: a.model, firmware: a.firmware,
        managementNetwork: a.managementNetwork, gridRegion: a.gridRegion, backupPowerHours: a.backupPowerHours, tags: a.tags,
        assetId: a.id,
        linkEnds: ends && ends[0] && ends[1] ? ([ends[0], ends[1]] as [{ lat: number; lon: number }, { lat: number; lon: number }]) : null,
        linkEndIds: [a.linkFromAssetId, a.linkToAssetId] as [number | null, number | null],
      };
    }),
    functions: functionRows.map((f): AssessFunction => ({
      id: f.id, key: f.key, name: f.name, tier: f.tier, rtoSeconds: f.rtoSeconds, mtdSeconds: f.mtdSeconds, groups: groups.get(f.id) ?? [],
    })),
    detectionSeconds: (id: number) => detection.get(id) ?? null,
    measuredFailoverSeconds: (id: number) => {
      const values = [...(measured.get(id) ?? [])].sort((a, b) => a - b);
      return values.length ? values[Math.floor((values.length - 1) / 2)]! : null;
    },
  };
}

/** What-if assessment of a scenario against the current inventory; touches no live state. */
export async function assessScenarioBody(ctx: ServiceContext, body: ScenarioBody, includeAll = false) {
  authorize(ctx.actor, 'planExercises');
  return assessScenario({ scenario: body, ...(await assessmentInputs(ctx.db)), atMs: ctx.now(), includeAll });
}

export async function assessSavedScenario(ctx: ServiceContext, id: number, includeAll = false) {
  authorize(ctx.actor, 'planExercises');
  const body = await scenarioBody(ctx.db, id);
  return { scenarioId: id, ...(await assessScenarioBody(ctx, body, includeAll)) };
}
