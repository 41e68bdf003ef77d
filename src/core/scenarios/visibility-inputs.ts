// The stored facts visibility reads: the checks with their vantages, and the vantage names a
// scenario may take down.
import { asc } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { checks } from '../store/schema/index.js';
import { vantageNames } from '../store/vantage-reads.js';
import { UnprocessableError } from '../domain/errors.js';
import type { VisibilityCheck } from './visibility.js';

export async function readVisibilityChecks(db: Db): Promise<VisibilityCheck[]> {
  return db
    .select({ key: checks.key, assetId: checks.assetId, enabled: checks.enabled, vantages: checks.vantages, quorum: checks.quorum })
    .from(checks)
    .orderBy(asc(checks.id));
}

/** 422 naming each of `names` that is not a stored vantage (`central` is one). */
export async function requireVantages(db: Db, names: readonly string[] | null | undefined): Promise<void> {
  if (!names?.length) return;
  const known = await vantageNames(db);
  const problems = names.flatMap((name, i) => (known.has(name) ? [] : [{ path: `vantagesDown.${i}`, message: `no vantage named "${name}"`, location: 'body' as const }]));
  if (problems.length) throw new UnprocessableError(problems);
}
