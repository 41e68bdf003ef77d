// TCP probe: the time to open a connection; slower than the budget is degraded.
import type { TcpSettings } from '../src/core/domain/checks.js';
import { describeFailure, roundMs } from './failure.js';
import type { Observation, ProbeContext } from './types.js';

export async function run(target: TcpSettings, ctx: ProbeContext): Promise<Observation> {
  const started = ctx.monotonic();
  let connectMs: number;
  try {
    connectMs = roundMs(await ctx.tcpConnect(target.host, target.port, ctx.signal));
  } catch (error) {
    return { status: 'down', latencyMs: null, message: describeFailure(error, ctx.signal, ctx.monotonic() - started) };
  }
  if (target.latencyBudgetMs !== undefined && connectMs > target.latencyBudgetMs) {
    return { status: 'degraded', latencyMs: connectMs, message: `connect time ${Math.round(connectMs)} ms over budget ${target.latencyBudgetMs} ms` };
  }
  return { status: 'up', latencyMs: connectMs, message: null };
}
