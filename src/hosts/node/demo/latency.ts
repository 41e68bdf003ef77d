/**
 * Timing models for the demo fleet: how long a simulated asset takes to answer, how a network
 * link's echo behaves against its SLA, and how an asset fails when it is down.
 * Every draw takes the random source as a parameter so tests can make it deterministic.
 */

import type { FaultMode } from '../../../core/domain/enums.js';
import { fnv1a } from '../../../core/domain/hash.js';

export type Random = () => number;

export interface LinkSla {
  latencyMs?: number | null;
  jitterMs?: number | null;
  lossPct?: number | null;
}

/** Demo responses stay under this so the watch floor feels snappy. */
export const MAX_HEALTHY_LATENCY_MS = 40;
export const DEGRADED_LATENCY_MS = { min: 400, max: 900 } as const;
/** Share of echo probes a degraded link drops. */
export const DEGRADED_LINK_LOSS = 0.1;

// Typical answer time of a management endpoint per asset kind: cloud health endpoints sit
// close to the monitor, ground stations answer over long backhauls through older M&C gear.
const BASE_HEALTH_MS: Record<string, number> = {
  cloud_region: 3,
  service: 5,
  datacenter: 5,
  network_link: 6,
  power_feed: 8,
  mission_ops_center: 10,
  ground_station: 18,
};
const DEFAULT_BASE_HEALTH_MS = 8;
// Polar and Antarctic sites (SvalSat, TrollSat, McMurdo, Fairbanks) backhaul over long
// subsea or satellite paths.
const POLAR_LATITUDE = 60;
const POLAR_EXTRA_MS = 12;

// Used when a link carries no SLA figure.
const DEFAULT_SLA = { latencyMs: 20, jitterMs: 3, lossPct: 0.5 };

/** Milliseconds a health (or contact) request takes for an asset in the given mode. */
export function healthLatencyMs(kind: string, lat: number | null | undefined, mode: FaultMode, random: Random): number {
  if (mode === 'degraded') return uniform(DEGRADED_LATENCY_MS.min, DEGRADED_LATENCY_MS.max, random);
  let base = BASE_HEALTH_MS[kind] ?? DEFAULT_BASE_HEALTH_MS;
  if (lat != null && Math.abs(lat) >= POLAR_LATITUDE) base += POLAR_EXTRA_MS;
  return Math.min(MAX_HEALTHY_LATENCY_MS, base * uniform(0.8, 1.2, random));
}

/** One echo probe over a link: `null` when the probe is lost, else its round-trip time in ms. */
export function linkEchoMs(sla: LinkSla | undefined, mode: FaultMode, random: Random): number | null {
  if (mode === 'down') return null;
  const latency = positive(sla?.latencyMs) ?? DEFAULT_SLA.latencyMs;
  const jitter = positive(sla?.jitterMs) ?? DEFAULT_SLA.jitterMs;
  if (mode === 'healthy') {
    // Well inside the SLA: the monitor should see green with margin.
    return Math.max(0, latency * 0.4 + uniform(-1, 1, random) * jitter * 0.25);
  }
  if (random() < DEGRADED_LINK_LOSS) return null;
  // Mean above the SLA latency; a spread of ±3× the jitter SLA makes consecutive
  // samples differ by about 2× the SLA jitter on average.
  return Math.max(0, latency * 1.5 + uniform(-1, 1, random) * jitter * 3);
}

/**
 * How a down asset fails, fixed per key so a given asset always fails the same way:
 * cloud regions and services sit behind load balancers that answer 503; other kinds
 * split by key between a 503 and a reset connection, so checks meet both.
 */
export function downBehaviour(key: string, kind: string): 'unavailable' | 'reset' {
  if (kind === 'cloud_region' || kind === 'service' || kind === 'datacenter') return 'unavailable';
  return fnv1a(key) % 2 === 0 ? 'unavailable' : 'reset';
}

function uniform(min: number, max: number, random: Random): number {
  return min + (max - min) * random();
}

function positive(value: number | null | undefined): number | undefined {
  return value != null && Number.isFinite(value) && value > 0 ? value : undefined;
}
