import { eq, sql } from 'drizzle-orm';
import { commitAtomically, type Db, type Statement } from '../../store/client.js';
import { assets, checks, missionFunctions } from '../../store/schema/index.js';
import { checkDocumentSchema } from '../../domain/checks.js';
import { assetDocumentSchema, functionDocumentSchema } from '../../domain/inventory.js';
import { inventoryDocumentSchema, satelliteDocumentSchema, type AssetDocument, type CheckDocument, type FunctionDocument, type InventoryDocument } from '../../domain/document.js';
import { UnprocessableError, type ErrorDetail } from '../../domain/errors.js';
import { findCycle } from '../../domain/function-graph.js';
import { authorize } from '../../domain/roles.js';
import { assetColumns, linkDetailColumns } from '../assets.js';
import { checkSettings, checkSettingsProblems, scheduleColumns, settingsColumns, vantageColumns } from '../checks.js';
import { vantageProblems } from '../../domain/checks.js';
import { vantageNames } from '../../store/vantage-reads.js';
import type { ServiceContext } from '../context.js';
import { recordEvent } from '../../store/events.js';
import { cycleError, functionColumns, loadFunctionEdges, writeGroups } from '../functions.js';
import { pathSegments, withLocation, type Locate } from './document.js';
import { exerciseReferenceProblems, planExercises, scenarioVantageProblems, type StoredExercises } from './exercises.js';
import { canonical } from './canonical.js';
import { readInventoryDocument } from './export.js';
import { planSatellites, satelliteReferenceProblems } from './satellites.js';
import { keepStoredSecrets } from './secrets.js';
import { planVantages } from './vantages.js';
import { planStatusPages, statusPageReferenceProblems } from './status-pages.js';
import { upstreamGraph } from '../../domain/incident-cause.js';
import { itemRetractions, markingChanges } from '../../sharing/retraction.js';

const SECTIONS = ['assets', 'functions', 'checks', 'satellites', 'scenarios', 'drills', 'statusPages', 'vantages'] as const;
type ApplyLists = Record<(typeof SECTIONS)[number], string[]>;

function countItems(document: InventoryDocument): number {
  return SECTIONS.reduce((n, section) => n + document[section].length, 0);
}

/** What an apply creates and changes; every other item of the file is unchanged. */
function summarize(document: InventoryDocument, dryRun: boolean, changes: Pick<ApplySummary, 'created' | 'updated'>): ApplySummary {
  const changed = SECTIONS.reduce((n, section) => n + changes.created[section].length + changes.updated[section].length, 0);
  return { dryRun, ...changes, unchanged: countItems(document) - changed };
}

export interface ApplySummary {
  dryRun: boolean;
  created: ApplyLists;
  updated: ApplyLists;
  unchanged: number;
}

const assetIdByKey = (key: string) => sql`(select id from assets where key = ${key})`;
const dependsOnIds = (keys: string[] | null | undefined) =>
  keys ? sql`(select json_group_array(id) from assets where key in (select value from json_each(${JSON.stringify(keys)})))` : null;
const functionIdByKey = (key: string) => sql`(select id from mission_functions where key = ${key})`;

/**
 * The stored inventory with the file schema's defaults filled in, so items compare like for like.
 * A forced delete can leave stored items the file schema refuses (a link without an endpoint, a
 * group with fewer members than k): those are compared as stored, so a file that names them
 * replaces them and a file that does not leaves them alone, instead of failing the whole apply.
 */
function storedForComparison(stored: InventoryDocument): InventoryDocument {
  const sections = { ...stored, scenarios: [], drills: [], statusPages: [], vantages: [] };
  const whole = inventoryDocumentSchema.safeParse(sections);
  if (whole.success) return whole.data;
  const itemwise = <T>(items: T[], schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }): T[] =>
    items.map((item) => {
      const parsed = schema.safeParse(item);
      return (parsed.success ? parsed.data : item) as T;
    });
  return {
    ...sections,
    assets: itemwise(stored.assets, assetDocumentSchema),
    functions: itemwise(stored.functions, functionDocumentSchema),
    checks: itemwise(stored.checks, checkDocumentSchema),
    satellites: itemwise(stored.satellites, satelliteDocumentSchema),
  };
}

