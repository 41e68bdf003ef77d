// Scenarios and drills in the apply file: how items compare with the stored rows, the statements
// that bring the rows in line, the references they make, and the rows in the file's spelling
// for export. Drills name their scenario, targets and functions by key; the rows hold ids, which
// are resolved through sub-selects in the same batch (the referenced rows may be new in it).
import { asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db, Statement } from '../../store/client.js';
import { assets, drills, missionFunctions, scenarios, type DrillRow, type ScenarioRow } from '../../store/schema/index.js';
import { scenarioDocumentSchema, type DrillDocument, type InventoryDocument, type ScenarioDocument } from '../../domain/document.js';
import type { ErrorDetail } from '../../domain/errors.js';
import { drillDocumentSchema } from '../../domain/drills.js';
import type { ServiceContext } from '../context.js';
import { recordEvent } from '../../store/events.js';
import { withLocation, type Locate } from './document.js';
import { canonical, compact } from './canonical.js';

/** The stored sections, in the file's spelling but not yet validated (see `planExercises`). */
export interface StoredExercises {
  scenarios: ScenarioDocument[];
  drills: DrillDocument[];
}

/**
 * The file's items that differ from the stored ones, by key. A stored item goes through the
 * same schema as the file's first, so defaults compare like for like; one that no longer passes
 * (data from before a rule, a drill whose target asset was deleted) counts as differing.
 */
function changed<T extends { key: string }>(items: T[], stored: T[], schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }) {
  const before = new Map(
    stored.map((item) => {
      const parsed = schema.safeParse(item);
      return [item.key, parsed.success ? canonical(parsed.data) : null] as const;
    }),
  );
  const differing = items.filter((item) => before.get(item.key) !== canonical(item));
  return { items: differing, exists: (key: string) => before.has(key) };
}

export interface ExercisePlan {
  created: { scenarios: string[]; drills: string[] };
  updated: { scenarios: string[]; drills: string[] };
  /** The writes, each with its event. Put them after assets and functions: drills refer to both. */
  statements(ctx: ServiceContext, now: number): Statement[];
}

/** Compares the file's scenarios and drills with the stored ones, by key. Nothing is written yet. */
export function planExercises(document: InventoryDocument, stored: StoredExercises): ExercisePlan {
  const scenarioChanges = changed(document.scenarios, stored.scenarios, scenarioDocumentSchema);
  const drillChanges = changed(document.drills, stored.drills, drillDocumentSchema);
  const split = <T extends { key: string }>(c: { items: T[]; exists(key: string): boolean }, existing: boolean) =>
    c.items.filter((item) => c.exists(item.key) === existing).map((item) => item.key);
  return {
    created: { scenarios: split(scenarioChanges, false), drills: split(drillChanges, false) },
    updated: { scenarios: split(scenarioChanges, true), drills: split(drillChanges, true) },
    statements: (ctx, now) => [
      // Scenarios first: a drill may name one created in this batch.
      ...scenarioChanges.items.flatMap((s) => writeScenario(ctx, s, scenarioChanges.exists(s.key), now)),
      ...drillChanges.items.flatMap((d) => writeDrill(ctx, d, drillChanges.exists(d.key), now)),
    ],
  };
}

function writeScenario(ctx: ServiceContext, item: ScenarioDocument, exists: boolean, now: number): Statement[] {
  const columns = {
    name: item.name, description: item.description ?? null, kind: item.kind, params: item.params as Record<string, unknown>,
    vantagesDown: item.vantagesDown?.length ? item.vantagesDown : null, marking: item.marking ?? null, updatedAt: now,
  };
  const write = exists
    ? ctx.db.update(scenarios).set(columns).where(eq(scenarios.key, item.key))
    : ctx.db.insert(scenarios).values({ key: item.key, ...columns, createdAt: now });
  return [
    write,
    recordEvent(ctx, {
      type: exists ? 'scenario.updated' : 'scenario.created',
      subjectKind: 'scenario',
      subjectId: sql`(select id from scenarios where key = ${item.key})`,
      subjectKey: item.key,
      data: { kind: item.kind },
    }),
  ];
}

