// Link probe: N round trips (TCP connect or HTTP GET) → latency, jitter and loss against the SLA.
import type { LinkSettings } from '../src/core/domain/checks.js';
import { describeFailure, roundMs } from './failure.js';
import type { Observation, ProbeContext } from './types.js';

export interface LinkSla {
  latencyMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
}

export type LinkTarget = LinkSettings & {
  sla: LinkSla;
  /**
   * The check's timeout, which ctx.signal enforces. Knowing it lets the probes share the time
   * fairly and finish before the signal fires; without it each probe gets FALLBACK_PROBE_MS.
   */
  timeoutMs?: number;
};

/** Per-probe timeout when the run's deadline is unknown (5 probes fit the default 10 s timeout). */
const FALLBACK_PROBE_MS = 1_000;
/** Kept back from the deadline so the run reports before the check's own timeout fires. */
const DEADLINE_MARGIN_MS = 20;
const HTTP_PROBE_BODY_BYTES = 1_024;

export interface LinkFigures {
  latencyMs: number | null;
  jitterMs: number | null;
  lossPct: number;
}

export async function run(target: LinkTarget, ctx: ProbeContext): Promise<Observation> {
  const probes = target.probes ?? 5;
  const spacingMs = target.spacingMs ?? 100;
  const started = ctx.monotonic();
  const deadline = target.timeoutMs === undefined ? null : started + target.timeoutMs - DEADLINE_MARGIN_MS;

  const roundTrips: number[] = [];
  let lastFailure: string | null = null;
  for (let i = 0; i < probes && !ctx.signal.aborted; i++) {
    if (i > 0 && spacingMs > 0) {
      try {
        await ctx.sleep(spacingMs, ctx.signal);
      } catch {
        break;
      }
    }
    const probesLeft = probes - i;
    const budget = deadline === null ? FALLBACK_PROBE_MS : (deadline - ctx.monotonic() - spacingMs * (probesLeft - 1)) / probesLeft;
    const outcome = await measureRoundTrip(target, ctx, Math.max(1, Math.floor(budget)));
    if (typeof outcome === 'number') roundTrips.push(outcome);
    else lastFailure = outcome.failure;
  }

  const figures = summariseRoundTrips(roundTrips, probes);
  const metrics: Record<string, number> = { lossPct: figures.lossPct };
  if (figures.latencyMs !== null) metrics['latencyMs'] = figures.latencyMs;
  if (figures.jitterMs !== null) metrics['jitterMs'] = figures.jitterMs;
  const failed = probes - roundTrips.length;
  const downLossPct = target.downLossPct ?? 50;

  if (roundTrips.length === 0) {
    return { status: 'down', latencyMs: null, message: `all ${probes} probes failed${lastFailure ? `: ${lastFailure}` : ''}`, metrics };
  }
  if (figures.lossPct > 0 && figures.lossPct >= downLossPct) {
    return {
      status: 'down',
      latencyMs: figures.latencyMs,
      message: `loss ${formatNumber(figures.lossPct)}% (${failed} of ${probes} probes failed${lastFailure ? `, last: ${lastFailure}` : ''}) at or over the ${downLossPct}% down threshold`,
      metrics,
    };
  }

  const breaches = slaBreaches(figures, target.sla);
  if (breaches.length) return { status: 'degraded', latencyMs: figures.latencyMs, message: breaches.join('; '), metrics };
  return { status: 'up', latencyMs: figures.latencyMs, message: null, metrics };
}

/** Mean RTT, mean absolute difference of consecutive RTTs, and the share of probes lost. */
export function summariseRoundTrips(roundTrips: readonly number[], probes: number): LinkFigures {
  const lossPct = roundMs(((probes - roundTrips.length) / probes) * 100);
  if (roundTrips.length === 0) return { latencyMs: null, jitterMs: null, lossPct };
  const latencyMs = roundTrips.reduce((sum, rtt) => sum + rtt, 0) / roundTrips.length;
  let jitterMs = 0;
  for (let i = 1; i < roundTrips.length; i++) jitterMs += Math.abs(roundTrips[i]! - roundTrips[i - 1]!);
  if (roundTrips.length > 1) jitterMs /= roundTrips.length - 1;
  return { latencyMs: roundMs(latencyMs), jitterMs: roundMs(jitterMs), lossPct };
}

function slaBreaches(figures: LinkFigures, sla: LinkSla): string[] {
  const breaches: string[] = [];
  if (sla.latencyMs !== null && figures.latencyMs !== null && figures.latencyMs > sla.latencyMs) {
    breaches.push(`latency ${formatNumber(figures.latencyMs)} ms > SLA ${sla.latencyMs} ms`);
  }
  if (sla.jitterMs !== null && figures.jitterMs !== null && figures.jitterMs > sla.jitterMs) {
    breaches.push(`jitter ${formatNumber(figures.jitterMs)} ms > SLA ${sla.jitterMs} ms`);
  }
  if (sla.lossPct !== null && figures.lossPct > sla.lossPct) {
    breaches.push(`loss ${formatNumber(figures.lossPct)}% > SLA ${sla.lossPct}%`);
  }
  return breaches;
}

/** One round trip in ms, or why it failed. Its own timeout, and the run's, both stop it. */
async function measureRoundTrip(target: LinkTarget, ctx: ProbeContext, timeoutMs: number): Promise<number | { failure: string }> {
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
  const started = ctx.monotonic();
  try {
    if (target.url) {
      // Any HTTP answer proves the round trip; the service's health is the http check's business.
      await ctx.http({ url: target.url, method: 'GET', headers: {}, maxRedirects: 0, maxBodyBytes: HTTP_PROBE_BODY_BYTES, signal });
      return ctx.monotonic() - started;
    }
    return await ctx.tcpConnect(target.host!, target.port!, signal);
  } catch (error) {
    return { failure: describeFailure(error, signal, ctx.monotonic() - started) };
  }
}

function formatNumber(value: number): string {
  return String(Math.round(value * 10) / 10);
}
