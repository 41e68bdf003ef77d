// Property-based fuzzing of every route in the API's own OpenAPI document (a route added later is
// fuzzed without touching this file): malformed, oversized and type-confused path parameters,
// queries and bodies, under every role. Every answer must be below 500; every refusal must be a
// 4xx in the one error shape and must leave the database exactly as it was.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawClient } from '../../helpers.js';
import { tally } from '../tally.js';
import { apiOperations, createHostileApp, DatabaseFingerprint, FULL, fromSchema, hostileJson, hostileParam, type HostileApp, type Operation } from './harness.js';

/** Cases per operation: the short form keeps `npm test` quick; test:reliability runs the long one. */
const RUNS_PER_OPERATION = FULL ? 200 : 15;

/** Which seeded ids a path parameter should sometimes take, so requests reach past the 404. */
function tableFor(path: string, param: string): string | null {
  if (param === 'runId') return 'drill_runs';
  if (param === 'deliveryId') return 'webhook_deliveries';
  const resource = path.split('/')[2];
  return (
    {
      assets: 'assets', functions: 'mission_functions', checks: 'checks', scenarios: 'scenarios', drills: 'drills',
      'status-pages': 'status_pages', tokens: 'api_tokens', maintenance: 'maintenance_windows', incidents: 'incidents',
      webhooks: 'webhooks', findings: 'drill_findings',
    } as Record<string, string>
  )[resource ?? ''] ?? null;
}

