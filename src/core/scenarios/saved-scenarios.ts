import { eq } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { scenarios, type ScenarioRow } from '../store/schema/index.js';
import { NotFoundError } from '../domain/errors.js';
import { scenarioBodySchema, type ScenarioBody } from '../domain/scenarios.js';

export async function loadScenario(db: Db, id: number): Promise<ScenarioRow> {
  const [row] = await db.select().from(scenarios).where(eq(scenarios.id, id));
  if (!row) throw new NotFoundError('scenario', id);
  return row;
}

/** The stored scenario's body (kind and parameters), validated again as stored data may predate a rule. */
export async function scenarioBody(db: Db, id: number): Promise<ScenarioBody> {
  const row = await loadScenario(db, id);
  return scenarioBodySchema.parse({ kind: row.kind, params: row.params });
}
