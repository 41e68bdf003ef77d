import { and, asc, eq, gt, isNull, ne, or, type SQL } from 'drizzle-orm';
import { commitAtomically, type Db, type Statement } from '../store/client.js';
import { apiTokens, partners, vantages, type ApiTokenRow } from '../store/schema/index.js';
import type { Role } from '../domain/enums.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../domain/errors.js';
import { authorize, type Actor } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { randomBase64Url } from '../domain/random.js';

const TOKEN_PREFIX = 'cw_';
const LAST_USED_GRANULARITY_MS = 60_000;

/** `vantage`: the name of a probe token's vantage; `partner`: the key of a partner token's partner (null for other roles). */
export function tokenView(row: ApiTokenRow, vantage: string | null, partner: string | null) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    vantage,
    partner,
    prefix: row.prefix,
    createdAt: isoTime(row.createdAt),
    expiresAt: isoTime(row.expiresAt),
    lastUsedAt: isoTime(row.lastUsedAt),
    revokedAt: isoTime(row.revokedAt),
  };
}
export type TokenView = ReturnType<typeof tokenView>;

function generateSecret(): string {
  return TOKEN_PREFIX + randomBase64Url(32);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares two strings without an early exit, so the time taken says nothing about where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

export interface MintInput {
  name: string;
  role: Role;
  expiresAt?: number | null;
  /** Only for the first admin token, taken from COOPWATCH_ADMIN_TOKEN. */
  secret?: string;
  /** The agent vantage a `probe` token speaks for, by name: required for probe, refused for other roles. */
  vantage?: string | null;
  /** The partner a `partner` token reads for, by key: required for partner, refused for other roles. */
  partner?: string | null;
}

/**
 * The record a new token is bound to: a `probe` token names its agent vantage, a `partner` token
 * its partner; no other token names either. Answers the record's name (null when unbound) and
 * the refusal to throw about that field.
 */
function binding(input: MintInput, field: 'vantage' | 'partner', role: 'probe' | 'partner', purpose: string) {
  const problem = (message: string) => new UnprocessableError([{ path: field, message, location: 'body' }]);
  const named = input[field];
  if (input.role !== role) {
    if (named) throw problem(`only a ${role} token names a ${field}, not a ${input.role} token`);
    return { named: null, problem };
  }
  if (!named) throw problem(`a ${role} token needs the ${field} it ${purpose}`);
  return { named, problem };
}

async function boundVantageId(db: Db, input: MintInput): Promise<number | null> {
  const { named, problem } = binding(input, 'vantage', 'probe', 'speaks for');
  if (named === null) return null;
  const [row] = await db.select({ id: vantages.id, kind: vantages.kind }).from(vantages).where(eq(vantages.name, named));
  if (!row) throw problem(`no vantage named "${named}"`);
  if (row.kind !== 'agent') {
    const what = row.kind === 'central' ? 'the service itself' : "a region, probed by the Workers host's shards";
    throw problem(`"${named}" is ${what}; a probe token speaks for an agent vantage`);
  }
  return row.id;
}

/** A partner token's partner must not be revoked. */
async function boundPartnerId(db: Db, input: MintInput): Promise<number | null> {
  const { named, problem } = binding(input, 'partner', 'partner', 'reads for');
  if (named === null) return null;
  const [row] = await db.select({ id: partners.id, revokedAt: partners.revokedAt }).from(partners).where(eq(partners.key, named));
  if (!row) throw problem(`no partner with key "${named}"`);
  if (row.revokedAt !== null) throw problem(`partner "${named}" is revoked`);
  return row.id;
}

/** Token rows with their vantage's name and their partner's key. */
async function tokensWithVantage(db: Db, where?: SQL) {
  return db
    .select({ token: apiTokens, vantage: vantages.name, partner: partners.key })
    .from(apiTokens)
    .leftJoin(vantages, eq(vantages.id, apiTokens.vantageId))
    .leftJoin(partners, eq(partners.id, apiTokens.partnerId))
    .where(where)
    .orderBy(asc(apiTokens.id));
}

/** Creates a token; the returned secret is the only time it is ever shown. */
export async function mintToken(ctx: ServiceContext, input: MintInput): Promise<TokenView & { secret: string }> {
  authorize(ctx.actor, 'manageTokens');
  const vantageId = await boundVantageId(ctx.db, input);
  const partnerId = await boundPartnerId(ctx.db, input);
  const secret = input.secret ?? generateSecret();
  const tokenHash = await sha256Hex(secret);
  const now = ctx.now();
  await commitAtomically(ctx.db, [
    ctx.db.insert(apiTokens).values({
      name: input.name,
      role: input.role,
      tokenHash,
      prefix: secret.slice(0, 10),
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
      vantageId,
      partnerId,
    }),
    recordEvent(ctx, { type: 'token.created', subjectKind: 'token', subjectKey: input.name, data: { role: input.role } }),
  ]);
  const [row] = await tokensWithVantage(ctx.db, eq(apiTokens.tokenHash, tokenHash));
  return { ...tokenView(row!.token, row!.vantage, row!.partner), secret };
}

export async function listTokens(ctx: ServiceContext): Promise<TokenView[]> {
  authorize(ctx.actor, 'manageTokens');
  const rows = await tokensWithVantage(ctx.db);
  return rows.map((r) => tokenView(r.token, r.vantage, r.partner));
}

export async function revokeToken(ctx: ServiceContext, id: number): Promise<TokenView> {
  authorize(ctx.actor, 'manageTokens');
  const [row] = await ctx.db.select().from(apiTokens).where(eq(apiTokens.id, id));
  if (!row) throw new NotFoundError('token', id);
  if (row.revokedAt !== null) return viewOf(ctx.db, id);
  if (row.role === 'admin') {
    const [otherAdmin] = await ctx.db
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(and(usableAdmin(ctx.now()), ne(apiTokens.id, id)))
      .limit(1);
    if (!otherAdmin) throw new ConflictError('This is the last admin token; mint another admin token before revoking it');
  }
  await commitAtomically(ctx.db, [
    ctx.db.update(apiTokens).set({ revokedAt: ctx.now() }).where(eq(apiTokens.id, id)),
    recordEvent(ctx, { type: 'token.revoked', subjectKind: 'token', subjectId: id, subjectKey: row.name }),
  ]);
  return viewOf(ctx.db, id);
}

/** Revokes every live token matching `which` (a vantage's or a partner's), each with its event; returns the statements and how many. */
export async function tokenRevocations(ctx: ServiceContext, which: SQL): Promise<{ statements: Statement[]; count: number }> {
  const tokens = await ctx.db.select({ id: apiTokens.id, name: apiTokens.name }).from(apiTokens).where(and(which, isNull(apiTokens.revokedAt)));
  const now = ctx.now();
  const statements = tokens.flatMap((token) => [
    ctx.db.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, token.id)),
    recordEvent(ctx, { type: 'token.revoked', subjectKind: 'token', subjectId: token.id, subjectKey: token.name }),
  ]);
  return { statements, count: tokens.length };
}

