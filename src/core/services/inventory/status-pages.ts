// Status pages in the apply file: how items compare with the stored pages, the statements that
// bring the pages in line, the references they make, and the pages in the file's spelling for
// export. Components name their asset or function by key; the rows hold ids, resolved through
// sub-selects in the same batch (the asset or function may be new in it).
import { asc, sql } from 'drizzle-orm';
import type { Db, Statement } from '../../store/client.js';
import { assets, missionFunctions, statusPageComponents, statusPages } from '../../store/schema/index.js';
import { statusPageDocumentSchema, type InventoryDocument, type StatusPageDocument } from '../../domain/document.js';
import type { ErrorDetail } from '../../domain/errors.js';
import type { ServiceContext } from '../context.js';
import { statusPageStatements } from '../status-pages.js';
import { withLocation, type Locate } from './document.js';
import { canonical, compact } from './canonical.js';

export interface StatusPagePlan {
  created: string[];
  updated: string[];
  /** The writes, each with its event. Put them after assets and functions: components refer to both. */
  statements(ctx: ServiceContext, now: number): Statement[];
}

/**
 * Compares the file's pages with the stored ones, by key. A stored page goes through the file's
 * schema first, so defaults compare like for like; one that no longer passes counts as differing.
 * Nothing is written yet.
 */
export function planStatusPages(items: StatusPageDocument[], stored: StatusPageDocument[]): StatusPagePlan {
  const before = new Map(
    stored.map((page) => {
      const parsed = statusPageDocumentSchema.safeParse(page);
      return [page.key, parsed.success ? canonical(parsed.data) : null] as const;
    }),
  );
  const differing = items.filter((page) => before.get(page.key) !== canonical(page));
  return {
    created: differing.filter((page) => !before.has(page.key)).map((page) => page.key),
    updated: differing.filter((page) => before.has(page.key)).map((page) => page.key),
    statements: (ctx, now) => differing.flatMap((page) => writeStatusPage(ctx, page, before.has(page.key), now)),
  };
}

function writeStatusPage(ctx: ServiceContext, page: StatusPageDocument, exists: boolean, now: number): Statement[] {
  return statusPageStatements(
    ctx,
    {
      slug: page.key,
      title: page.title,
      description: page.description ?? null,
      showIncidents: page.showIncidents,
      showMaintenance: page.showMaintenance,
      marking: page.marking ?? null,
      components: page.components.map((c) => ({
        name: c.name,
        group: c.group ?? null,
        assetId: c.assetKey !== undefined ? sql`(select id from assets where key = ${c.assetKey})` : null,
        functionId: c.functionKey !== undefined ? sql`(select id from mission_functions where key = ${c.functionKey})` : null,
      })),
    },
    exists,
    now,
  );
}

/** Components name assets and functions that exist in the file or in the database. */
export function statusPageReferenceProblems(
  document: InventoryDocument,
  current: Pick<InventoryDocument, 'assets' | 'functions'>,
  locate: Locate | undefined,
): ErrorDetail[] {
  const assetKeys = new Set([...current.assets, ...document.assets].map((a) => a.key));
  const functionKeys = new Set([...current.functions, ...document.functions].map((f) => f.key));
  const problems: ErrorDetail[] = [];
  document.statusPages.forEach((page, i) =>
    page.components.forEach((component, j) => {
      const path = ['statusPages', i, 'components', j];
      if (component.assetKey !== undefined && !assetKeys.has(component.assetKey)) {
        problems.push(withLocation(locate, [...path, 'assetKey'], `no asset with key "${component.assetKey}"`));
      }
      if (component.functionKey !== undefined && !functionKeys.has(component.functionKey)) {
        problems.push(withLocation(locate, [...path, 'functionKey'], `no mission function with key "${component.functionKey}"`));
      }
    }),
  );
  return problems;
}

/** The stored pages in the apply file's spelling. */
export async function readStatusPageDocuments(db: Db): Promise<StatusPageDocument[]> {
  const pages = await db.select().from(statusPages).orderBy(asc(statusPages.id));
  if (!pages.length) return [];
  // Every page is read, so every component is: no id list to bind.
  const components = await db.select().from(statusPageComponents).orderBy(asc(statusPageComponents.pageId), asc(statusPageComponents.position));
  const assetKey = new Map((await db.select({ id: assets.id, key: assets.key }).from(assets)).map((a) => [a.id, a.key]));
  const functionKey = new Map((await db.select({ id: missionFunctions.id, key: missionFunctions.key }).from(missionFunctions)).map((f) => [f.id, f.key]));
  return pages.map((page) =>
    compact({
      key: page.slug,
      title: page.title,
      description: page.description,
      showIncidents: page.showIncidents,
      showMaintenance: page.showMaintenance,
      marking: page.marking,
      components: components
        .filter((c) => c.pageId === page.id)
        .map((c) =>
          compact({
            name: c.name,
            group: c.groupName,
            assetKey: c.assetId !== null ? assetKey.get(c.assetId) : undefined,
            functionKey: c.functionId !== null ? functionKey.get(c.functionId) : undefined,
          }),
        ),
    }) as StatusPageDocument,
  );
}