/** The items of a section that differ from what is stored, split into new and changed. */
function changed<T extends { key: string }>(items: T[], stored: T[]) {
  const before = new Map(stored.map((item) => [item.key, canonical(item)]));
  const differing = items.filter((item) => before.get(item.key) !== canonical(item));
  return {
    items: differing,
    created: differing.filter((item) => !before.has(item.key)).map((item) => item.key),
    updated: differing.filter((item) => before.has(item.key)).map((item) => item.key),
    exists: (key: string) => before.has(key),
  };
}

/**
 * Brings the stored inventory in line with the document, by key: new items are created, changed
 * ones updated, the rest left alone (so applying a file twice changes nothing). Items missing
 * from the file are kept. Everything is checked first and written in one transaction.
 */
export async function applyInventory(
  ctx: ServiceContext,
  document: InventoryDocument,
  options: { dryRun?: boolean; locate?: Locate } = {},
): Promise<ApplySummary> {
  authorize(ctx.actor, 'manageInventory');
  const stored = await readInventoryDocument(ctx.db);
  // Stored items pass through the same schema so defaults compare like for like. Scenarios and
  // drills (exercises.ts) and status pages (status-pages.ts) are compared item by item, so one
  // stored before a rule cannot block.
  const current = storedForComparison(stored);
  const knownVantages = new Set([...(await vantageNames(ctx.db)), ...document.vantages.map((v) => v.key)]);
  checkReferences(ctx, document, current, stored, knownVantages, options.locate);
  const vantageProblems = scenarioVantageProblems(document, knownVantages, options.locate);
  if (vantageProblems.length) throw new UnprocessableError(vantageProblems);
  await refuseFunctionCycles(ctx.db, document);

  keepStoredSecrets(document, current, stored, options.locate);
  const assetChanges = changed(document.assets, current.assets);
  const functionChanges = changed(document.functions, current.functions);
  const checkChanges = changed(document.checks, current.checks);
  const satellitePlan = await planSatellites(ctx.db, document.satellites);
  const exercisePlan = planExercises(document, stored);
  const statusPagePlan = planStatusPages(document.statusPages, stored.statusPages);
  const vantagePlan = planVantages(document.vantages, stored.vantages);
  const summary = summarize(document, options.dryRun ?? false, {
    created: {
      assets: assetChanges.created, functions: functionChanges.created, checks: checkChanges.created, satellites: satellitePlan.created,
      ...exercisePlan.created, statusPages: statusPagePlan.created, vantages: vantagePlan.created,
    },
    updated: {
      assets: assetChanges.updated, functions: functionChanges.updated, checks: checkChanges.updated, satellites: satellitePlan.updated,
      ...exercisePlan.updated, statusPages: statusPagePlan.updated, vantages: vantagePlan.updated,
    },
  });
  if (summary.dryRun || summary.unchanged === countItems(document)) return summary;

  const now = ctx.now();
  const statements: Statement[] = [];
  // Links last: their endpoints may be created in this same batch.
  const ordered = [...assetChanges.items].sort((a, b) => Number(a.kind === 'network_link') - Number(b.kind === 'network_link'));
  for (const asset of ordered) statements.push(...writeAsset(ctx, asset, assetChanges.exists(asset.key), now));
  // Upstream assets by key once every asset of the file exists.
  for (const asset of ordered) statements.push(ctx.db.update(assets).set({ dependsOn: dependsOnIds(asset.dependsOn) }).where(eq(assets.key, asset.key)));
  // All function rows before any group, so members that are functions resolve by key.
  for (const fn of functionChanges.items) statements.push(writeFunctionRow(ctx, fn, functionChanges.exists(fn.key), now));
  for (const fn of functionChanges.items) {
    statements.push(
      ...writeGroups(
        ctx.db,
        fn.key,
        fn.groups.map((g) => ({
          name: g.name,
          k: g.k,
          members: g.members.map((m) => ('assetKey' in m ? { asset: assetIdByKey(m.assetKey) } : { fn: functionIdByKey(m.functionKey) })),
        })),
      ),
    );
  }
  statements.push(...satellitePlan.statements(ctx, now), ...vantagePlan.statements(ctx, now));
  for (const check of checkChanges.items) statements.push(...writeCheck(ctx, check, checkChanges.exists(check.key), now));
  statements.push(...exercisePlan.statements(ctx, now));
  statements.push(...statusPagePlan.statements(ctx, now));
  statements.push(...(await itemRetractions(ctx, [
    ...markingChanges('asset', stored.assets, document.assets),
    ...markingChanges('function', stored.functions, document.functions),
    ...markingChanges('drill', stored.drills, document.drills),
  ])));
  statements.push(
    recordEvent(ctx, {
      type: 'inventory.applied',
      subjectKind: 'inventory',
      data: { created: summary.created, updated: summary.updated, unchanged: summary.unchanged },
    }),
  );
  await commitAtomically(ctx.db, statements);
  return summary;
}

