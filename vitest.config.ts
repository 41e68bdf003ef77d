import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/bench/**', 'tests/worker/**', 'node_modules/**'],
    globalSetup: ['tests/reliability/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
