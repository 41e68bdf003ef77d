// What a probe agent runs: the enabled checks that list its vantage, and their assets' facts the
// probes need (location for passes, SLA figures for links). Only a probe token bound to the
// vantage reads it, so no agent learns another's targets or credentials.
import { and, asc, eq, sql } from 'drizzle-orm';
import { assets, checks, vantages } from '../../store/schema/index.js';
import { idsIn } from '../../store/ids.js';
import { ForbiddenError } from '../../domain/errors.js';
import { keyHash } from '../../domain/hash.js';
import type { ServiceContext } from '../context.js';

/**
 * The vantage `name` when the caller is the probe token bound to it; anyone else, an admin
 * included, is refused (admins read checks through /api/checks).
 */
export async function probeVantage(ctx: ServiceContext, name: string) {
  const refused = new ForbiddenError(`Only a probe token of vantage "${name}" may do this`);
  if (ctx.actor.role !== 'probe' || ctx.actor.vantageId == null) throw refused;
  const [vantage] = await ctx.db.select().from(vantages).where(eq(vantages.name, name));
  if (!vantage || vantage.id !== ctx.actor.vantageId) throw refused;
  return vantage;
}

/**
 * The vantage's assignment. Settings are as stored, secrets included: the central monitor runs
 * checks from the stored settings, and so does the agent. `version` changes whenever the body does.
 */
export async function readAssignment(ctx: ServiceContext, name: string) {
  const vantage = await probeVantage(ctx, name);
  const checkRows = await ctx.db
    .select({
      id: checks.id, key: checks.key, assetId: checks.assetId, kind: checks.kind, intervalSeconds: checks.intervalSeconds, cron: checks.cron,
      timezone: checks.timezone, timeoutMs: checks.timeoutMs, failureThreshold: checks.failureThreshold, successThreshold: checks.successThreshold,
      settings: checks.settings,
    })
    .from(checks)
    .where(and(eq(checks.enabled, true), sql`exists (select 1 from json_each(${checks.vantages}) where value = ${name})`))
    .orderBy(asc(checks.id));
  const assetIds = [...new Set(checkRows.map((c) => c.assetId))];
  const assetRows = assetIds.length
    ? await ctx.db
        .select({
          id: assets.id, key: assets.key, lat: assets.lat, lon: assets.lon, altM: assets.altM,
          slaLatencyMs: assets.slaLatencyMs, slaJitterMs: assets.slaJitterMs, slaLossPct: assets.slaLossPct,
        })
        .from(assets)
        .where(idsIn(assets.id, assetIds))
        .orderBy(asc(assets.id))
    : [];
  const body = { vantage: vantage.name, graceSeconds: vantage.graceSeconds, checks: checkRows, assets: assetRows };
  return { ...body, version: keyHash(JSON.stringify(body)) };
}
export type Assignment = Awaited<ReturnType<typeof readAssignment>>;
