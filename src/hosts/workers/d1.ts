/// <reference types="@cloudflare/workers-types" />
// D1 as the store: a drizzle handle per request or tick, with D1's capabilities registered.
import { drizzle } from 'drizzle-orm/d1';
import { registerStoreCapabilities, type StoreCapabilities } from '../../core/store/capabilities.js';
import { schema, type Db, type Statement } from '../../core/store/client.js';

/** D1's limit on bound parameters per statement. */
const MAX_BOUND_PARAMETERS = 100;

type Preparable = { _prepare(): { getQuery(): { sql: string; params: unknown[] } } };

export function openD1(binding: D1Database): Db {
  const db = drizzle(binding, { schema }) as unknown as Db;
  registerStoreCapabilities(db, d1Capabilities(binding, db));
  return db;
}

/** No interactive transactions and no synchronous statements: a batch is D1's all-or-nothing. */
function d1Capabilities(binding: D1Database, db: Db): StoreCapabilities {
  return {
    maxBoundParameters: MAX_BOUND_PARAMETERS,
    async commitAtomically(statements) {
      // Bound straight onto D1 rather than through drizzle's batch, which cannot bind a raw
      // query's parameters (deferSql's statements with values fail there).
      await binding.batch(statements.map((statement) => {
        const { sql, params } = (statement as unknown as Preparable)._prepare().getQuery();
        return binding.prepare(sql).bind(...params);
      }));
    },
    // drizzle's D1 `run` is lazy: it runs when the batch does.
    deferSql: (query) => db.run(query) as unknown as Statement,
  };
}
