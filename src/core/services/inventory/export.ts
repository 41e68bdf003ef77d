import { asc } from 'drizzle-orm';
import { stringify } from 'yaml';
import type { Db } from '../../store/client.js';
import { assets, checks, missionFunctions, type AssetRow, type CheckRow, type MissionFunctionRow } from '../../store/schema/index.js';
import type { AssetDocument, CheckDocument, FunctionDocument } from '../../domain/document.js';
import type { InventoryDocument } from '../../domain/document.js';
import { authorize } from '../../domain/roles.js';
import type { ServiceContext } from '../context.js';
import { assetAttributes } from '../assets.js';
import { checkAttributes } from '../checks.js';
import { loadGroups, type GroupView } from '../../store/function-groups.js';
import { functionAttributes } from '../functions.js';
import { readExerciseDocuments } from './exercises.js';
import { readSatelliteDocuments } from './satellites.js';
import { readVantageDocuments } from './vantages.js';
import { readStatusPageDocuments } from './status-pages.js';
import { compact } from './canonical.js';
import { maskInventorySecrets } from './secrets.js';
import { SECRET_MASK } from '../secrets.js';

/** Drops null and undefined fields so documents compare and read cleanly. */
export function assetDocument(row: AssetRow, keyOf: Map<number, string>): AssetDocument {
  const fromKey = row.linkFromAssetId !== null ? keyOf.get(row.linkFromAssetId) : undefined;
  const toKey = row.linkToAssetId !== null ? keyOf.get(row.linkToAssetId) : undefined;
  return compact({
    key: row.key,
    ...assetAttributes(row),
    link:
      fromKey && toKey
        ? {
            fromAssetKey: fromKey,
            toAssetKey: toKey,
            sla: compact({ latencyMs: row.slaLatencyMs, jitterMs: row.slaJitterMs, lossPct: row.slaLossPct }),
            medium: row.linkMedium ?? 'fibre',
          }
        : undefined,
    dependsOn: row.dependsOn?.flatMap((id) => keyOf.get(id) ?? []).sort(),
  });
}

function functionDocument(row: MissionFunctionRow, groups: GroupView[], assetKey: Map<number, string>, functionKey: Map<number, string>): FunctionDocument {
  return compact({
    key: row.key,
    ...functionAttributes(row),
    groups: groups.map((g) => ({
      name: g.name,
      k: g.k,
      members: g.members.map((m) => ('assetId' in m ? { assetKey: assetKey.get(m.assetId)! } : { functionKey: functionKey.get(m.functionId)! })),
    })),
  });
}

function checkDocument(row: CheckRow, assetKey: Map<number, string>): CheckDocument {
  return compact({
    key: row.key,
    assetKey: assetKey.get(row.assetId)!,
    ...checkAttributes(row),
  }) as CheckDocument;
}

/** The stored inventory in the apply file's spelling. */
export async function readInventoryDocument(db: Db): Promise<InventoryDocument> {
  const assetRows = await db.select().from(assets).orderBy(asc(assets.id));
  const functionRows = await db.select().from(missionFunctions).orderBy(asc(missionFunctions.id));
  const checkRows = await db.select().from(checks).orderBy(asc(checks.id));
  const groups = await loadGroups(db, functionRows.map((f) => f.id));
  const assetKey = new Map(assetRows.map((a) => [a.id, a.key]));
  const functionKey = new Map(functionRows.map((f) => [f.id, f.key]));
  return {
    assets: assetRows.map((row) => assetDocument(row, assetKey)),
    functions: functionRows.map((row) => functionDocument(row, groups.get(row.id) ?? [], assetKey, functionKey)),
    satellites: await readSatelliteDocuments(db),
    vantages: await readVantageDocuments(db),
    checks: checkRows.map((row) => checkDocument(row, assetKey)),
    ...(await readExerciseDocuments(db)),
    statusPages: await readStatusPageDocuments(db),
  };
}

export interface ExportOptions {
  /** Write the secrets themselves instead of the mask (admin only). */
  includeSecrets?: boolean;
}

/** The inventory file; its secrets masked unless an admin asks for them, and the file says which. */
export async function exportInventoryYaml(ctx: ServiceContext, options: ExportOptions = {}): Promise<string> {
  authorize(ctx.actor, 'read');
  if (options.includeSecrets) authorize(ctx.actor, 'manageInventory');
  const stored = await readInventoryDocument(ctx.db);
  const doc = options.includeSecrets ? stored : maskInventorySecrets(stored);
  const secrets = options.includeSecrets
    ? '# Secrets INCLUDED (push tokens, header values): keep this file as safe as the database.\n'
    : `# Secrets omitted: push tokens and header values read "${SECRET_MASK}"; applying this file keeps the stored ones.\n` +
      '# An admin exports them with: coopwatch export --include-secrets (GET /api/inventory?includeSecrets=true)\n';
  const header = `# coopwatch inventory, exported ${new Date(ctx.now()).toISOString()}\n# Apply with: coopwatch apply -f FILE\n${secrets}`;
  return header + stringify(doc, { lineWidth: 0 });
}
