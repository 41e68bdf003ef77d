// DNS probe: the name must resolve, and every expected value must be among the answers.
import type { DnsSettings } from '../src/core/domain/checks.js';
import { describeFailure, roundMs } from './failure.js';
import type { Observation, ProbeContext } from './types.js';

/** c-ares style codes that mean "the resolver answered, but not what we need". */
const ANSWER_CODES: Record<string, (name: string, type: string) => string> = {
  ENOTFOUND: (name) => `${name} does not exist (NXDOMAIN)`,
  ENODATA: (name, type) => `no ${type} records for ${name}`,
  ESERVFAIL: (name) => `resolver failed to answer for ${name} (SERVFAIL)`,
  EREFUSED: () => 'resolver refused the query',
  ETIMEOUT: () => 'resolver did not answer',
  ECONNREFUSED: () => 'resolver refused the connection',
};

export async function run(target: DnsSettings, ctx: ProbeContext): Promise<Observation> {
  const type = target.type ?? 'A';
  const started = ctx.monotonic();
  let answers: string[];
  try {
    answers = await ctx.dnsResolve({
      name: target.name,
      type,
      ...(target.resolver ? { resolver: target.resolver } : {}),
      signal: ctx.signal,
    });
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const describe = !ctx.signal.aborted && typeof code === 'string' ? ANSWER_CODES[code] : undefined;
    const message = describe ? describe(target.name, type) : describeFailure(error, ctx.signal, ctx.monotonic() - started);
    return { status: 'down', latencyMs: null, message };
  }
  const latencyMs = roundMs(ctx.monotonic() - started);

  if (answers.length === 0) return { status: 'down', latencyMs, message: `no ${type} records for ${target.name}` };

  const present = new Set(answers.map(normaliseAnswer));
  const missing = (target.expected ?? []).filter((value) => !present.has(normaliseAnswer(value)));
  if (missing.length) {
    return { status: 'down', latencyMs, message: `expected ${missing.join(', ')} among the ${type} answers, got ${answers.join(', ')}` };
  }
  return { status: 'up', latencyMs, message: null };
}

/** Case-insensitive, and `host.example.` equals `host.example`. */
export function normaliseAnswer(value: string): string {
  const trimmed = value.trim().toLowerCase();
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}