/** encodeURIComponent, except that a lone surrogate is sent as its raw UTF-8 escape rather than throwing. */
function encodeComponent(v: string): string {
  return [...v].map((ch) => (/[\ud800-\udfff]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
}

interface FuzzRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  role: 'viewer' | 'officer' | 'planner' | 'admin';
}

function requestArbitrary(op: Operation, h: HostileApp, ownTokenIds: Set<number>, pushTokens: string[], assetKeys: string[]): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const pathValue = (name: string): fc.Arbitrary<string> => {
    const table = tableFor(op.path, name);
    const known = name === 'token' ? pushTokens : name === 'assetKey' ? assetKeys : table ? (h.ids[table] ?? []).map(String) : [];
    const raw = fc.boolean().chain((encode) => hostileParam.map((v) => (encode ? encodeComponent(v) : v.replace(/[#?]/g, ''))));
    return known.length ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 3 }, { arbitrary: raw, weight: 2 }) : raw;
  };
  const pathArb = fc.tuple(...pathParams.map((p) => pathValue(p.name))).map((values) => {
    let url = op.path;
    pathParams.forEach((p, i) => {
      let v = values[i]!;
      // never revoke the tokens this test calls with
      if (op.path.startsWith('/api/tokens') && ownTokenIds.has(Number(v))) v = '999999';
      url = url.replace(`{${p.name}}`, v || '%20');
    });
    return url;
  });
  const queryArb = fc
    .tuple(
      fc.tuple(...queryParams.map((p) =>
        fc.option(
          fc.oneof(
            { arbitrary: fromSchema(p.schema, 1).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')), weight: 3 },
            { arbitrary: hostileParam, weight: 2 },
            { arbitrary: fc.constantFrom('1e308', '-1', '0', '501', '99999999999999999999', '9007199254740993', 'Infinity'), weight: p.name === 'limit' ? 3 : 0 },
          ),
          { freq: 3 },
        ),
      )),
      fc.option(fc.tuple(fc.constantFrom('limit', 'cursor', 'extra', 'id', '__proto__'), hostileParam), { freq: 4 }),
    )
    .map(([values, extra]) => {
      const q = new URLSearchParams();
      queryParams.forEach((p, i) => {
        if (values[i] !== null && values[i] !== undefined) q.append(p.name, values[i]!);
      });
      if (extra) q.append(extra[0], extra[1]);
      const s = q.toString();
      return s ? `?${s}` : '';
    });
  const json = (v: unknown) => JSON.stringify(v) ?? 'null';
  const bodyArb: fc.Arbitrary<{ body: string | undefined; contentType: string | undefined }> = op.body
    ? fc.oneof(
        { arbitrary: fromSchema(op.body.schema).map((v) => ({ body: json(v), contentType: 'application/json' })), weight: 8 },
        { arbitrary: hostileJson.map((v) => ({ body: json(v), contentType: 'application/json' })), weight: 1 },
        { arbitrary: fromSchema(op.body.schema).map((v) => ({ body: json(v).slice(0, Math.max(1, json(v).length - 3)), contentType: 'application/json' })), weight: 1 },
        { arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/yaml').map((ct) => ({ body: 'a=1&b=2', contentType: ct })), weight: 1 },
        { arbitrary: fc.constant({ body: undefined, contentType: undefined }), weight: 1 },
      )
    : fc.oneof(
        { arbitrary: fc.constant({ body: undefined, contentType: undefined }), weight: 3 },
        { arbitrary: hostileJson.map((v) => ({ body: json(v), contentType: 'application/json' })), weight: 1 },
      );
  const headerArb = fc.option(
    fc.constantFrom<Record<string, string>>(
      { accept: 'text/markdown' },
      { accept: '*/*' },
      { 'if-none-match': '*' },
      { 'x-forwarded-for': '127.0.0.1' },
      { 'content-encoding': 'gzip' },
      { 'transfer-encoding': 'chunked' },
    ),
    { freq: 4 },
  );
  const roleArb = fc.constantFrom<FuzzRequest['role']>('admin', 'admin', 'admin', 'admin', 'planner', 'officer', 'viewer');
  return fc.record({ path: pathArb, query: queryArb, body: bodyArb, extraHeaders: headerArb, role: roleArb }).map(({ path, query, body, extraHeaders, role }) => ({
    url: `${path}${query}`,
    method: op.method,
    headers: { ...(extraHeaders ?? {}), ...(body.contentType ? { 'content-type': body.contentType } : {}) },
    body: op.method === 'GET' ? undefined : body.body,
    role,
  }));
}

/** The answers a route gives by design that are 5xx: none, except the drill routes on an instance without a drill runner. */
function designed5xx(op: Operation, status: number, body: any): boolean {
  return status === 503 && body?.error?.code === 'unavailable' && /^\/api\/drills\/\{id\}\/runs(\/\{runId\}\/abort)?$/.test(op.path) && op.method === 'POST';
}

let h: HostileApp;
let fingerprint: DatabaseFingerprint;
let operations: Operation[];

beforeAll(async () => {
  h = await createHostileApp();
  fingerprint = new DatabaseFingerprint(rawClient(h.sqlite));
  operations = await apiOperations(h.app);
});
afterAll(() => h?.close());

describe('fuzzing every API route', () => {
  it('finds every route in the OpenAPI document, the demo fleet included', () => {
    expect(operations.length).toBeGreaterThan(60);
    expect(operations.some((o) => o.path.startsWith('/api/demo'))).toBe(true);
  });

  it('answers hostile input with < 500, refusals in the error shape, and never writes on a refusal', { timeout: FULL ? 600_000 : 60_000 }, async () => {
    const client = rawClient(h.sqlite);
    const ownTokenIds = new Set((client.prepare(`select id from api_tokens where name like 'test-%'`).all() as Array<{ id: number }>).map((r) => r.id));
    const pushTokens = (client.prepare('select push_token as t from checks where push_token is not null limit 3').all() as Array<{ t: string }>).map((r) => r.t);
    const assetKeys = (client.prepare('select key from assets limit 5').all() as Array<{ key: string }>).map((r) => r.key);
    const problems: string[] = [];
    let cases = 0;
    let fivexx = 0;
    let partial = 0;
    let designed = 0;
    for (const op of operations) {
      try {
        await fc.assert(
          fc.asyncProperty(requestArbitrary(op, h, ownTokenIds, pushTokens, assetKeys), async (req) => {
            cases++;
            const before = fingerprint.current();
            const res = await h.app.request(req.url, { method: req.method, headers: { authorization: `Bearer ${h.tokens[req.role]}`, ...req.headers }, body: req.body });
            const text = await res.text();
            let body: any;
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
            if (res.status >= 500) {
              if (designed5xx(op, res.status, body)) {
                designed++;
                return;
              }
              fivexx++;
              throw new Error(`${res.status}: ${text.slice(0, 300)}`);
            }
            if (res.status >= 400) {
              // Under /taxii2/ a refusal is TAXII 2.1's error resource (title, http_status as a string); elsewhere the project's
              // shape. Where the request lands, not its template: `../` segments can take it out of /taxii2/.
              const error = new URL(req.url, 'http://fuzz').pathname.startsWith('/taxii2/')
                ? body && typeof body.title === 'string' && body.http_status === String(res.status) && { code: String(body.error_code) }
                : body?.error && typeof body.error.code === 'string' && typeof body.error.message === 'string' && Array.isArray(body.error.details)
                  && body.error.details.every((d: any) => typeof d?.path === 'string' && typeof d?.message === 'string') && body.error;
              if (!error) throw new Error(`${res.status} not in the error shape: ${text.slice(0, 300)}`);
              if (fingerprint.current() !== before) {
                partial++;
                throw new Error(`${res.status} ${error.code} but the database changed`);
              }
            }
          }),
          { numRuns: RUNS_PER_OPERATION, endOnFailure: true },
        );
      } catch (err) {
        const message = (err as Error).message;
        const counterexample = /Counterexample: (.*)/.exec(message)?.[1] ?? '';
        const cause = (err as { cause?: Error }).cause;
        const why = cause ? `${cause.message}${cause.stack && !/^Error: \d{3}/.test(cause.stack) ? `\n${cause.stack.split('\n').slice(1, 4).join('\n')}` : ''}` : (err as Error).stack?.split('\n').slice(0, 6).join('\n');
        problems.push(`${op.method} ${op.path}: ${why}\n  ${counterexample.slice(0, 600)}`);
      }
    }
    tally('fuzz cases', cases, 'API routes');
    tally('5xx seen', fivexx, 'API fuzz');
    tally('partial writes', partial, 'API fuzz');
    if (designed) console.log(`[fuzz] ${designed} drill run requests answered 503 by design (no drill runner on this instance)`);
    expect(problems, problems.join('\n\n')).toEqual([]);
  });
});
