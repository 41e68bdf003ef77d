import { and, asc, eq, gt, or, sql, type SQL } from 'drizzle-orm';
import { commitAtomically, type Db } from '../store/client.js';
import { assets, assetStates, incidents, type AssetRow } from '../store/schema/index.js';
import type { AssetKind, LinkMedium } from '../domain/enums.js';
import { ConflictError, InvalidInputError, NotFoundError, UnprocessableError, type ErrorDetail } from '../domain/errors.js';
import type { AssetCreateInput, AssetPatchInput } from '../domain/inventory.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { functionsDependingOn } from './functions.js';
import { decodeCursor, toPage, type Page } from './pagination.js';
import { elementWarnings } from './satellites.js';
import { updateStatements } from './incident-lifecycle.js';
import { idsIn } from '../store/ids.js';
import { upstreamGraph } from '../domain/incident-cause.js';
import { findCycle } from '../domain/function-graph.js';
import { itemRetractions } from '../sharing/retraction.js';

type AssetStateRow = typeof assetStates.$inferSelect;

/** What an asset is, as the API shows it and the inventory file spells it (after its key). */
export function assetAttributes(row: AssetRow) {
  return {
    kind: row.kind,
    name: row.name,
    description: row.description,
    lat: row.lat,
    lon: row.lon,
    altM: row.altM,
    region: row.region,
    operator: row.operator,
    vendor: row.vendor,
    model: row.model,
    firmware: row.firmware,
    managementNetwork: row.managementNetwork,
    gridRegion: row.gridRegion,
    backupPowerHours: row.backupPowerHours,
    avs30: row.avs30,
    criticality: row.criticality,
    tags: row.tags,
    marking: row.marking,
  };
}

