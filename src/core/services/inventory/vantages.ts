// Probe agents' and regions' vantages in the apply file: declared before the checks that list them. Applying
// creates or changes them; it never deletes one (checks or tokens may still use it), as the file
// never deletes assets either.
import { asc, ne } from 'drizzle-orm';
import type { Db, Statement } from '../../store/client.js';
import { vantages } from '../../store/schema/index.js';
import { vantageDocumentSchema, type VantageDocument } from '../../domain/vantages.js';
import type { ServiceContext } from '../context.js';
import { vantageCreateStatements, vantageUpdateStatements } from '../vantages.js';
import { canonical, compact } from './canonical.js';

export interface VantagePlan {
  created: string[];
  updated: string[];
  /** Put them before the checks: checks name their vantages. */
  statements(ctx: ServiceContext, now: number): Statement[];
}

export function planVantages(items: VantageDocument[], stored: VantageDocument[]): VantagePlan {
  const before = new Map(stored.map((v) => [v.key, canonical(vantageDocumentSchema.parse(v))] as const));
  const differing = items.filter((v) => before.get(v.key) !== canonical(v));
  return {
    created: differing.filter((v) => !before.has(v.key)).map((v) => v.key),
    updated: differing.filter((v) => before.has(v.key)).map((v) => v.key),
    statements: (ctx, now) =>
      differing.flatMap((v) => {
        const fields = { description: v.description ?? null, graceSeconds: v.graceSeconds };
        return before.has(v.key) ? vantageUpdateStatements(ctx, v.key, fields) : vantageCreateStatements(ctx, { name: v.key, locationHint: v.locationHint, ...fields }, now);
      }),
  };
}

/** The agents' and regions' vantages in the apply file's spelling (central is the service, not declared). */
export async function readVantageDocuments(db: Db): Promise<VantageDocument[]> {
  const rows = await db.select().from(vantages).where(ne(vantages.kind, 'central')).orderBy(asc(vantages.id));
  return rows.map((row) => compact({ key: row.name, description: row.description, graceSeconds: row.graceSeconds, locationHint: row.locationHint }) as VantageDocument);
}
