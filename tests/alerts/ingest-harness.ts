// The app on a real SQLite file, assets to alert on, the ingest route, and (when a test needs the
// user-visible result) a LiveMonitor running the assets' external checks.
import type { TestContext } from 'vitest';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, ok, rawClient, waitFor } from '../helpers.js';

export interface StoredAlert {
  fingerprint: string;
  status: string;
  summary: string | null;
  starts_at: number | null;
  ends_at: number | null;
  clipped: string | null;
}

export async function ingestHarness(ctx: TestContext) {
  const t = await createTestApp();
  const runtime = createNodeProbeRuntime();
  let live: LiveMonitor | undefined;
  ctx.onTestFinished(async () => {
    await live?.stop();
    await runtime.close();
    t.close();
  });
  const db = rawClient(t.sqlite);
  const assetStatus = async (id: number): Promise<string> => (await ok(t.call('GET', `/api/assets/${id}`))).status;
  return {
    t,
    async createAsset(key: string): Promise<number> {
      return (await ok(t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key } }), 201)).id;
    },
    send: (body: unknown) => t.call('POST', '/api/ingest/alertmanager', { token: t.tokens.officer, body }),
    stored: (fingerprint: string) => db.prepare('select fingerprint, status, summary, starts_at, ends_at, clipped from external_alerts where fingerprint = ?').get(fingerprint) as StoredAlert | undefined,
    async startMonitor() {
      live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200 });
    },
    assetStatus,
    /** Waits for the asset's external check to run after now, then gives the asset's status. */
    async statusAfterNextRun(assetId: number): Promise<string> {
      const since = Date.now();
      await waitFor('a check run', () => db.prepare("select 1 from check_results r join checks c on c.id = r.check_id where c.asset_id = ? and c.kind = 'external' and r.ts > ?").get(assetId, since), 12_000);
      return assetStatus(assetId);
    },
    waitForStatus: (assetId: number, status: string) => waitFor(`asset ${status}`, async () => (await assetStatus(assetId)) === status, 12_000),
  };
}