/** A JSON array of the ids of the rows with these keys, in the keys' order, read in the batch. */
function idsByKey(table: 'assets' | 'mission_functions', keys: string[]): SQL {
  const ids = keys.map((key) => sql`(select id from ${sql.identifier(table)} where key = ${key})`);
  return sql`json_array(${sql.join(ids, sql`, `)})`;
}

/** A stored JSON object (`value`) whose field `field` holds the ids of the rows with these keys. */
function withIds(value: Record<string, unknown>, field: string, table: 'assets' | 'mission_functions', keys: string[]): SQL {
  return sql`json_set(${JSON.stringify(value)}, ${`$.${field}`}, ${idsByKey(table, keys)})`;
}

function writeDrill(ctx: ServiceContext, item: DrillDocument, exists: boolean, now: number): Statement[] {
  const { functionKeys, ...hypothesis } = item.hypothesis;
  const { protectedFunctionKeys, ...guardrails } = item.guardrails;
  const columns = {
    name: item.name,
    description: item.description ?? null,
    scenarioId: item.scenarioKey !== undefined ? sql`(select id from scenarios where key = ${item.scenarioKey})` : null,
    targetAssetIds: item.targetAssetKeys ? idsByKey('assets', item.targetAssetKeys) : null,
    blastRadius: item.blastRadius,
    exerciseType: item.exerciseType,
    mode: item.mode,
    injectHook: item.injectHook ?? null,
    rollbackHook: item.rollbackHook ?? null,
    hypothesis: withIds(hypothesis, 'functionIds', 'mission_functions', functionKeys),
    guardrails: withIds(guardrails, 'protectedFunctionIds', 'mission_functions', protectedFunctionKeys),
    cron: item.cron ?? null,
    timezone: item.cron ? (item.timezone ?? null) : null,
    enabled: item.enabled,
    marking: item.marking ?? null,
    updatedAt: now,
    // Retirement is final (a retired drill in the file cannot differ: exerciseReferenceProblems).
    ...(item.retired ? { retiredAt: now } : {}),
  };
  const write = exists
    ? ctx.db.update(drills).set(columns).where(eq(drills.key, item.key))
    : ctx.db.insert(drills).values({ key: item.key, ...columns, createdAt: now });
  return [
    write,
    recordEvent(ctx, {
      type: exists ? 'drill.updated' : 'drill.created',
      subjectKind: 'drill',
      subjectId: sql`(select id from drills where key = ${item.key})`,
      subjectKey: item.key,
    }),
    ...(item.retired ? [recordEvent(ctx, { type: 'drill.retired', subjectKind: 'drill', subjectId: sql`(select id from drills where key = ${item.key})`, subjectKey: item.key })] : []),
  ];
}

/**
 * A retired drill stays in the file as `retired: true` (export writes it so) and may not change:
 * its runs are history, and its key names them. Reinstating it or editing it is refused.
 */
function retiredDrillProblems(document: InventoryDocument, stored: StoredExercises, locate: Locate | undefined): ErrorDetail[] {
  const retired = new Map(stored.drills.filter((d) => d.retired).map((d) => [d.key, d]));
  return document.drills.flatMap((drill, i) => {
    const before = retired.get(drill.key);
    if (!before) return [];
    const parsed = drillDocumentSchema.safeParse(before);
    if (parsed.success && canonical(parsed.data) === canonical(drill)) return [];
    return [withLocation(locate, ['drills', i, ...(drill.retired ? [] : ['retired'])], `drill "${drill.key}" is retired: it cannot be changed or reinstated (its runs are history); give a new drill another key`)];
  });
}

