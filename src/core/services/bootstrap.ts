import { count } from 'drizzle-orm';
import { assets, missionFunctions } from '../store/schema/index.js';
import type { ServiceContext } from './context.js';
import { applyInventory, type ApplySummary } from './inventory/apply.js';
import { parseInventoryDocument } from './inventory/document.js';

/**
 * Loads the seed file into a database that holds no inventory yet; leaves any other alone.
 * `${NAME}` placeholders in the file are replaced from `values` (the demo seed points its checks
 * at `${DEMO_FLEET_URL}`).
 */
export async function seedIfEmpty(ctx: ServiceContext, seedSource: string, values: Record<string, string> = {}): Promise<ApplySummary | null> {
  const [a] = await ctx.db.select({ n: count() }).from(assets);
  const [f] = await ctx.db.select({ n: count() }).from(missionFunctions);
  if ((a?.n ?? 0) > 0 || (f?.n ?? 0) > 0) return null;
  const source = seedSource.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => values[name] ?? whole);
  const { document, locate } = parseInventoryDocument(source);
  return applyInventory(ctx, document, { locate });
}
