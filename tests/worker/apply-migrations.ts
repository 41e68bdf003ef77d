// Every test file starts from the real migrations, applied to the test's D1 database.
import { applyD1Migrations, env } from 'cloudflare:test';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
