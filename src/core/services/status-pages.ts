// Public status pages: their configuration (admin writes, viewers read). The public read model
// behind /status/{slug} is read-models/public-status.ts.
import { asc, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { commitAtomically, insertChunks, type Db, type Statement } from '../store/client.js';
import { idsIn } from '../store/ids.js';
import { assets, missionFunctions, statusPageComponents, statusPages, type StatusPageComponentRow, type StatusPageRow } from '../store/schema/index.js';
import {
  MAX_STATUS_PAGE_COMPONENTS,
  statusPageAttributes,
  statusPageComponentAttributes,
  statusPageComponentsRule,
  statusPageSlugSchema,
} from '../domain/document.js';
import { ConflictError, NotFoundError, UnprocessableError, type ErrorDetail } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import type { Marking } from '../domain/marking.js';
import { isoTime } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';

export const statusPageComponentInputSchema = z.strictObject({
  ...statusPageComponentAttributes,
  assetId: z.number().int().positive().nullish(),
  functionId: z.number().int().positive().nullish(),
});
export type StatusPageComponentInput = z.infer<typeof statusPageComponentInputSchema>;

const componentsInputSchema = z
  .array(statusPageComponentInputSchema)
  .max(MAX_STATUS_PAGE_COMPONENTS)
  .superRefine(statusPageComponentsRule(['assetId', 'functionId']));

export const statusPageInputSchema = z.strictObject({
  slug: statusPageSlugSchema,
  ...statusPageAttributes,
  components: componentsInputSchema.default([]),
});
export type StatusPageInput = z.infer<typeof statusPageInputSchema>;

/** PATCH: every field optional, the slug is fixed; `components`, when given, replaces them all. */
export const statusPagePatchSchema = z
  .strictObject({
    title: statusPageAttributes.title,
    description: statusPageAttributes.description,
    showIncidents: z.boolean(),
    showMaintenance: z.boolean(),
    marking: statusPageAttributes.marking,
    components: componentsInputSchema,
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'the patch changes nothing');
export type StatusPagePatch = z.infer<typeof statusPagePatchSchema>;

export function statusPageView(row: StatusPageRow, components: StatusPageComponentRow[]) {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    showIncidents: row.showIncidents,
    showMaintenance: row.showMaintenance,
    marking: row.marking,
    url: `/status/${row.slug}`,
    components: components.map((c) => ({ name: c.name, group: c.groupName, assetId: c.assetId, functionId: c.functionId })),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}
export type StatusPageView = ReturnType<typeof statusPageView>;

/** Each page's components in page order. */
export async function pageComponents(db: Db, pageIds: number[]): Promise<Map<number, StatusPageComponentRow[]>> {
  const byPage = new Map<number, StatusPageComponentRow[]>(pageIds.map((id) => [id, []]));
  if (!pageIds.length) return byPage;
  const rows = await db
    .select()
    .from(statusPageComponents)
    .where(idsIn(statusPageComponents.pageId, pageIds))
    .orderBy(asc(statusPageComponents.pageId), asc(statusPageComponents.position));
  for (const row of rows) byPage.get(row.pageId)!.push(row);
  return byPage;
}

async function loadPage(db: Db, id: number): Promise<StatusPageRow> {
  const [row] = await db.select().from(statusPages).where(eq(statusPages.id, id));
  if (!row) throw new NotFoundError('status page', id);
  return row;
}

export async function listStatusPages(ctx: ServiceContext): Promise<StatusPageView[]> {
  authorize(ctx.actor, 'read');
  const rows = await ctx.db.select().from(statusPages).orderBy(asc(statusPages.id));
  const components = await pageComponents(ctx.db, rows.map((r) => r.id));
  return rows.map((row) => statusPageView(row, components.get(row.id) ?? []));
}

export async function getStatusPage(ctx: ServiceContext, id: number): Promise<StatusPageView> {
  authorize(ctx.actor, 'read');
  const row = await loadPage(ctx.db, id);
  return statusPageView(row, (await pageComponents(ctx.db, [id])).get(id) ?? []);
}

/** Every component names an asset or function that exists; 422 naming each one that does not. */
async function checkTargets(db: Db, components: StatusPageComponentInput[]): Promise<void> {
  const assetIds = [...new Set(components.flatMap((c) => (c.assetId ? [c.assetId] : [])))];
  const functionIds = [...new Set(components.flatMap((c) => (c.functionId ? [c.functionId] : [])))];
  const foundAssets = new Set(assetIds.length ? (await db.select({ id: assets.id }).from(assets).where(idsIn(assets.id, assetIds))).map((r) => r.id) : []);
  const foundFunctions = new Set(
    functionIds.length ? (await db.select({ id: missionFunctions.id }).from(missionFunctions).where(idsIn(missionFunctions.id, functionIds))).map((r) => r.id) : [],
  );
  const problems: ErrorDetail[] = [];
  components.forEach((c, i) => {
    if (c.assetId && !foundAssets.has(c.assetId)) problems.push({ path: `components.${i}.assetId`, message: `no asset with id ${c.assetId}`, location: 'body' });
    if (c.functionId && !foundFunctions.has(c.functionId)) {
      problems.push({ path: `components.${i}.functionId`, message: `no mission function with id ${c.functionId}`, location: 'body' });
    }
  });
  if (problems.length) throw new UnprocessableError(problems);
}

/** A component as written: its target by id, or by a sub-select when the row is new in the same batch. */
export interface ComponentWrite {
  name: string;
  group: string | null | undefined;
  assetId: number | SQL | null;
  functionId: number | SQL | null;
}

export interface PageWrite {
  slug: string;
  title?: string;
  description?: string | null;
  showIncidents?: boolean;
  showMaintenance?: boolean;
  marking?: Marking | null;
  /** Replaces every component when given. */
  components?: ComponentWrite[];
}

/**
 * The statements that create or change a page (by slug) and its components, with the event that
 * records it. Used by the API and by the apply file.
 */
export function statusPageStatements(ctx: ServiceContext, page: PageWrite, exists: boolean, now: number): Statement[] {
  const pageId = sql`(select id from status_pages where slug = ${page.slug})`;
  const columns = {
    ...(page.title !== undefined ? { title: page.title } : {}),
    ...(page.description !== undefined ? { description: page.description } : {}),
    ...(page.showIncidents !== undefined ? { showIncidents: page.showIncidents } : {}),
    ...(page.showMaintenance !== undefined ? { showMaintenance: page.showMaintenance } : {}),
    ...(page.marking !== undefined ? { marking: page.marking } : {}),
    updatedAt: now,
  };
  const statements: Statement[] = [
    exists
      ? ctx.db.update(statusPages).set(columns).where(eq(statusPages.slug, page.slug))
      : ctx.db.insert(statusPages).values({ slug: page.slug, title: page.title!, ...columns, createdAt: now }),
  ];
  if (page.components) {
    if (exists) statements.push(ctx.db.delete(statusPageComponents).where(sql`${statusPageComponents.pageId} = ${pageId}`));
    const rows = page.components.map((c, position) => ({
      pageId,
      position,
      name: c.name,
      groupName: c.group ?? null,
      assetId: c.assetId,
      functionId: c.functionId,
    }));
    for (const chunk of insertChunks(ctx.db, rows, 8)) statements.push(ctx.db.insert(statusPageComponents).values(chunk));
  }
  statements.push(
    recordEvent(ctx, {
      type: exists ? 'status_page.updated' : 'status_page.created',
      subjectKind: 'status_page',
      subjectId: pageId,
      subjectKey: page.slug,
      data: page.components ? { components: page.components.length } : {},
    }),
  );
  return statements;
}

const byId = (c: StatusPageComponentInput): ComponentWrite => ({ name: c.name, group: c.group, assetId: c.assetId ?? null, functionId: c.functionId ?? null });

export async function createStatusPage(ctx: ServiceContext, input: StatusPageInput): Promise<StatusPageView> {
  authorize(ctx.actor, 'manageInventory');
  await checkTargets(ctx.db, input.components);
  const [taken] = await ctx.db.select({ id: statusPages.id }).from(statusPages).where(eq(statusPages.slug, input.slug));
  if (taken) throw new ConflictError(`A status page with slug "${input.slug}" already exists`, [{ path: 'slug', message: 'already in use', location: 'body' }]);
  const now = ctx.now();
  await commitAtomically(
    ctx.db,
    statusPageStatements(ctx, { ...input, description: input.description ?? null, components: input.components.map(byId) }, false, now),
  );
  const [row] = await ctx.db.select().from(statusPages).where(eq(statusPages.slug, input.slug));
  return getStatusPage(ctx, row!.id);
}

export async function updateStatusPage(ctx: ServiceContext, id: number, patch: StatusPagePatch): Promise<StatusPageView> {
  authorize(ctx.actor, 'manageInventory');
  const row = await loadPage(ctx.db, id);
  if (patch.components) await checkTargets(ctx.db, patch.components);
  await commitAtomically(
    ctx.db,
    statusPageStatements(ctx, { ...patch, slug: row.slug, components: patch.components?.map(byId) }, true, ctx.now()),
  );
  return getStatusPage(ctx, id);
}

export async function deleteStatusPage(ctx: ServiceContext, id: number): Promise<void> {
  authorize(ctx.actor, 'manageInventory');
  const row = await loadPage(ctx.db, id);
  await commitAtomically(ctx.db, [
    ctx.db.delete(statusPages).where(eq(statusPages.id, id)),
    recordEvent(ctx, { type: 'status_page.deleted', subjectKind: 'status_page', subjectId: id, subjectKey: row.slug }),
  ]);
}
