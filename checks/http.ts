// HTTP probe: one request (redirects per setting), then status, conditions and latency budget.
import type { HttpSettings } from '../src/core/domain/checks.js';
import { evaluateConditions, mentionsStatus, parseConditions, type Condition } from './conditions.js';
import { describeFailure, roundMs } from './failure.js';
import type { HttpResponse, Observation, ProbeContext } from './types.js';

/** Parsed conditions per settings object (a check's settings are parsed once, not on every run). */
const parsedConditions = new WeakMap<object, Condition[] | Error>();

function conditionsOf(target: HttpSettings): Condition[] | Error {
  const list = target.conditions;
  if (!list || list.length === 0) return [];
  let parsed = parsedConditions.get(list);
  if (parsed === undefined) {
    try {
      parsed = parseConditions(list);
    } catch (error) {
      parsed = error as Error;
    }
    parsedConditions.set(list, parsed);
  }
  return parsed;
}

export async function run(target: HttpSettings, ctx: ProbeContext): Promise<Observation> {
  const conditions = conditionsOf(target);
  if (conditions instanceof Error) return { status: 'down', latencyMs: null, message: conditions.message };

  const started = ctx.monotonic();
  let response: HttpResponse;
  try {
    response = await ctx.http({
      url: target.url,
      method: target.method ?? 'GET',
      headers: target.headers ?? {},
      ...(target.body === undefined ? {} : { body: target.body }),
      maxRedirects: target.maxRedirects ?? 0,
      maxBodyBytes: target.maxBodyBytes ?? 65_536,
      signal: ctx.signal,
    });
  } catch (error) {
    const elapsed = ctx.monotonic() - started;
    return { status: 'down', latencyMs: null, message: describeFailure(error, ctx.signal, elapsed) };
  }
  const latencyMs = roundMs(ctx.monotonic() - started);

  const statusProblem = checkStatus(response, target.expectStatus, conditions);
  if (statusProblem) return { status: 'down', latencyMs, message: statusProblem };

  if (conditions.length) {
    const result = evaluateConditions(conditions, { status: response.status, latencyMs, headers: response.headers, body: response.body });
    if (!result.ok) {
      const truncated = response.bodyTruncated ? ` (body read up to ${target.maxBodyBytes ?? 65_536} bytes)` : '';
      return { status: 'down', latencyMs, message: result.failures.join('; ') + truncated };
    }
  }

  if (target.latencyBudgetMs !== undefined && latencyMs > target.latencyBudgetMs) {
    return { status: 'degraded', latencyMs, message: `response time ${Math.round(latencyMs)} ms over budget ${target.latencyBudgetMs} ms` };
  }
  return { status: 'up', latencyMs, message: null };
}

/** expectStatus if given; else a [STATUS] condition decides; else any 2xx passes. */
function checkStatus(response: HttpResponse, expectStatus: number | number[] | undefined, conditions: Condition[]): string | null {
  const { status } = response;
  let expected: string;
  if (expectStatus !== undefined) {
    const allowed = Array.isArray(expectStatus) ? expectStatus : [expectStatus];
    if (allowed.includes(status)) return null;
    expected = allowed.length === 1 ? String(allowed[0]) : `one of ${allowed.join(', ')}`;
  } else if (mentionsStatus(conditions)) {
    return null;
  } else {
    if (status >= 200 && status < 300) return null;
    expected = '2xx';
  }
  const location = status >= 300 && status < 400 ? response.headers['location'] : undefined;
  return `status ${status}, expected ${expected}${location ? ` (redirect to ${location} not followed)` : ''}`;
}
