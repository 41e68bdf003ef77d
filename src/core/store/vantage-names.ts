import type { Db } from './client.js';
import { vantages } from './schema/index.js';

/** The names of the stored vantages (`central` among them): what checks and scenarios may name. */
export async function vantageNames(db: Db): Promise<Set<string>> {
  return new Set((await db.select({ name: vantages.name }).from(vantages)).map((v) => v.name));
}
