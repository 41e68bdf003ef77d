#!/usr/bin/env node
// `npx coopwatch …`: the TypeScript CLI through tsx's loader, in this same process (so SIGTERM and
// SIGINT reach the probe agent directly, with no wrapper process to forward them).
import 'tsx';

await import('../src/hosts/node/cli.ts');