/** The stored function graph with the document's functions in place of their stored selves must stay acyclic. */
async function refuseFunctionCycles(db: Db, document: InventoryDocument): Promise<void> {
  const edges = await loadFunctionEdges(db);
  for (const fn of document.functions) {
    edges.set(fn.key, fn.groups.flatMap((g) => g.members.flatMap((m) => ('functionKey' in m ? [m.functionKey] : []))));
  }
  const cycle = findCycle(edges);
  if (cycle) throw cycleError(cycle);
}

function writeAsset(ctx: ServiceContext, asset: AssetDocument, exists: boolean, now: number): Statement[] {
  const columns = {
    ...assetColumns(asset),
    linkFromAssetId: asset.link ? assetIdByKey(asset.link.fromAssetKey) : null,
    linkToAssetId: asset.link ? assetIdByKey(asset.link.toAssetKey) : null,
    ...linkDetailColumns(asset.link),
    updatedAt: now,
  };
  const write = exists
    ? ctx.db.update(assets).set(columns).where(eq(assets.key, asset.key))
    : ctx.db.insert(assets).values({ key: asset.key, ...columns, createdAt: now });
  return [
    write,
    recordEvent(ctx, { type: exists ? 'asset.updated' : 'asset.created', subjectKind: 'asset', subjectId: assetIdByKey(asset.key), subjectKey: asset.key }),
  ];
}

function writeCheck(ctx: ServiceContext, check: CheckDocument, exists: boolean, now: number): Statement[] {
  const columns = {
    assetId: assetIdByKey(check.assetKey),
    kind: check.kind,
    ...scheduleColumns(check),
    ...vantageColumns(check),
    ...settingsColumns(checkSettings(check.kind, check)),
    updatedAt: now,
  };
  const write = exists
    ? ctx.db.update(checks).set(columns).where(eq(checks.key, check.key))
    : ctx.db.insert(checks).values({ key: check.key, ...columns, createdAt: now });
  return [
    write,
    recordEvent(ctx, {
      type: exists ? 'check.updated' : 'check.created',
      subjectKind: 'check',
      subjectId: sql`(select id from checks where key = ${check.key})`,
      subjectKey: check.key,
    }),
  ];
}

function writeFunctionRow(ctx: ServiceContext, fn: FunctionDocument, exists: boolean, now: number): Statement {
  return exists
    ? ctx.db.update(missionFunctions).set({ ...functionColumns(fn), updatedAt: now }).where(eq(missionFunctions.key, fn.key))
    : ctx.db.insert(missionFunctions).values({ key: fn.key, ...functionColumns(fn), createdAt: now, updatedAt: now });
}

