// The Workers build's tests: they run inside workerd (vitest-pool-workers) against D1 with the
// real migrations. `npm run test:worker`; also part of `npm test`.
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export const WORKER_TEST_ADMIN_TOKEN = 'worker-test-admin-token-0123456789';

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations('./drizzle'),
          COOPWATCH_ADMIN_TOKEN: WORKER_TEST_ADMIN_TOKEN,
          // The test's target and receiver listen on 127.0.0.1.
          COOPWATCH_WEBHOOK_ALLOW_PRIVATE: '1',
          // The Standard Webhooks schedule's first delay (5 s) every time: a receiver down for seconds
          // is retried within a test, not after the schedule's 5 minutes.
          COOPWATCH_WEBHOOK_RETRY_SCHEDULE: '5s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s',
        },
      },
    }),
  ],
  test: {
    include: ['tests/worker/**/*.test.ts'],
    globalSetup: ['tests/worker/global-setup.ts'],
    setupFiles: ['tests/worker/apply-migrations.ts'],
    testTimeout: 30_000,
  },
}));
