// What a link or contact probe reads of its asset (SLA figures, location) comes from the monitor's
// memory, which holds those facts only for the assets that have such a check: the real monitor,
// runner and link probe against a loopback target, on a real SQLite file.
import { describe, expect, it } from 'vitest';
import { applyInventory } from '../../src/core/services/inventory/apply.js';
import { parseInventoryDocument } from '../../src/core/services/inventory/document.js';
import { createCheckRunner } from '../../src/core/monitor/check-runner.js';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { PassCalendar } from '../../src/core/monitor/pass-calendar.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, rawClient } from '../helpers.js';
import { startTargetServer } from '../support/target-server.js';

const inventory = (url: string, slaMs: number) => `assets:
  - { key: gs-a, kind: ground_station, name: Station A, lat: 78.2, lon: 15.4 }
  - { key: moc-b, kind: mission_ops_center, name: MOC B, lat: 59.9, lon: 10.7 }
  - key: cable-ab
    kind: network_link
    name: Cable A-B
    link: { fromAssetKey: gs-a, toAssetKey: moc-b, sla: { latencyMs: ${slaMs}, lossPct: 50 } }
checks:
  - { key: a-health, assetKey: gs-a, kind: http, http: { url: "${url}/health" } }
  - { key: ab-link, assetKey: cable-ab, kind: link, link: { url: "${url}/ping", probes: 2, spacingMs: 10 } }
`;

describe("a link check's SLA, read from the monitor", () => {
  it('is breached by a slow link; assets without a link or contact check hold no facts', async (ctx) => {
    const t = await createTestApp();
    const runtime = createNodeProbeRuntime();
    const target = await startTargetServer('slow', { delayMs: 40 });
    ctx.onTestFinished(async () => {
      await runtime.close();
      await target.close();
      t.close();
    });
    const { document, locate } = parseInventoryDocument(inventory(target.url, 5));
    await applyInventory(t.ctx, document, { locate });
    const monitor = await Monitor.load(t.sqlite.db, Date.now());
    const runCheck = createCheckRunner({
      probeContext: runtime.context, readHeartbeat: async () => null, firingAlerts: async () => [],
      asset: (id) => monitor.assetFacts(id), passes: new PassCalendar(), now: Date.now,
    });
    const id = (table: string, key: string) => (rawClient(t.sqlite).prepare(`select id from ${table} where key = ?`).get(key) as { id: number }).id;
    const link = monitor.definitions().find((def) => def.key === 'ab-link')!;

    const outcome = await runCheck(link, new AbortController().signal);
    expect(outcome.status).toBe('degraded');
    expect('message' in outcome && outcome.message).toMatch(/latency [\d.]+ ms > SLA 5 ms/);
    expect(monitor.assetFacts(id('assets', 'cable-ab'))).toMatchObject({ key: 'cable-ab', slaLatencyMs: 5, slaLossPct: 50 });
    expect(monitor.assetFacts(id('assets', 'gs-a'))).toBeUndefined();
    expect(monitor.assetFacts(id('assets', 'moc-b'))).toBeUndefined();
  });
});
