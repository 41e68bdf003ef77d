// The vantages as watch officers see them: each probing place with its health and how many
// checks it runs, and the checks whose vantages disagree or are too few to say.
import { and, asc, eq, inArray, like, or, sql } from 'drizzle-orm';
import type { Db } from '../../store/client.js';
import { checks, checkStates, checkVotes, vantages } from '../../store/schema/index.js';
import type { CheckStatus, VantageKind, VantageStatus } from '../../domain/enums.js';
import { CENTRAL_VANTAGE, NOT_ENOUGH_VANTAGES } from '../../domain/quorum.js';
import { checksPerVantage } from '../../store/vantage-reads.js';

export interface WatchVantage {
  name: string;
  kind: VantageKind;
  status: VantageStatus;
  /** When the status last changed, ms. */
  since: number;
  lastSeenAt: number | null;
  graceSeconds: number;
  /** Enabled checks it runs: those listing it (central: also every check listing none). */
  checks: number;
}

/** A check whose state needs words beside its asset: vantages disagreeing, or too few to say. */
export interface CheckNote {
  checkKey: string;
  status: CheckStatus;
  message: string | null;
}

/** Central first, then by name. The checks each runs are counted in one pass over the checks. */
export async function readVantages(db: Db): Promise<WatchVantage[]> {
  const runs = await checksPerVantage(db, { enabled: true });
  const rows = await db
    .select({
      name: vantages.name, kind: vantages.kind, status: vantages.status, since: vantages.since, lastSeenAt: vantages.lastSeenAt, graceSeconds: vantages.graceSeconds,
    })
    .from(vantages)
    .orderBy(sql`${vantages.name} <> ${CENTRAL_VANTAGE}`, asc(vantages.name));
  return rows.map((v) => ({ ...v, checks: runs.get(v.name) ?? 0 }));
}

/** Disputed checks and checks unknown for want of vantages, by asset id: few, whatever the fleet's size. */
export async function readCheckNotes(db: Db): Promise<Map<number, CheckNote[]>> {
  const rows = await db
    .select({ assetId: checks.assetId, checkKey: checks.key, status: checkStates.status, message: checkStates.message })
    .from(checkStates)
    .innerJoin(checks, eq(checks.id, checkStates.checkId))
    .where(or(eq(checkStates.status, 'disputed'), and(eq(checkStates.status, 'unknown'), like(checkStates.message, `${NOT_ENOUGH_VANTAGES}%`))))
    .orderBy(asc(checks.key));
  const byAsset = new Map<number, CheckNote[]>();
  for (const { assetId, ...note } of rows) byAsset.set(assetId, [...(byAsset.get(assetId) ?? []), note]);
  return byAsset;
}

export interface AssetCheckVotes {
  checkKey: string;
  kind: string;
  vantages: string[];
  quorum: number | null;
  status: CheckStatus | null;
  message: string | null;
  votes: Array<{ vantage: string; status: CheckStatus; at: number | null; message: string | null; health: Pick<WatchVantage, 'kind' | 'status' | 'lastSeenAt'> | null }>;
}

/** An asset's checks that run from more than one vantage, each with every vantage's vote (null `at`: none yet) and health. */
export async function readAssetVotes(db: Db, assetId: number): Promise<AssetCheckVotes[]> {
  const rows = await db
    .select({ id: checks.id, key: checks.key, kind: checks.kind, vantages: checks.vantages, quorum: checks.quorum, status: checkStates.status, message: checkStates.message })
    .from(checks)
    .leftJoin(checkStates, eq(checkStates.checkId, checks.id))
    .where(eq(checks.assetId, assetId))
    .orderBy(asc(checks.key));
  const multi = rows.filter((r) => (r.vantages?.length ?? 0) > 1);
  if (!multi.length) return [];
  const votes = await db
    .select({ checkId: checkVotes.checkId, vantage: vantages.name, status: checkVotes.status, at: checkVotes.at, message: checkVotes.message })
    .from(checkVotes)
    .innerJoin(vantages, eq(vantages.id, checkVotes.vantageId))
    .where(inArray(checkVotes.checkId, multi.map((r) => r.id)));
  const health = new Map((await db.select({ name: vantages.name, kind: vantages.kind, status: vantages.status, lastSeenAt: vantages.lastSeenAt }).from(vantages))
    .map(({ name, ...v }) => [name, v]));
  return multi.map((r) => ({
    checkKey: r.key, kind: r.kind, vantages: r.vantages!, quorum: r.quorum, status: r.status, message: r.message,
    votes: r.vantages!.map((name) => {
      const vote = votes.find((v) => v.checkId === r.id && v.vantage === name);
      return { vantage: name, status: vote?.status ?? 'unknown', at: vote?.at ?? null, message: vote?.message ?? null, health: health.get(name) ?? null };
    }),
  }));
}
