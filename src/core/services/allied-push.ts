// Taking an ally's pushed feed items (POST /api/sharing/push): signed the Standard Webhooks way with
// the secret set on our allied source at pairing, verified before anything is read, then applied
// through the same intake as the pulled feed (sharing/allied-intake.ts), so an item both pushed
// and pulled, or pushed late, never moves a tile back.
import { isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { commitAtomically } from '../store/client.js';
import type { WriteContext } from '../store/context.js';
import { alliedSources } from '../store/schema/index.js';
import { detailsFromZodIssues, InvalidInputError, UnauthenticatedError } from '../domain/errors.js';
import { verifyStandardWebhook } from '../outbox/signing.js';
import { alliedFeedItemSchema, pushStatements } from '../sharing/allied-intake.js';

/** What a subscription's test ping is called (outbox/formats): verified, then nothing to apply. */
const PING = 'ping';

const envelopeSchema = z.object({ type: z.string().max(60), timestamp: z.string().max(40), data: z.unknown() });

export interface PushedRequest {
  body: string;
  headers: Headers;
}

/** The source whose push secret signed this request; 401 when none did (or the signature is too old). */
async function signingSource(ctx: WriteContext, request: PushedRequest) {
  const sources = await ctx.db.select().from(alliedSources).where(isNotNull(alliedSources.pushSecret));
  let reason = 'no ally we follow takes pushes';
  for (const source of sources) {
    const verdict = await verifyStandardWebhook(request.body, request.headers, source.pushSecret!, { nowSeconds: Math.floor(ctx.now() / 1000) });
    if (verdict.ok) return source;
    reason = verdict.reason;
  }
  throw new UnauthenticatedError(`The push is not signed by an ally we follow: ${reason}`);
}

const invalid = (issues: z.core.$ZodIssue[], prefix: string[]) =>
  new InvalidInputError(detailsFromZodIssues(issues, prefix).map((d) => ({ ...d, location: 'body' as const })));

/** Verifies and applies one pushed item; answers which ally sent it and its feed id (null for a ping). */
export async function receiveAlliedPush(ctx: WriteContext, request: PushedRequest): Promise<{ source: string; eventId: number | null }> {
  const source = await signingSource(ctx, request);
  let json: unknown;
  try {
    json = JSON.parse(request.body);
  } catch {
    throw new InvalidInputError([{ path: '', message: 'the body is not JSON', location: 'body' }]);
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw invalid(envelope.error.issues, []);
  if (envelope.data.type === PING) return { source: source.name, eventId: null };
  const item = alliedFeedItemSchema.safeParse(envelope.data.data);
  if (!item.success) throw invalid(item.error.issues, ['data']);
  await commitAtomically(ctx.db, pushStatements(ctx, source, item.data, ctx.now()));
  return { source: source.name, eventId: item.data.id };
}
