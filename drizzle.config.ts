import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/core/store/schema/index.ts',
  out: './drizzle',
});
