import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { parseCondition } from '../../../checks/conditions.js';
import { commitAtomically, type Db } from '../store/client.js';
import { assets, checks, checkStates, checkVotes, vantages, type CheckRow } from '../store/schema/index.js';
import { CHECK_KINDS, type CheckKind } from '../domain/enums.js';
import { ConflictError, InvalidInputError, NotFoundError, UnprocessableError, type ErrorDetail } from '../domain/errors.js';
import { vantageProblems, type CheckCreateInput, type CheckPatchInput } from '../domain/checks.js';
import { idsIn } from '../store/ids.js';
import { vantageNames } from '../store/vantage-reads.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { decodeCursor, toPage, type Page } from './pagination.js';
import { randomBase64Url } from '../domain/random.js';
import { maskHeaders, restoreMaskedHeaders, SECRET_MASK, type SecretsIn } from './secrets.js';

type StateRow = typeof checkStates.$inferSelect | null;

/** What a check does and when, as the API shows it and the inventory file spells it (after its asset). */
export function checkAttributes(row: CheckRow) {
  return {
    kind: row.kind,
    enabled: row.enabled,
    intervalSeconds: row.intervalSeconds,
    cron: row.cron,
    timezone: row.timezone,
    timeoutMs: row.timeoutMs,
    failureThreshold: row.failureThreshold,
    successThreshold: row.successThreshold,
    vantages: row.vantages,
    quorum: row.quorum,
    [row.kind]: row.settings,
  };
}

/** Each vantage's view of a check, as its state shows it. */
export interface VoteView {
  vantage: string;
  status: (typeof checkVotes.$inferSelect)['status'];
  at: string;
}

/** The votes of the vantages each check lists now (a vantage taken off a check no longer shows). */
async function votesByCheck(db: Db, rows: readonly CheckRow[]): Promise<Map<number, VoteView[]>> {
  const multi = rows.filter((r) => r.vantages);
  const votes = new Map<number, VoteView[]>(rows.map((r) => [r.id, []]));
  if (!multi.length) return votes;
  const listed = new Map(multi.map((r) => [r.id, new Set(r.vantages)]));
  const found = await db
    .select({ checkId: checkVotes.checkId, vantage: vantages.name, status: checkVotes.status, at: checkVotes.at })
    .from(checkVotes)
    .innerJoin(vantages, eq(vantages.id, checkVotes.vantageId))
    .where(idsIn(checkVotes.checkId, multi.map((r) => r.id)))
    .orderBy(asc(vantages.name));
  for (const v of found) {
    if (listed.get(v.checkId)?.has(v.vantage)) votes.get(v.checkId)!.push({ vantage: v.vantage, status: v.status, at: isoTime(v.at) });
  }
  return votes;
}

/** A check's vantages and quorum as stored: null for central alone, and for a majority. */
export function vantageColumns(input: { vantages?: string[] | null; quorum?: number | null }) {
  return { vantages: input.vantages ?? null, quorum: input.quorum ?? null };
}

/** Refuses vantages that do not exist, a quorum larger than the vantages, and agents on central-only kinds. */
async function assertVantagesFit(ctx: ServiceContext, check: Parameters<typeof vantageProblems>[0]): Promise<void> {
  if (!check.vantages && check.quorum == null) return;
  const problems = vantageProblems(check, await vantageNames(ctx.db));
  if (problems.length) throw new UnprocessableError(problems.map((p) => ({ ...p, location: 'body' as const })));
}

/** A check's settings with its secrets (a push token, HTTP header values) masked. */
export function maskedSettings(settings: Record<string, unknown>): Record<string, unknown> {
  const masked = { ...settings };
  if (typeof masked.token === 'string') masked.token = SECRET_MASK;
  if (masked.headers && typeof masked.headers === 'object') masked.headers = maskHeaders(masked.headers as Record<string, string>);
  return masked;
}