/** `warnings`: for a ground station, stale or missing orbital elements of the satellites it follows. */
export function assetView(row: AssetRow, state: AssetStateRow | null = null, warnings: string[] = []) {
  return {
    id: row.id,
    key: row.key,
    ...assetAttributes(row),
    link:
      row.kind === 'network_link'
        ? {
            fromAssetId: row.linkFromAssetId,
            toAssetId: row.linkToAssetId,
            sla: { latencyMs: row.slaLatencyMs, jitterMs: row.slaJitterMs, lossPct: row.slaLossPct },
            medium: row.linkMedium ?? 'fibre',
          }
        : null,
    dependsOn: row.dependsOn,
    status: state?.status ?? 'unknown',
    statusSince: isoTime(state?.since ?? null),
    statusReason: state?.reason ?? null,
    warnings,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}
export type AssetView = ReturnType<typeof assetView>;

export interface AssetListQuery {
  kind?: AssetKind;
  tag?: string;
  operator?: string;
  limit: number;
  cursor?: string;
}

export async function listAssets(ctx: ServiceContext, query: AssetListQuery): Promise<Page<AssetView>> {
  authorize(ctx.actor, 'read');
  const filters: SQL[] = [gt(assets.id, decodeCursor(query.cursor))];
  if (query.kind) filters.push(eq(assets.kind, query.kind));
  if (query.operator) filters.push(eq(assets.operator, query.operator));
  if (query.tag) filters.push(sql`exists (select 1 from json_each(${assets.tags}) where value = ${query.tag})`);
  const rows = await ctx.db
    .select({ asset: assets, state: assetStates })
    .from(assets)
    .leftJoin(assetStates, eq(assetStates.assetId, assets.id))
    .where(and(...filters))
    .orderBy(asc(assets.id))
    .limit(query.limit + 1);
  const warnings = await elementWarnings(ctx, rows.map((r) => r.asset));
  return toPage(rows.map((r) => ({ ...r, id: r.asset.id })), query.limit, (r) => assetView(r.asset, r.state, warnings.get(r.asset.id)));
}

export async function getAsset(ctx: ServiceContext, id: number): Promise<AssetView> {
  authorize(ctx.actor, 'read');
  const [row] = await ctx.db
    .select({ asset: assets, state: assetStates })
    .from(assets)
    .leftJoin(assetStates, eq(assetStates.assetId, assets.id))
    .where(eq(assets.id, id));
  if (!row) throw new NotFoundError('asset', id);
  return assetView(row.asset, row.state, (await elementWarnings(ctx, [row.asset])).get(id));
}

async function loadAsset(db: Db, id: number): Promise<AssetRow> {
  const [row] = await db.select().from(assets).where(eq(assets.id, id));
  if (!row) throw new NotFoundError('asset', id);
  return row;
}

/** Column values for an asset's attributes; link endpoints are resolved by the caller. */
export function assetColumns(input: Omit<AssetCreateInput, 'key' | 'link' | 'dependsOn'>) {
  return {
    kind: input.kind,
    name: input.name,
    description: input.description ?? null,
    lat: input.lat ?? null,
    lon: input.lon ?? null,
    altM: input.altM ?? null,
    region: input.region ?? null,
    operator: input.operator ?? null,
    vendor: input.vendor ?? null,
    model: input.model ?? null,
    firmware: input.firmware ?? null,
    managementNetwork: input.managementNetwork ?? null,
    gridRegion: input.gridRegion ?? null,
    backupPowerHours: input.backupPowerHours ?? null,
    avs30: input.avs30 ?? null,
    criticality: input.criticality,
    tags: input.tags,
    marking: input.marking ?? null,
  };
}

type Sla = { latencyMs?: number | null; jitterMs?: number | null; lossPct?: number | null };
/** A link's SLA and medium as columns; no link, all null. */
export function linkDetailColumns(link: { sla?: Sla; medium?: LinkMedium } | null | undefined) {
  return {
    slaLatencyMs: link?.sla?.latencyMs ?? null,
    slaJitterMs: link?.sla?.jitterMs ?? null,
    slaLossPct: link?.sla?.lossPct ?? null,
    linkMedium: link ? (link.medium ?? 'fibre') : null,
  };
}

const NO_LINK = { linkFromAssetId: null, linkToAssetId: null, ...linkDetailColumns(null) };

/** A link joins two distinct assets that exist and are not links themselves. */
async function checkLinkEndpoints(db: Db, selfId: number | null, link: { fromAssetId: number; toAssetId: number }) {
  const problems: ErrorDetail[] = [];
  if (link.fromAssetId === link.toAssetId) {
    problems.push({ path: 'link.toAssetId', message: 'a link joins two different assets' });
  }
  const ids = [link.fromAssetId, link.toAssetId];
  const found = await db.select({ id: assets.id, kind: assets.kind }).from(assets).where(idsIn(assets.id, ids));
  for (const [field, id] of [['fromAssetId', link.fromAssetId], ['toAssetId', link.toAssetId]] as const) {
    const endpoint = found.find((a) => a.id === id);
    if (!endpoint) problems.push({ path: `link.${field}`, message: `no asset with id ${id}` });
    else if (endpoint.kind === 'network_link' || endpoint.id === selfId) {
      problems.push({ path: `link.${field}`, message: `asset ${id} is a link; a link joins two non-link assets` });
    }
  }
  if (problems.length) throw new UnprocessableError(problems);
}

/**
 * Declared upstream assets exist, are not the asset itself, and close no loop with the rest of
 * the dependency graph (declared and inferred): a loop would make every member explain the others.
 */
async function checkDependsOn(db: Db, self: { id: number | null; kind: string; linkFromAssetId: number | null; linkToAssetId: number | null }, dependsOn: number[] | null) {
  if (!dependsOn) return;
  const rows = await db.select({ id: assets.id, kind: assets.kind, dependsOn: assets.dependsOn, linkFromAssetId: assets.linkFromAssetId, linkToAssetId: assets.linkToAssetId }).from(assets);
  const missing = dependsOn.filter((id) => id === self.id || !rows.some((r) => r.id === id));
  if (missing.length) {
    throw new UnprocessableError([{ path: 'dependsOn', message: `no other asset with id ${missing.join(', ')}` }]);
  }
  const selfId = self.id ?? 0; // a new asset: an id no row has
  // The stored graph has no loop, so any loop found passes through this asset.
  const cycle = findCycle(upstreamGraph([...rows.filter((r) => r.id !== selfId), { ...self, id: selfId, dependsOn }]));
  if (cycle) throw new UnprocessableError([{ path: 'dependsOn', message: `would make a dependency loop through assets ${cycle.join(' → ')}` }]);
}

export async function createAsset(ctx: ServiceContext, input: AssetCreateInput): Promise<AssetView> {
  authorize(ctx.actor, 'manageInventory');
  if (input.link) await checkLinkEndpoints(ctx.db, null, input.link);
  await checkDependsOn(ctx.db, { id: null, kind: input.kind, linkFromAssetId: input.link?.fromAssetId ?? null, linkToAssetId: input.link?.toAssetId ?? null }, input.dependsOn ?? null);
  await refuseTakenKey(ctx.db, input.key);
  const now = ctx.now();
  const link = input.link
    ? { linkFromAssetId: input.link.fromAssetId, linkToAssetId: input.link.toAssetId, ...linkDetailColumns(input.link) }
    : NO_LINK;
  await commitAtomically(ctx.db, [
    ctx.db.insert(assets).values({ key: input.key, ...assetColumns(input), ...link, dependsOn: input.dependsOn ?? null, createdAt: now, updatedAt: now }),
    recordEvent(ctx, {
      type: 'asset.created',
      subjectKind: 'asset',
      subjectId: sql`(select id from assets where key = ${input.key})`,
      subjectKey: input.key,
    }),
  ]);
  const [row] = await ctx.db.select().from(assets).where(eq(assets.key, input.key));
  return assetView(row!);
}

async function refuseTakenKey(db: Db, key: string) {
  const [taken] = await db.select({ id: assets.id }).from(assets).where(eq(assets.key, key));
  if (taken) throw new ConflictError(`An asset with key "${key}" already exists (id ${taken.id})`, [{ path: 'key', message: 'already in use' }]);
}

export async function updateAsset(ctx: ServiceContext, id: number, patch: AssetPatchInput): Promise<AssetView> {
  authorize(ctx.actor, 'manageInventory');
  const current = await loadAsset(ctx.db, id);
  const merged = { ...assetView(current), ...patch };
  if (merged.kind === 'network_link' && !merged.link) {
    throw new InvalidInputError([{ path: 'link', message: 'a network_link needs link endpoints', location: 'body' }]);
  }
  if (merged.kind !== 'network_link' && patch.link) {
    throw new InvalidInputError([{ path: 'link', message: `only a network_link has link endpoints, not a ${merged.kind}`, location: 'body' }]);
  }
  if (merged.kind !== 'network_link' && current.kind === 'network_link') merged.link = null;
  const link = merged.link;
  if (patch.link) await checkLinkEndpoints(ctx.db, id, patch.link);
  const dependsOn = patch.dependsOn === undefined ? current.dependsOn : patch.dependsOn;
  await checkDependsOn(ctx.db, { id, kind: merged.kind, linkFromAssetId: link?.fromAssetId ?? null, linkToAssetId: link?.toAssetId ?? null }, dependsOn);
  const changed = Object.keys(patch);
  await commitAtomically(ctx.db, [
    ctx.db
      .update(assets)
      .set({
        ...assetColumns({ ...merged, criticality: merged.criticality, tags: merged.tags }),
        ...(link && link.fromAssetId !== null && link.toAssetId !== null
          ? { linkFromAssetId: link.fromAssetId, linkToAssetId: link.toAssetId, ...linkDetailColumns(link) }
          : NO_LINK),
        dependsOn,
        updatedAt: ctx.now(),
      })
      .where(eq(assets.id, id)),
    recordEvent(ctx, { type: 'asset.updated', subjectKind: 'asset', subjectId: id, subjectKey: current.key, data: { changed } }),
    ...(await itemRetractions(ctx, [{ kind: 'asset', key: current.key, before: current.marking, after: merged.marking }])),
  ]);
  return getAsset(ctx, id);
}

/** Functions whose groups name the asset, and links that end at it. */
async function assetDependents(db: Db, id: number) {
  const functions = await functionsDependingOn(db, { assetId: id });
  const links = await db
    .select({ id: assets.id, key: assets.key })
    .from(assets)
    .where(or(eq(assets.linkFromAssetId, id), eq(assets.linkToAssetId, id)));
  return { functions, links };
}

export async function deleteAsset(ctx: ServiceContext, id: number, force: boolean): Promise<void> {
  authorize(ctx.actor, 'manageInventory');
  const current = await loadAsset(ctx.db, id);
  const { functions, links } = await assetDependents(ctx.db, id);
  if ((functions.length || links.length) && !force) {
    const details = [
      ...functions.map((f) => ({ path: 'functions', message: `mission function "${f.key}" (id ${f.id}) depends on it` })),
      ...links.map((l) => ({ path: 'links', message: `network link "${l.key}" (id ${l.id}) ends at it` })),
    ];
    throw new ConflictError(
      `Asset "${current.key}" is still in use; remove it from its functions and links first, or delete with ?force=true`,
      details,
    );
  }
  // Its open incidents would stay open forever: nothing watches the asset any more.
  const open = await ctx.db.select().from(incidents).where(and(eq(incidents.assetId, id), eq(incidents.state, 'open')));
  const resolutions = open.flatMap((row) =>
    updateStatements(ctx, { ...row, assetKey: current.key }, { status: 'resolved', message: `Resolved because asset "${current.key}" was deleted.` }),
  );
  await commitAtomically(ctx.db, [
    ...resolutions,
    ctx.db.update(assets)
      .set({ dependsOn: sql`(select json_group_array(value) from json_each(${assets.dependsOn}) where value != ${id})` })
      .where(sql`exists (select 1 from json_each(${assets.dependsOn}) where value = ${id})`),
    ctx.db.delete(assets).where(eq(assets.id, id)),
    recordEvent(ctx, {
      type: 'asset.deleted',
      subjectKind: 'asset',
      subjectId: id,
      subjectKey: current.key,
      data: { forced: force, functionsAffected: functions.map((f) => f.key), linksAffected: links.map((l) => l.key) },
    }),
  ]);
}