async function viewOf(db: Db, id: number): Promise<TokenView> {
  const [row] = await tokensWithVantage(db, eq(apiTokens.id, id));
  return tokenView(row!.token, row!.vantage, row!.partner);
}

/** Admin tokens that still work: not revoked, not expired. */
function usableAdmin(now: number) {
  return and(eq(apiTokens.role, 'admin'), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)));
}

/** The token a bearer secret stands for, or null when it is unknown, revoked or expired. */
export async function findUsableToken(db: Db, secret: string, now: number): Promise<ApiTokenRow | null> {
  const tokenHash = await sha256Hex(secret);
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash));
  if (!row || !constantTimeEqual(row.tokenHash, tokenHash)) return null;
  return tokenUsable(row, now) ? row : null;
}

export function tokenUsable(row: ApiTokenRow, now: number): boolean {
  return row.revokedAt === null && (row.expiresAt === null || row.expiresAt > now);
}

export function actorOf(row: ApiTokenRow): Actor {
  return { name: `token:${row.name}`, role: row.role, tokenId: row.id, vantageId: row.vantageId, partnerId: row.partnerId };
}

/** The actor a bearer secret stands for, or null when it is unknown, revoked or expired. */
export async function authenticateToken(db: Db, secret: string, now: number): Promise<Actor | null> {
  const row = await findUsableToken(db, secret, now);
  if (!row) return null;
  if (row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_GRANULARITY_MS) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id));
  }
  return actorOf(row);
}

/**
 * On a first start there is no way in; this mints the first admin token, from the configured
 * secret when one is given. Returns the new secret, or null when an admin token already exists.
 */
export async function ensureAdminToken(ctx: ServiceContext, configured: string | undefined): Promise<string | null> {
  const [admin] = await ctx.db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(usableAdmin(ctx.now()))
    .limit(1);
  if (admin) return null;
  const minted = await mintToken(ctx, { name: 'bootstrap-admin', role: 'admin', secret: configured });
  return minted.secret;
}
