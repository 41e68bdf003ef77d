// Contact probe: during a satellite pass, the station's contact endpoint must report a contact.
// Outside passes there is nothing to check (an idle antenna is not an outage); the engine does
// not call the probe then, and reports a pass that ended without any contact as missed.
import { describeFailure, roundMs } from './failure.js';
import type { Observation, ProbeContext } from './types.js';

export interface ContactTarget {
  url: string;
  pass: { satelliteKey: string; aosMs: number; losMs: number };
}

export async function run(target: ContactTarget, ctx: ProbeContext): Promise<Observation> {
  const started = ctx.monotonic();
  try {
    const response = await ctx.http({ url: target.url, method: 'GET', headers: {}, maxRedirects: 0, maxBodyBytes: 4096, signal: ctx.signal });
    const latencyMs = roundMs(ctx.monotonic() - started);
    if (response.status >= 200 && response.status < 300) return { status: 'up', latencyMs, message: null };
    return { status: 'down', latencyMs, message: `no contact with ${target.pass.satelliteKey}: status ${response.status}` };
  } catch (error) {
    return { status: 'down', latencyMs: null, message: `no contact with ${target.pass.satelliteKey}: ${describeFailure(error, ctx.signal, ctx.monotonic() - started)}` };
  }
}
