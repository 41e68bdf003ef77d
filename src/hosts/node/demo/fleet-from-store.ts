import { asc, isNotNull } from 'drizzle-orm';
import type { Db } from '../../../core/store/client.js';
import { assets, checks } from '../../../core/store/schema/index.js';
import { startDemoFleet, type DemoFleet } from './fleet.js';

/**
 * The demo fleet plays every asset in the database; push checks get heartbeats from it. A
 * service asset tagged `failover-primary:<key>` and `failover-alternate:<key>` gets failover
 * automation: its traffic moves to the alternate `failoverMs` after the primary goes down.
 */
export async function startDemoFleetFor(db: Db, port: number, apiUrl: string, failoverMs: number): Promise<DemoFleet> {
  const rows = await db.select().from(assets).orderBy(asc(assets.id));
  const pushChecks = await db
    .select({ assetId: checks.assetId, token: checks.pushToken, intervalSeconds: checks.intervalSeconds })
    .from(checks)
    .where(isNotNull(checks.pushToken));
  const keyOf = new Map(rows.map((a) => [a.id, a.key]));
  const tagValue = (tags: string[], name: string) => tags.find((t) => t.startsWith(`${name}:`))?.slice(name.length + 1);
  const failover = rows.flatMap((a) => {
    const primary = tagValue(a.tags, 'failover-primary');
    const alternate = tagValue(a.tags, 'failover-alternate');
    return primary && alternate ? [{ functionKey: a.key, primaryAssetKey: primary, alternateAssetKey: alternate, delayMs: failoverMs }] : [];
  });
  return startDemoFleet({
    port,
    failover,
    assets: rows.map((a) => ({
      key: a.key, kind: a.kind, lat: a.lat, lon: a.lon,
      sla: { latencyMs: a.slaLatencyMs, jitterMs: a.slaJitterMs, lossPct: a.slaLossPct },
    })),
    push: pushChecks.flatMap((c) => {
      const key = keyOf.get(c.assetId);
      return key ? [{ assetKey: key, url: `${apiUrl}/api/push/${c.token}`, intervalMs: Math.max(1, Math.floor((c.intervalSeconds ?? 60) / 2)) * 1000 }] : [];
    }),
  });
}
