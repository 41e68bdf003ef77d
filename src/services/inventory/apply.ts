import { eq, sql } from 'drizzle-orm';
import { commitAtomically, type Statement } from '../../db/client.js';
import { assets, missionFunctions } from '../../db/schema/index.js';
import { inventoryDocumentSchema, type AssetDocument, type FunctionDocument, type InventoryDocument } from '../../domain/document.js';
import { UnprocessableError, type ErrorDetail } from '../../domain/errors.js';
import { findCycle } from '../../domain/function-graph.js';
import { authorize } from '../../domain/roles.js';
import { assetColumns, slaColumns } from '../assets.js';
import type { ServiceContext } from '../context.js';
import { recordEvent } from '../events.js';
import { cycleError, functionColumns, loadFunctionEdges, writeGroups } from '../functions.js';
import { withLocation, type Locate } from './document.js';
import { compact, readInventoryDocument } from './export.js';

export interface ApplySummary {
  dryRun: boolean;
  created: { assets: string[]; functions: string[] };
  updated: { assets: string[]; functions: string[] };
  unchanged: number;
}

const assetIdByKey = (key: string) => sql`(select id from assets where key = ${key})`;
const functionIdByKey = (key: string) => sql`(select id from mission_functions where key = ${key})`;

/** Canonical JSON of a document item, so that an unchanged item compares equal whatever its spelling. */
function canonical(item: object): string {
  const normalise = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(normalise);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(compact(value as Record<string, unknown>))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, normalise(v)]),
      );
    }
    return value;
  };
  return JSON.stringify(normalise(item));
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
  // Stored items pass through the same schema so defaults compare like for like.
  const current = inventoryDocumentSchema.parse(stored);
  checkReferences(document, current, options.locate);
  const edges = await loadFunctionEdges(ctx.db);
  for (const fn of document.functions) {
    edges.set(fn.key, fn.groups.flatMap((g) => g.members.flatMap((m) => ('functionKey' in m ? [m.functionKey] : []))));
  }
  const cycle = findCycle(edges);
  if (cycle) throw cycleError(cycle);

  const storedAssets = new Map(current.assets.map((a) => [a.key, canonical(a)]));
  const storedFunctions = new Map(current.functions.map((f) => [f.key, canonical(f)]));
  const changedAssets = document.assets.filter((a) => storedAssets.get(a.key) !== canonical(a));
  const changedFunctions = document.functions.filter((f) => storedFunctions.get(f.key) !== canonical(f));
  const summary: ApplySummary = {
    dryRun: options.dryRun ?? false,
    created: {
      assets: changedAssets.filter((a) => !storedAssets.has(a.key)).map((a) => a.key),
      functions: changedFunctions.filter((f) => !storedFunctions.has(f.key)).map((f) => f.key),
    },
    updated: {
      assets: changedAssets.filter((a) => storedAssets.has(a.key)).map((a) => a.key),
      functions: changedFunctions.filter((f) => storedFunctions.has(f.key)).map((f) => f.key),
    },
    unchanged: document.assets.length + document.functions.length - changedAssets.length - changedFunctions.length,
  };
  if (summary.dryRun || (changedAssets.length === 0 && changedFunctions.length === 0)) return summary;

  const now = ctx.now();
  const statements: Statement[] = [];
  // Links last: their endpoints may be created in this same batch.
  const ordered = [...changedAssets].sort((a, b) => Number(a.kind === 'network_link') - Number(b.kind === 'network_link'));
  for (const asset of ordered) statements.push(...writeAsset(ctx, asset, storedAssets.has(asset.key), now));
  // All function rows before any group, so members that are functions resolve by key.
  for (const fn of changedFunctions) statements.push(writeFunctionRow(ctx, fn, storedFunctions.has(fn.key), now));
  for (const fn of changedFunctions) {
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

function writeAsset(ctx: ServiceContext, asset: AssetDocument, exists: boolean, now: number): Statement[] {
  const columns = {
    ...assetColumns(asset),
    linkFromAssetId: asset.link ? assetIdByKey(asset.link.fromAssetKey) : null,
    linkToAssetId: asset.link ? assetIdByKey(asset.link.toAssetKey) : null,
    ...slaColumns(asset.link?.sla),
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

function writeFunctionRow(ctx: ServiceContext, fn: FunctionDocument, exists: boolean, now: number): Statement {
  return exists
    ? ctx.db.update(missionFunctions).set({ ...functionColumns(fn), updatedAt: now }).where(eq(missionFunctions.key, fn.key))
    : ctx.db.insert(missionFunctions).values({ key: fn.key, ...functionColumns(fn), createdAt: now, updatedAt: now });
}

/** Every key the document refers to exists in the document or in the database. */
function checkReferences(document: InventoryDocument, current: InventoryDocument, locate: Locate | undefined) {
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
  if (problems.length) throw new UnprocessableError(problems);
}
