// Allied partners: who we share with. Admin registers and revokes; a partner's tokens (role
// `partner`, minted through /api/tokens naming the partner) read only what is released to its country.
import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { commitAtomically } from '../store/client.js';
import { apiTokens, partners, webhooks, type PartnerRow } from '../store/schema/index.js';
import { keySchema } from '../domain/inventory.js';
import { countryCodeSchema } from '../domain/marking.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import { recordEvent } from '../store/events.js';
import type { ServiceContext } from './context.js';
import { tokenRevocations } from './tokens.js';

export const partnerInputSchema = z.strictObject({
  key: keySchema,
  name: z.string().trim().min(1).max(200),
  country: countryCodeSchema,
});
export type PartnerInput = z.infer<typeof partnerInputSchema>;

export function partnerView(row: PartnerRow) {
  return { id: row.id, key: row.key, name: row.name, country: row.country, createdAt: isoTime(row.createdAt)!, revokedAt: isoTime(row.revokedAt) };
}
export type PartnerView = ReturnType<typeof partnerView>;

async function loadPartner(ctx: ServiceContext, key: string): Promise<PartnerRow> {
  const [row] = await ctx.db.select().from(partners).where(eq(partners.key, key));
  if (!row) throw new NotFoundError('partner', key);
  return row;
}

export async function createPartner(ctx: ServiceContext, input: PartnerInput): Promise<PartnerView> {
  authorize(ctx.actor, 'manageSharing');
  const [taken] = await ctx.db.select({ id: partners.id }).from(partners).where(eq(partners.key, input.key));
  if (taken) throw new ConflictError(`A partner with key "${input.key}" already exists`, [{ path: 'key', message: 'already in use', location: 'body' }]);
  await commitAtomically(ctx.db, [
    ctx.db.insert(partners).values({ ...input, createdAt: ctx.now() }),
    recordEvent(ctx, { type: 'partner.created', subjectKind: 'partner', subjectId: sql`(select id from partners where key = ${input.key})`, subjectKey: input.key, data: { country: input.country } }),
  ]);
  return partnerView(await loadPartner(ctx, input.key));
}

export async function listPartners(ctx: ServiceContext): Promise<PartnerView[]> {
  authorize(ctx.actor, 'manageSharing');
  return (await ctx.db.select().from(partners).orderBy(asc(partners.id))).map(partnerView);
}

/** Revokes the partner and every token it holds, at once: its next request on any feed is refused (401). */
export async function revokePartner(ctx: ServiceContext, key: string): Promise<PartnerView> {
  authorize(ctx.actor, 'manageSharing');
  const row = await loadPartner(ctx, key);
  if (row.revokedAt !== null) return partnerView(row);
  const tokens = await tokenRevocations(ctx, eq(apiTokens.partnerId, row.id));
  await commitAtomically(ctx.db, [
    ...tokens.statements,
    ctx.db.update(partners).set({ revokedAt: ctx.now() }).where(eq(partners.id, row.id)),
    // Its push subscription stops too: nothing queued for it is sent (sharing/push.ts checks again at send time).
    ctx.db.update(webhooks).set({ enabled: false, disabledReason: 'the partner is revoked', updatedAt: ctx.now() }).where(eq(webhooks.partnerId, row.id)),
    recordEvent(ctx, { type: 'partner.revoked', subjectKind: 'partner', subjectId: row.id, subjectKey: key, data: { tokensRevoked: tokens.count } }),
  ]);
  return partnerView(await loadPartner(ctx, key));
}

/** The partner a `partner` token reads for; any other caller is refused, a revoked partner as unknown. */
export async function partnerOfActor(ctx: ServiceContext): Promise<PartnerRow> {
  if (ctx.actor.role !== 'partner' || ctx.actor.partnerId == null) throw new ForbiddenError('Only a partner token reads what is shared with partners');
  const [row] = await ctx.db.select().from(partners).where(eq(partners.id, ctx.actor.partnerId));
  if (!row || row.revokedAt !== null) throw new UnauthenticatedError('The partner is revoked');
  return row;
}