/** The check as answers show it; its secrets only in the answer that created it. */
export function checkView(row: CheckRow, state: StateRow, votes: VoteView[], secrets: SecretsIn = 'masked') {
  const settings = secrets === 'shown' ? row.settings : maskedSettings(row.settings);
  return {
    id: row.id,
    key: row.key,
    assetId: row.assetId,
    ...checkAttributes({ ...row, settings }),
    ...(row.kind === 'push' ? { pushUrl: `/api/push/${String(settings.token)}` } : {}),
    status: state?.status ?? 'unknown',
    statusSince: isoTime(state?.since ?? null),
    message: state?.message ?? null,
    votes,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}
export type CheckView = ReturnType<typeof checkView>;

/** A secret for a push check's URL. */
export function generatePushToken(): string {
  return randomBase64Url(24);
}

/** The stored settings for a check: its kind's block, with the push token filled in. */
export function checkSettings(kind: CheckKind, input: Record<string, unknown>): Record<string, unknown> {
  const block = (input[kind] as Record<string, unknown> | undefined) ?? {};
  if (kind === 'push') return { graceSeconds: 10, ...block, token: block.token ?? generatePushToken() };
  return block;
}

/**
 * A new settings block for a stored check, keeping the stored secrets the block leaves out: a push
 * block without a token keeps the token, a header sent as the mask keeps its value.
 */
export function keepCheckSecrets(kind: CheckKind, given: Record<string, unknown>, stored: Record<string, unknown>) {
  const block = { ...((given[kind] as Record<string, unknown> | undefined) ?? {}) };
  if (kind === 'push' && block.token === undefined && typeof stored.token === 'string') block.token = stored.token;
  const { headers, problems } = restoreMaskedHeaders(block.headers as Record<string, string> | undefined, stored.headers as Record<string, string> | undefined, [kind, 'headers']);
  if (headers) block.headers = headers;
  return { block, problems };
}

export function settingsColumns(settings: Record<string, unknown>) {
  return { settings, pushToken: typeof settings.token === 'string' ? settings.token : null };
}

/**
 * Rules the schema alone cannot express: the runtime must be able to run the kind, conditions
 * must parse. Paths are relative to the check.
 */
export function checkSettingsProblems(ctx: ServiceContext, kind: CheckKind, settings: Record<string, unknown>): ErrorDetail[] {
  const unsupported = ctx.unsupportedCheckKinds?.[kind];
  if (unsupported) return [{ path: 'kind', message: `${kind} checks cannot run on this runtime: ${unsupported}` }];
  if (kind !== 'http') return [];
  const conditions = (settings.conditions as string[] | undefined) ?? [];
  return conditions.flatMap((condition, i) => {
    try {
      parseCondition(condition);
      return [];
    } catch (err) {
      return [{ path: `http.conditions.${i}`, message: err instanceof Error ? err.message : String(err) }];
    }
  });
}

export interface CheckListQuery {
  assetId?: number;
  kind?: CheckKind;
  limit: number;
  cursor?: string;
}

export async function listChecks(ctx: ServiceContext, query: CheckListQuery): Promise<Page<CheckView>> {
  authorize(ctx.actor, 'read');
  const filters: SQL[] = [gt(checks.id, decodeCursor(query.cursor))];
  if (query.assetId) filters.push(eq(checks.assetId, query.assetId));
  if (query.kind) filters.push(eq(checks.kind, query.kind));
  const rows = await ctx.db
    .select({ check: checks, state: checkStates })
    .from(checks)
    .leftJoin(checkStates, eq(checkStates.checkId, checks.id))
    .where(and(...filters))
    .orderBy(asc(checks.id))
    .limit(query.limit + 1);
  const votes = await votesByCheck(ctx.db, rows.slice(0, query.limit).map((r) => r.check));
  return toPage(rows.map((r) => ({ ...r, id: r.check.id })), query.limit, (r) => checkView(r.check, r.state, votes.get(r.check.id) ?? []));
}

async function loadCheck(db: Db, id: number) {
  const [row] = await db
    .select({ check: checks, state: checkStates })
    .from(checks)
    .leftJoin(checkStates, eq(checkStates.checkId, checks.id))
    .where(eq(checks.id, id));
  if (!row) throw new NotFoundError('check', id);
  return row;
}

export async function getCheck(ctx: ServiceContext, id: number): Promise<CheckView> {
  authorize(ctx.actor, 'read');
  const row = await loadCheck(ctx.db, id);
  const votes = await votesByCheck(ctx.db, [row.check]);
  return checkView(row.check, row.state, votes.get(id) ?? []);
}

export async function createCheck(ctx: ServiceContext, input: CheckCreateInput): Promise<CheckView> {
  authorize(ctx.actor, 'manageInventory');
  const settings = checkSettings(input.kind, input);
  const problems = checkSettingsProblems(ctx, input.kind, settings);
  if (problems.length) throw new InvalidInputError(problems.map((p) => ({ ...p, location: 'body' as const })));
  const [asset] = await ctx.db.select({ id: assets.id }).from(assets).where(eq(assets.id, input.assetId));
  if (!asset) throw new UnprocessableError([{ path: 'assetId', message: `no asset with id ${input.assetId}` }]);
  const [taken] = await ctx.db.select({ id: checks.id }).from(checks).where(eq(checks.key, input.key));
  if (taken) throw new ConflictError(`A check with key "${input.key}" already exists (id ${taken.id})`, [{ path: 'key', message: 'already in use' }]);
  await assertVantagesFit(ctx, input);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.insert(checks).values({
      key: input.key, assetId: input.assetId, kind: input.kind, ...scheduleColumns(input), ...vantageColumns(input), ...settingsColumns(settings),
      createdAt: now, updatedAt: now,
    }),
    recordEvent(ctx, { type: 'check.created', subjectKind: 'check', subjectId: sql`(select id from checks where key = ${input.key})`, subjectKey: input.key, data: { assetId: input.assetId, kind: input.kind } }),
  ]);
  const [row] = await ctx.db.select({ id: checks.id }).from(checks).where(eq(checks.key, input.key));
  const created = await loadCheck(ctx.db, row!.id);
  return checkView(created.check, created.state, [], 'shown');
}

