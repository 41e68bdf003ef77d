// The vantages a check can run from: `central` (the service itself), the probe agents at the
// sites and the regions the Workers host probes from. Agents and regions are created, changed and
// deleted here; their status (live, lost, pending) is the monitor's to write.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { commitAtomically, type Db, type Statement } from '../store/client.js';
import { apiTokens, assets, checks, checkVotes, vantages } from '../store/schema/index.js';
import { AppError, ConflictError, ForbiddenError } from '../domain/errors.js';
import { keyHash } from '../domain/hash.js';
import { CENTRAL_VANTAGE } from '../domain/quorum.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import type { VantageCreateInput, VantagePatchInput } from '../domain/vantages.js';
import { idsIn } from '../store/ids.js';
import { checksPerVantage } from '../store/vantage-reads.js';
import { recordEvent } from '../store/events.js';
import type { ServiceContext } from './context.js';
import { tokenRevocations } from './tokens.js';

type VantageRow = typeof vantages.$inferSelect;

export function vantageView(row: VantageRow, checkCount: number) {
  return {
    name: row.name,
    kind: row.kind,
    locationHint: row.locationHint,
    status: row.status,
    lastSeenAt: isoTime(row.lastSeenAt),
    since: isoTime(row.since),
    graceSeconds: row.graceSeconds,
    description: row.description,
    checks: checkCount,
  };
}
export type VantageView = ReturnType<typeof vantageView>;

/** Keys of the checks that list the vantage by name (a check listing none runs from central). */
function checksListing(name: string) {
  const listed = sql`exists (select 1 from json_each(${checks.vantages}) where value = ${name})`;
  return name === CENTRAL_VANTAGE ? sql`(${isNull(checks.vantages)} or ${listed})` : listed;
}

async function checkKeysListing(db: Db, name: string): Promise<string[]> {
  const rows = await db.select({ key: checks.key }).from(checks).where(checksListing(name)).orderBy(asc(checks.key));
  return rows.map((r) => r.key);
}

/** The names of every vantage: what a check's `vantages` may list. */
export async function findVantage(db: Db, name: string): Promise<VantageRow> {
  const [row] = await db.select().from(vantages).where(eq(vantages.name, name));
  if (!row) throw new AppError(404, 'not_found', `No vantage named "${name}"`);
  return row;
}

export async function listVantages(ctx: ServiceContext): Promise<VantageView[]> {
  authorize(ctx.actor, 'read');
  const [rows, counts] = await Promise.all([ctx.db.select().from(vantages).orderBy(asc(vantages.id)), checksPerVantage(ctx.db, { enabled: false })]);
  return rows.map((row) => vantageView(row, counts.get(row.name) ?? 0));
}

/** One vantage and its view of each check it votes on. */
export async function getVantage(ctx: ServiceContext, name: string) {
  authorize(ctx.actor, 'read');
  const row = await findVantage(ctx.db, name);
  const [keys, votes] = await Promise.all([
    checkKeysListing(ctx.db, name),
    ctx.db
      .select({ checkKey: checks.key, assetKey: assets.key, status: checkVotes.status, at: checkVotes.at })
      .from(checkVotes)
      .innerJoin(checks, eq(checks.id, checkVotes.checkId))
      .innerJoin(assets, eq(assets.id, checks.assetId))
      .where(eq(checkVotes.vantageId, row.id))
      .orderBy(asc(checks.key)),
  ]);
  return { ...vantageView(row, keys.length), votes: votes.map((v) => ({ ...v, at: isoTime(v.at) })) };
}

/** Registers a probe agent's or a region's vantage; it is pending until its first results. */
export async function createVantage(ctx: ServiceContext, input: VantageCreateInput): Promise<VantageView> {
  authorize(ctx.actor, 'manageInventory');
  const [taken] = await ctx.db.select({ kind: vantages.kind }).from(vantages).where(eq(vantages.name, input.name));
  if (taken) {
    const why = taken.kind === 'central' ? `"${CENTRAL_VANTAGE}" is the service itself` : `A vantage named "${input.name}" already exists`;
    throw new ConflictError(why, [{ path: 'name', message: 'already in use' }]);
  }
  await commitAtomically(ctx.db, vantageCreateStatements(ctx, input, ctx.now()));
  return vantageView(await findVantage(ctx.db, input.name), 0);
}

/** An agent's or a region's vantage and its event (the API's create and the apply file's). */
export function vantageCreateStatements(ctx: ServiceContext, input: VantageCreateInput, now: number): Statement[] {
  const kind = input.locationHint ? 'region' : 'agent';
  const locationHint = input.locationHint ?? null;
  return [
    ctx.db.insert(vantages).values({
      name: input.name, kind, locationHint, description: input.description ?? null, graceSeconds: input.graceSeconds, status: 'pending', since: now, createdAt: now,
    }),
    recordEvent(ctx, { type: 'vantage.created', subjectKind: 'vantage', subjectId: vantageIdByName(input.name), subjectKey: input.name, data: { kind, locationHint } }),
  ];
}

/** A change to an agent's vantage and its event, naming the fields changed. */
export function vantageUpdateStatements(ctx: ServiceContext, name: string, patch: { description?: string | null; graceSeconds?: number }): Statement[] {
  return [
    ctx.db.update(vantages).set(patch).where(eq(vantages.name, name)),
    recordEvent(ctx, { type: 'vantage.updated', subjectKind: 'vantage', subjectId: vantageIdByName(name), subjectKey: name, data: { changed: Object.keys(patch) } }),
  ];
}

export async function updateVantage(ctx: ServiceContext, name: string, patch: VantagePatchInput): Promise<VantageView> {
  authorize(ctx.actor, 'manageInventory');
  await findVantage(ctx.db, name);
  await commitAtomically(ctx.db, vantageUpdateStatements(ctx, name, patch));
  return vantageView(await findVantage(ctx.db, name), (await checkKeysListing(ctx.db, name)).length);
}

/**
 * Deletes an agent's vantage and revokes its probe tokens. Refused while checks list it: a check
 * would otherwise wait for votes that never come.
 */
export async function deleteVantage(ctx: ServiceContext, name: string): Promise<void> {
  authorize(ctx.actor, 'manageInventory');
  const row = await findVantage(ctx.db, name);
  if (row.kind === 'central') throw new ConflictError(`"${CENTRAL_VANTAGE}" is the service itself and cannot be deleted`);
  const used = await checkKeysListing(ctx.db, name);
  if (used.length) {
    throw new ConflictError(`Checks still run from "${name}": ${used.join(', ')}; take it out of their vantages first`, [
      { path: 'checks', message: used.join(', ') },
    ]);
  }
  const { statements, count: tokensRevoked } = await tokenRevocations(ctx, eq(apiTokens.vantageId, row.id));
  statements.push(
    ctx.db.delete(vantages).where(eq(vantages.id, row.id)),
    recordEvent(ctx, { type: 'vantage.deleted', subjectKind: 'vantage', subjectId: row.id, subjectKey: name, data: { tokensRevoked } }),
  );
  await commitAtomically(ctx.db, statements);
}

const vantageIdByName = (name: string) => sql`(select id from vantages where name = ${name})`;

// ── A probe agent's assignment ───────────────────────────────────────────────
// What a probe agent runs: the enabled checks that list its vantage, and their assets' facts the
// probes need (location for passes, SLA figures for links). Only a probe token bound to the
// vantage reads it, so no agent learns another's targets or credentials.

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