/** Drills name scenarios, assets and functions that exist in the file or in the database. */
export function exerciseReferenceProblems(
  document: InventoryDocument,
  current: Pick<InventoryDocument, 'assets' | 'functions'>,
  stored: StoredExercises,
  locate: Locate | undefined,
): ErrorDetail[] {
  const keys = (...lists: Array<Array<{ key: string }>>) => new Set(lists.flat().map((item) => item.key));
  const scenarioKeys = keys(stored.scenarios, document.scenarios);
  const assetKeys = keys(current.assets, document.assets);
  const functionKeys = keys(current.functions, document.functions);
  const problems: ErrorDetail[] = retiredDrillProblems(document, stored, locate);
  document.drills.forEach((drill, i) => {
    if (drill.scenarioKey !== undefined && !scenarioKeys.has(drill.scenarioKey)) {
      problems.push(withLocation(locate, ['drills', i, 'scenarioKey'], `no scenario with key "${drill.scenarioKey}"`));
    }
    (drill.targetAssetKeys ?? []).forEach((key, j) => {
      if (!assetKeys.has(key)) problems.push(withLocation(locate, ['drills', i, 'targetAssetKeys', j], `no asset with key "${key}"`));
    });
    const functionLists = [
      ['hypothesis', 'functionKeys', drill.hypothesis.functionKeys],
      ['guardrails', 'protectedFunctionKeys', drill.guardrails.protectedFunctionKeys],
    ] as const;
    for (const [section, field, list] of functionLists) {
      list.forEach((key, j) => {
        if (!functionKeys.has(key)) problems.push(withLocation(locate, ['drills', i, section, field, j], `no mission function with key "${key}"`));
      });
    }
  });
  return problems;
}

/** Scenarios take down vantages that exist (vantages are not in the file: the API makes them). */
export function scenarioVantageProblems(document: InventoryDocument, known: ReadonlySet<string>, locate: Locate | undefined): ErrorDetail[] {
  return document.scenarios.flatMap((scenario, i) =>
    (scenario.vantagesDown ?? []).flatMap((name, j) => (known.has(name) ? [] : [withLocation(locate, ['scenarios', i, 'vantagesDown', j], `no vantage named "${name}"`)])),
  );
}

function scenarioDocument(row: ScenarioRow): ScenarioDocument {
  return compact({ key: row.key, name: row.name, description: row.description, vantagesDown: row.vantagesDown ?? undefined, marking: row.marking, kind: row.kind, params: row.params }) as ScenarioDocument;
}

function drillDocument(row: DrillRow, scenarioKey: Map<number, string>, assetKey: Map<number, string>, functionKey: Map<number, string>): DrillDocument {
  // An id whose row is gone has no key to write; it is left out (see `changed`).
  const keysOf = (ids: number[], keyOf: Map<number, string>) => ids.flatMap((id) => (keyOf.has(id) ? [keyOf.get(id)!] : []));
  const { functionIds, ...hypothesis } = row.hypothesis;
  const { protectedFunctionIds, ...guardrails } = row.guardrails;
  return compact({
    key: row.key,
    name: row.name,
    description: row.description,
    scenarioKey: row.scenarioId !== null ? scenarioKey.get(row.scenarioId) : undefined,
    targetAssetKeys: row.targetAssetIds ? keysOf(row.targetAssetIds, assetKey) : undefined,
    blastRadius: row.blastRadius,
    exerciseType: row.exerciseType,
    mode: row.mode,
    injectHook: row.injectHook ? compact({ ...row.injectHook }) : undefined,
    rollbackHook: row.rollbackHook ? compact({ ...row.rollbackHook }) : undefined,
    hypothesis: compact({ functionKeys: keysOf(functionIds, functionKey), ...hypothesis }),
    guardrails: { ...guardrails, protectedFunctionKeys: keysOf(protectedFunctionIds, functionKey) },
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled,
    marking: row.marking,
    retired: row.retiredAt !== null ? true : undefined,
  }) as DrillDocument;
}

/** The stored scenarios and drills in the apply file's spelling. */
export async function readExerciseDocuments(db: Db): Promise<StoredExercises> {
  const scenarioRows = await db.select().from(scenarios).orderBy(asc(scenarios.id));
  const drillRows = await db.select().from(drills).orderBy(asc(drills.id));
  if (!drillRows.length) return { scenarios: scenarioRows.map(scenarioDocument), drills: [] };
  const assetKey = new Map((await db.select({ id: assets.id, key: assets.key }).from(assets)).map((a) => [a.id, a.key]));
  const functionKey = new Map((await db.select({ id: missionFunctions.id, key: missionFunctions.key }).from(missionFunctions)).map((f) => [f.id, f.key]));
  const scenarioKey = new Map(scenarioRows.map((s) => [s.id, s.key]));
  return {
    scenarios: scenarioRows.map(scenarioDocument),
    drills: drillRows.map((row) => drillDocument(row, scenarioKey, assetKey, functionKey)),
  };
}
