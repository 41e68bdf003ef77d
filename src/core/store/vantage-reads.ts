// What the API, the pages and the inventory read about vantages from the store.
import { sql } from 'drizzle-orm';
import { CENTRAL_VANTAGE } from '../domain/quorum.js';
import type { Db } from './client.js';
import { vantages } from './schema/index.js';

/** The names of the stored vantages (`central` among them): what checks and scenarios may name. */
export async function vantageNames(db: Db): Promise<Set<string>> {
  return new Set((await db.select({ name: vantages.name }).from(vantages)).map((v) => v.name));
}

/**
 * How many checks list each vantage, by name (a check listing none runs from central). `enabled`:
 * count only the checks that run (what a vantage probes), not every check naming it.
 */
export async function checksPerVantage(db: Db, options: { enabled: boolean }): Promise<Map<string, number>> {
  const rows = await db.all<{ name: string; n: number }>(sql`
    select coalesce(listed.value, ${CENTRAL_VANTAGE}) as name, count(*) as n
    from checks left join json_each(checks.vantages) as listed
    ${options.enabled ? sql`where checks.enabled = 1` : sql``}
    group by 1`);
  return new Map(rows.map((r) => [r.name, Number(r.n)]));
}
