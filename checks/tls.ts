// TLS probe: the certificate must verify for the host and not expire within warnDays.
import type { TlsSettings } from '../src/core/domain/checks.js';
import { describeFailure, roundMs } from './failure.js';
import type { Observation, ProbeContext, TlsCertificateInfo } from './types.js';
import { DAY_MS } from '../src/core/domain/time.js';


export async function run(target: TlsSettings, ctx: ProbeContext): Promise<Observation> {
  const port = target.port ?? 443;
  const servername = target.servername ?? target.host;
  const warnDays = target.warnDays ?? 14;
  const started = ctx.monotonic();
  let certificate: TlsCertificateInfo;
  try {
    certificate = await ctx.tlsCertificate(target.host, port, servername, ctx.signal, target.caPem);
  } catch (error) {
    return { status: 'down', latencyMs: null, message: describeFailure(error, ctx.signal, ctx.monotonic() - started) };
  }
  const latencyMs = roundMs(ctx.monotonic() - started);
  const now = ctx.now();
  const daysToExpiry = Math.floor(((certificate.validTo - now) / DAY_MS) * 10) / 10;
  const metrics = { daysToExpiry };
  const down = (message: string): Observation => ({ status: 'down', latencyMs, message, metrics });

  if (certificate.validTo <= now) {
    return down(`certificate expired ${formatDays((now - certificate.validTo) / DAY_MS)} ago (${isoDate(certificate.validTo)})`);
  }
  if (certificate.validFrom > now) return down(`certificate is not valid until ${isoDate(certificate.validFrom)}`);
  if (!certificate.authorized) return down(`certificate is not valid for ${servername}: ${certificate.authorizationError ?? 'verification failed'}`);
  if (daysToExpiry < warnDays) {
    return { status: 'degraded', latencyMs, message: `certificate expires in ${daysToExpiry < 1 ? formatDays(daysToExpiry) : `${daysToExpiry} days`} (${isoDate(certificate.validTo)}), under the ${warnDays}-day warning`, metrics };
  }
  return { status: 'up', latencyMs, message: null, metrics };
}

function formatDays(days: number): string {
  if (days < 1) return `${Math.max(1, Math.round(days * 24))} h`;
  const whole = Math.floor(days);
  return `${whole} day${whole === 1 ? '' : 's'}`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
