// One asset as the watch floor's detail page shows it: its state, its checks, and for checks run
// from several vantages each vantage's vote and health.
import { asc, eq } from 'drizzle-orm';
import { assets, assetStates, checks, checkStates } from '../../store/schema/index.js';
import { authorize } from '../../domain/roles.js';
import { NotFoundError } from '../../domain/errors.js';
import type { ServiceContext } from '../context.js';
import { readAssetVotes } from './watch-vantages.js';

export async function loadAssetPage(ctx: ServiceContext, key: string) {
  authorize(ctx.actor, 'read');
  const [asset] = await ctx.db
    .select({ id: assets.id, key: assets.key, name: assets.name, kind: assets.kind, region: assets.region, marking: assets.marking, status: assetStates.status, since: assetStates.since, reason: assetStates.reason })
    .from(assets)
    .leftJoin(assetStates, eq(assetStates.assetId, assets.id))
    .where(eq(assets.key, key));
  if (!asset) throw new NotFoundError('asset', key);
  const checkRows = await ctx.db
    .select({ key: checks.key, kind: checks.kind, enabled: checks.enabled, vantages: checks.vantages, quorum: checks.quorum, status: checkStates.status, since: checkStates.since, message: checkStates.message })
    .from(checks)
    .leftJoin(checkStates, eq(checkStates.checkId, checks.id))
    .where(eq(checks.assetId, asset.id))
    .orderBy(asc(checks.key));
  return { asset: { ...asset, status: asset.status ?? 'unknown' }, checks: checkRows, votes: await readAssetVotes(ctx.db, asset.id), now: ctx.now() };
}
export type AssetPageData = Awaited<ReturnType<typeof loadAssetPage>>;
