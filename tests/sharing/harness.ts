// A test app with a live monitor on loopback targets, and the calls the sharing tests share.
import type { TestContext } from 'vitest';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { mintToken } from '../../src/core/services/tokens.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, ok, type TestApp } from '../helpers.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

export type Marking = { tlp: string; relTo: string[] } | null;

export async function sharingSetup(ctx: TestContext) {
  const t: TestApp = await createTestApp();
  const runtime = createNodeProbeRuntime();
  const closers: Array<() => unknown> = [() => t.close(), () => runtime.close()];
  ctx.onTestFinished(async () => {
    for (const close of closers.reverse()) await close();
  });
  const target = await startTargetServer('healthy');
  closers.push(() => target.close());
  return {
    t,
    target,
    /** An asset with an HTTP check on the loopback target (so it goes down when the target fails). */
    async asset(key: string, marking: Marking, extra: Record<string, unknown> = {}, server: TargetServer = target): Promise<number> {
      const asset = await ok(t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: `Station ${key}`, marking, ...extra } }), 201);
      await ok(t.call('POST', '/api/checks', {
        body: { key: `${key}-http`, assetId: asset.id, kind: 'http', intervalSeconds: 1, timeoutMs: 500, failureThreshold: 1, successThreshold: 1, http: { url: `${server.url}/${key}`, expectStatus: 200 } },
      }), 201);
      return asset.id;
    },
    async fn(key: string, assetIds: number[], marking: Marking): Promise<number> {
      const body = { key, name: `Function ${key}`, tier: 'MEF', rtoSeconds: 60, mtdSeconds: 120, marking, groups: [{ name: 'sites', k: 1, members: assetIds.map((assetId) => ({ assetId })) }] };
      return (await ok(t.call('POST', '/api/functions', { body }), 201)).id;
    },
    /** Registers a partner and returns its token. */
    async partner(key: string, country: string): Promise<string> {
      await ok(t.call('POST', '/api/partners', { body: { key, name: `Ally ${key}`, country } }), 201);
      return (await mintToken(t.ctx, { name: `${key}-token`, role: 'partner', partner: key })).secret;
    },
    async startMonitor() {
      const live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200 });
      closers.push(() => live.stop());
      return live;
    },
    /** Every feed item after `cursor`, following nextCursor to the end. */
    async feed(token: string, cursor = '0') {
      const items: any[] = [];
      for (;;) {
        const page = await ok(t.call('GET', `/api/sharing/feed?cursor=${cursor}&limit=500`, { token }));
        items.push(...page.items);
        cursor = page.nextCursor;
        if (!page.hasMore) return { items, cursor };
      }
    },
  };
}
