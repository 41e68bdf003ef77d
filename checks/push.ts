// Push probe: the asset reports in (POST /api/push/{token}); silence past the window is down.
import type { Observation, ProbeContext } from './types.js';

export interface PushTarget {
  heartbeat: { at: number; status: 'up' | 'degraded' | 'down'; message: string | null; metrics: Record<string, number> | null } | null;
  /** How long since the last heartbeat is still fine: the interval plus grace. */
  windowMs: number;
}

export async function run(target: PushTarget, ctx: ProbeContext): Promise<Observation> {
  const { heartbeat, windowMs } = target;
  const age = heartbeat ? ctx.now() - heartbeat.at : Infinity;
  if (!heartbeat || age > windowMs) {
    const silence = heartbeat ? `no heartbeat for ${Math.round(age / 1000)} s` : 'no heartbeat received yet';
    return { status: 'down', latencyMs: null, message: `${silence} (window ${Math.round(windowMs / 1000)} s)` };
  }
  const message = heartbeat.status === 'up' ? null : (heartbeat.message ?? `the asset reports itself ${heartbeat.status}`);
  return { status: heartbeat.status, latencyMs: null, message, ...(heartbeat.metrics ? { metrics: heartbeat.metrics } : {}) };
}
