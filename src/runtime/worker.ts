/// <reference types="@cloudflare/workers-types" />
// The Workers host: the same app, its database built per request from the D1 binding.
import { drizzle } from 'drizzle-orm/d1';
import { createApp } from '../api/app.js';
import { schema, type Db } from '../db/client.js';

interface Env {
  DB: D1Database;
}

const app = createApp({
  database: (bindings) => drizzle((bindings as unknown as Env).DB, { schema }) as unknown as Db,
});

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