export function scheduleColumns(input: {
  enabled: boolean; intervalSeconds?: number | null; cron?: string | null; timezone?: string | null;
  timeoutMs: number; failureThreshold: number; successThreshold: number;
}) {
  return {
    enabled: input.enabled,
    intervalSeconds: input.cron ? null : (input.intervalSeconds ?? null),
    cron: input.cron ?? null,
    timezone: input.cron ? (input.timezone ?? null) : null,
    timeoutMs: input.timeoutMs,
    failureThreshold: input.failureThreshold,
    successThreshold: input.successThreshold,
  };
}

export async function updateCheck(ctx: ServiceContext, id: number, patch: CheckPatchInput): Promise<CheckView> {
  authorize(ctx.actor, 'manageInventory');
  const { check } = await loadCheck(ctx.db, id);
  for (const kind of CHECK_KINDS) {
    if (kind !== check.kind && patch[kind] !== undefined) {
      throw new InvalidInputError([{ path: kind, message: `a ${check.kind} check takes a "${check.kind}" block, not "${kind}"`, location: 'body' }]);
    }
  }
  const kept = patch[check.kind] !== undefined ? keepCheckSecrets(check.kind, patch, check.settings) : null;
  if (kept?.problems.length) throw new UnprocessableError(kept.problems.map((p) => ({ path: p.path.join('.'), message: p.message, location: 'body' as const })));
  const settings = kept ? checkSettings(check.kind, { [check.kind]: kept.block }) : check.settings;
  const problems = checkSettingsProblems(ctx, check.kind, settings);
  if (problems.length) throw new InvalidInputError(problems.map((p) => ({ ...p, location: 'body' as const })));
  const merged = { ...check, ...patch };
  if (merged.intervalSeconds && merged.cron) {
    const field = patch.cron ? 'cron' : 'intervalSeconds';
    throw new InvalidInputError([{ path: field, message: 'give intervalSeconds or cron, not both (set the other to null)', location: 'body' }]);
  }
  await assertVantagesFit(ctx, merged);
  await commitAtomically(ctx.db, [
    ctx.db.update(checks).set({ ...scheduleColumns(merged), ...vantageColumns(merged), ...settingsColumns(settings), updatedAt: ctx.now() }).where(eq(checks.id, id)),
    recordEvent(ctx, { type: 'check.updated', subjectKind: 'check', subjectId: id, subjectKey: check.key, data: { changed: Object.keys(patch) } }),
  ]);
  return getCheck(ctx, id);
}

export async function deleteCheck(ctx: ServiceContext, id: number): Promise<void> {
  authorize(ctx.actor, 'manageInventory');
  const { check } = await loadCheck(ctx.db, id);
  await commitAtomically(ctx.db, [
    ctx.db.delete(checks).where(eq(checks.id, id)),
    recordEvent(ctx, { type: 'check.deleted', subjectKind: 'check', subjectId: id, subjectKey: check.key }),
  ]);
}
