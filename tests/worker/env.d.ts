/// <reference types="@cloudflare/vitest-pool-workers/types" />
// The bindings the workerd tests see (wrangler.toml plus vitest.worker.config.ts).
declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    COOPWATCH_ADMIN_TOKEN: string;
    DELIVERIES: Queue<{ deliveryId: number }>;
    COORDINATOR: DurableObjectNamespace<import('../../src/hosts/workers/coordinator.js').Coordinator>;
    SHARDS: DurableObjectNamespace<import('../../src/hosts/workers/check-shard.js').CheckShard>;
  }
}
