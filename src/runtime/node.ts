// The Node host: embedded SQLite, the HTTP server, and start-up chores. The only file that
// knows it runs on Node (with src/db/sqlite.ts and src/cli.ts).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { createApp } from '../api/app.js';
import { loadConfig, type AppConfig } from '../config.js';
import { openSqlite } from '../db/sqlite.js';
import { SYSTEM_ACTOR } from '../domain/roles.js';
import { seedIfEmpty } from '../services/bootstrap.js';
import type { ServiceContext } from '../services/context.js';
import { ensureAdminToken } from '../services/tokens.js';

export async function startNode(config: AppConfig) {
  const sqlite = openSqlite(config.databaseFile);
  const ctx: ServiceContext = { db: sqlite.db, actor: SYSTEM_ACTOR, now: Date.now };

  const minted = await ensureAdminToken(ctx, config.adminToken);
  if (minted && !config.adminToken) {
    console.log(`[coopwatch] created the first admin token (shown once, keep it safe):\n\n    ${minted}\n`);
  } else if (minted) {
    console.log('[coopwatch] created the first admin token from COOPWATCH_ADMIN_TOKEN');
  }
  if (config.seedFile) {
    const seeded = await seedIfEmpty(ctx, fs.readFileSync(config.seedFile, 'utf8'));
    if (seeded) {
      console.log(`[coopwatch] empty database: loaded ${config.seedFile} (${seeded.created.assets.length} assets, ${seeded.created.functions.length} mission functions, ${seeded.created.checks.length} checks)`);
    }
  }

  const swaggerRoot = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const app = createApp({
    database: () => sqlite.db,
    maxBodyBytes: config.maxBodyBytes,
    swaggerAssets: serveStatic({ root: swaggerRoot, rewriteRequestPath: (p) => p.replace(/^\/vendor\/swagger-ui-dist/, '') }),
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    console.log(`[coopwatch] listening on http://${info.address}:${info.port} (database ${config.databaseFile}); API docs at /docs`);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close(() => {
      sqlite.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { server, sqlite, stop };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await startNode(loadConfig(process.env));
  } catch (err) {
    console.error(`[coopwatch] cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
