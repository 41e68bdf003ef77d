// The demo fleet must not show healthy assets flapping. A healthy demo link answers its echo well
// inside its SLA, but on a busy machine the measured jitter can cross the SLA's 2 ms now and then,
// so a link check on it reads up with the odd degraded. Flap detection counts changes between down
// and not down, so those never add up to flapping; a link losing its probes would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as link from '../../checks/link.js';
import { checkCreateSchema, type LinkSettings } from '../../src/core/domain/checks.js';
import { applyObservation, initialCheckState, type CheckState } from '../../src/core/monitor/check-state.js';
import { startDemoFleet, type DemoFleet } from '../../src/hosts/node/demo/fleet.js';
import { createNodeProbeRuntime, type NodeProbeRuntime } from '../../src/hosts/node/probes.js';

// As seeds/demo.yaml has them: link-usuda-tsukuba and its quality check.
const sla = { latencyMs: 10, jitterMs: 2, lossPct: 0.5 };

describe('flap detection on the demo fleet with default thresholds', () => {
  let fleet: DemoFleet;
  let runtime: NodeProbeRuntime;
  beforeAll(async () => {
    fleet = await startDemoFleet({ assets: [{ key: 'link-usuda-tsukuba', kind: 'network_link', sla }] });
    runtime = createNodeProbeRuntime();
  });
  afterAll(async () => {
    await runtime.close();
    await fleet.close();
  });

  const quality = () => checkCreateSchema.parse({
    key: 'link-usuda-tsukuba-quality', assetId: 1, kind: 'link', intervalSeconds: 30, timeoutMs: 5_000,
    link: { url: `${fleet.url}/links/link-usuda-tsukuba/echo`, probes: 5, spacingMs: 50 },
  });

  /** Runs the link check once and applies its result as the monitor does; returns what it observed. */
  async function observe(def: ReturnType<typeof quality>, state: CheckState): Promise<string> {
    const signal = AbortSignal.timeout(def.timeoutMs);
    const result = await link.run({ ...(def.link as LinkSettings), sla, timeoutMs: def.timeoutMs }, runtime.context(signal));
    applyObservation(state, { status: result.status, message: result.message, at: Date.now() }, def);
    return result.status;
  }

  it('a healthy link, up with the odd degraded, never flaps', async () => {
    const def = quality();
    const state = initialCheckState(Date.now());
    const observed: string[] = [];
    const statuses: string[] = [];
    for (let i = 0; i < 40; i++) {
      observed.push(await observe(def, state));
      statuses.push(state.status);
    }
    expect(observed).not.toContain('down');
    expect(statuses).not.toContain('flapping');
    expect(statuses.at(-1)).toMatch(/^(up|degraded)$/);
  }, 60_000);

  it('a link that drops out every other check does flap', async () => {
    const def = quality();
    const state = initialCheckState(Date.now());
    const statuses: string[] = [];
    for (let i = 0; i < 12; i++) {
      fleet.setFault('link-usuda-tsukuba', i % 2 ? 'down' : 'healthy');
      await observe(def, state);
      statuses.push(state.status);
    }
    fleet.setFault('link-usuda-tsukuba', 'healthy');
    expect(statuses).toContain('flapping');
    expect(statuses).not.toContain('down');
  }, 60_000);
});