/** Declared upstream assets close no loop with the rest of the dependency graph (the file's assets in place of their stored selves). */
function dependencyLoop(document: InventoryDocument, current: InventoryDocument, locate: Locate | undefined): ErrorDetail[] {
  const byKey = new Map(current.assets.map((a) => [a.key, a]));
  for (const a of document.assets) byKey.set(a.key, a);
  const cycle = findCycle(upstreamGraph([...byKey.values()].map((a) => ({
    id: a.key, kind: a.kind, dependsOn: a.dependsOn ?? null, linkFromAssetId: a.link?.fromAssetKey ?? null, linkToAssetId: a.link?.toAssetKey ?? null,
  }))));
  if (!cycle) return [];
  const at = document.assets.findIndex((a) => a.dependsOn && cycle.includes(a.key));
  return [withLocation(locate, ['assets', Math.max(at, 0), 'dependsOn'], `makes a dependency loop: ${cycle.join(' → ')}`)];
}

/** Every key the document refers to exists in the document or in the database. */
function checkReferences(
  ctx: ServiceContext, document: InventoryDocument, current: InventoryDocument, stored: StoredExercises, vantageNames: ReadonlySet<string>, locate: Locate | undefined,
) {
  const assetKinds = new Map(current.assets.map((a) => [a.key, a.kind]));
  for (const a of document.assets) assetKinds.set(a.key, a.kind);
  const functionKeys = new Set([...current.functions, ...document.functions].map((f) => f.key));
  const problems: ErrorDetail[] = [];

  document.assets.forEach((asset, i) => {
    if (!asset.link) return;
    const { fromAssetKey, toAssetKey } = asset.link;
    if (fromAssetKey === toAssetKey) problems.push(withLocation(locate, ['assets', i, 'link', 'toAssetKey'], 'a link joins two different assets'));
    for (const field of ['fromAssetKey', 'toAssetKey'] as const) {
      const key = asset.link[field];
      const kind = assetKinds.get(key);
      if (!kind) problems.push(withLocation(locate, ['assets', i, 'link', field], `no asset with key "${key}"`));
      else if (kind === 'network_link') problems.push(withLocation(locate, ['assets', i, 'link', field], `"${key}" is a link; a link joins two non-link assets`));
    }
  });
  document.assets.forEach((asset, i) => {
    asset.dependsOn?.forEach((key, d) => {
      if (key === asset.key || !assetKinds.has(key)) problems.push(withLocation(locate, ['assets', i, 'dependsOn', d], `no other asset with key "${key}"`));
    });
  });
  problems.push(...dependencyLoop(document, current, locate));
  document.functions.forEach((fn, f) =>
    fn.groups.forEach((group, g) =>
      group.members.forEach((member, m) => {
        const path = ['functions', f, 'groups', g, 'members', m];
        if ('assetKey' in member && !assetKinds.has(member.assetKey)) {
          problems.push(withLocation(locate, [...path, 'assetKey'], `no asset with key "${member.assetKey}"`));
        }
        if ('functionKey' in member && !functionKeys.has(member.functionKey)) {
          problems.push(withLocation(locate, [...path, 'functionKey'], `no mission function with key "${member.functionKey}"`));
        }
      }),
    ),
  );
  document.checks.forEach((check, i) => {
    if (!assetKinds.has(check.assetKey)) problems.push(withLocation(locate, ['checks', i, 'assetKey'], `no asset with key "${check.assetKey}"`));
    for (const p of [...checkSettingsProblems(ctx, check.kind, checkSettings(check.kind, check)), ...vantageProblems(check, vantageNames)]) {
      problems.push(withLocation(locate, ['checks', i, ...pathSegments(p.path)], p.message));
    }
  });
  problems.push(...satelliteReferenceProblems(document, current, locate));
  problems.push(...exerciseReferenceProblems(document, current, stored, locate));
  problems.push(...statusPageReferenceProblems(document, current, locate));
  if (problems.length) throw new UnprocessableError(problems);
}
