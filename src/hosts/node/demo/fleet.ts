/**
 * The demo fleet simulator: one HTTP server on 127.0.0.1 that plays the endpoints of every
 * seeded asset with realistic latency, plus a control API that fails, degrades or restores
 * any asset. coopwatch's checks probe it; live drills inject faults through /control.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FailoverRule } from './failover.js';
import { FleetRoutes, sendJson } from './fleet-routes.js';
import { FleetState } from './fleet-state.js';
import type { FaultMode } from '../../../core/domain/enums.js';
import type { LinkSla, Random } from './latency.js';


export interface DemoAsset {
  key: string;
  kind: string;
  lat?: number | null;
  lon?: number | null;
  /** A network link's SLA (round-trip latency, jitter, loss). */
  sla?: LinkSla;
}

export interface PushHeartbeat {
  assetKey: string;
  /** Where to POST the heartbeat, e.g. coopwatch's /api/push/{pushToken}. */
  url: string;
  intervalMs: number;
}

export interface DemoFleetOptions {
  /** 0 or omitted: an ephemeral port. */
  port?: number;
  assets: DemoAsset[];
  failover?: FailoverRule[];
  push?: PushHeartbeat[];
  random?: Random;
}

export interface DemoFleet {
  url: string;
  port: number;
  setFault(assetKey: string, mode: FaultMode): void;
  faults(): Record<string, FaultMode>;
  close(): Promise<void>;
}

const PUSH_TIMEOUT_MS = 10_000;

export async function startDemoFleet(options: DemoFleetOptions): Promise<DemoFleet> {
  const state = new FleetState(options);
  const routes = new FleetRoutes(state, options.random ?? Math.random);
  const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    routes.route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const heartbeats = startHeartbeats(state, options.push ?? []);

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      heartbeats.stop();
      state.stop();
      routes.close();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  }

  return { url: `http://127.0.0.1:${port}`, port, setFault: (key, mode) => state.setFault(key, mode), faults: () => state.faults(), close };
}

/** Each push asset POSTs its heartbeat on its interval while it is not down. */
function startHeartbeats(state: FleetState, pushes: readonly PushHeartbeat[]): { stop(): void } {
  const inFlight = new Set<AbortController>();
  async function sendHeartbeat(push: PushHeartbeat): Promise<void> {
    const mode = state.mode(push.assetKey);
    if (mode === 'down') return;
    const controller = new AbortController();
    inFlight.add(controller);
    try {
      const response = await fetch(push.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: mode === 'degraded' ? 'degraded' : 'up' }),
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(PUSH_TIMEOUT_MS)]),
      });
      await response.arrayBuffer();
    } catch {
      // coopwatch may not be listening yet; the next beat tries again.
    } finally {
      inFlight.delete(controller);
    }
  }
  const timers = pushes.map((push) => setInterval(() => void sendHeartbeat(push), push.intervalMs));
  return {
    stop() {
      timers.forEach(clearInterval);
      for (const controller of inFlight) controller.abort();
    },
  };
}
