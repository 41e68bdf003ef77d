// The Workers build: `wrangler deploy --dry-run` (npm run deploy:check) bundles the worker
// entry offline, with the D1 binding, and none of the Node-only parts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the Workers bundle', () => {
  it('builds with wrangler --dry-run, binds D1 and leaves the Node runtime out', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-worker-'));
    try {
      const run = spawnSync(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', outdir], {
        env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/env\.DB \(coopwatch\)\s+D1 Database/);
      const bundle = fs.readFileSync(path.join(outdir, 'main.js'), 'utf8');
      expect(bundle).toContain('scheduled');
      for (const nodeOnly of ['better_sqlite3.node', 'createNodeProbeRuntime', 'startNode']) expect(bundle).not.toContain(nodeOnly);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
