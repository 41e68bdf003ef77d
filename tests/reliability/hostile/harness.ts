// What the hostile-input and access suites share: an app with every optional part mounted (demo
// fleet, metrics), a seeded inventory, the API's operations read from its own OpenAPI document,
// a fingerprint of the whole database (to prove a refused request wrote nothing), and fast-check
// arbitraries that turn an operation's JSON schema into malformed, oversized and type-confused
// input that is still close enough to valid to get past the first check.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { createApp, type AppDeps } from '../../../src/http/app.js';
import { startDemoFleet, type DemoFleet } from '../../../src/hosts/node/demo/fleet.js';
import { createNodeMetrics } from '../../../src/hosts/node/metrics.js';
import { sessionSigningKey } from '../../../src/core/services/sessions.js';
import { seedIfEmpty } from '../../../src/core/services/bootstrap.js';
import { clientFor, createTestApp, rawClient, type TestApp } from '../../helpers.js';

export const FULL = process.env.COOPWATCH_RELIABILITY === 'full';
export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const DEMO_SEED = path.join(ROOT, 'seeds/demo.yaml');

export interface HostileApp extends TestApp {
  fleet: DemoFleet;
  /** Ids of seeded records by kind, so generated paths reach handlers, not only 404s. */
  ids: Record<string, number[]>;
}

/** A fresh app on a real SQLite file, the demo inventory loaded, the demo fleet and /metrics mounted. */
export async function createHostileApp(deps: Partial<AppDeps> = {}): Promise<HostileApp> {
  const t = await createTestApp();
  await seedIfEmpty(t.ctx, fs.readFileSync(DEMO_SEED, 'utf8'), { DEMO_FLEET_URL: 'http://127.0.0.1:9' });
  // The session signing key is made on first use; make it now, so that first use is not taken for a write.
  await sessionSigningKey(t.sqlite.db, Date.now());
  const client = rawClient(t.sqlite);
  const assets = client.prepare('select key, kind from assets order by id').all() as Array<{ key: string; kind: string }>;
  const fleet = await startDemoFleet({ port: 0, assets: assets.map((a) => ({ key: a.key, kind: a.kind as never, lat: null, lon: null, sla: { latencyMs: null, jitterMs: null, lossPct: null } }) as never) });
  const metrics = createNodeMetrics();
  const app = createApp({
    database: () => t.sqlite.db,
    metrics: metrics.exposition,
    demoFleet: { setFault: (key, mode) => fleet.setFault(key, mode), faults: () => fleet.faults() },
    ...deps,
  });
  const ids: Record<string, number[]> = {};
  for (const table of ['assets', 'mission_functions', 'checks', 'scenarios', 'drills', 'status_pages', 'api_tokens', 'maintenance_windows', 'incidents', 'webhooks', 'drill_runs', 'drill_findings', 'webhook_deliveries']) {
    try {
      ids[table] = (client.prepare(`select id from "${table}" order by id limit 5`).all() as Array<{ id: number }>).map((r) => r.id);
    } catch {
      ids[table] = [];
    }
  }
  const close = t.close;
  return {
    ...t,
    app,
    fleet,
    ids,
    call: clientFor(app, t.tokens),
    close() {
      void fleet.close();
      close();
    },
  };
}

// ---- the API, from its own description ------------------------------------------------------

export interface Operation {
  method: string;
  /** The OpenAPI path, e.g. `/api/assets/{id}`. */
  path: string;
  summary: string;
  secured: boolean;
  params: Array<{ name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: JsonSchema }>;
  body: { required: boolean; contentTypes: string[]; schema: JsonSchema | undefined } | null;
}

export type JsonSchema = Record<string, any>;

export async function apiOperations(app: { request: (url: string) => Response | Promise<Response> }): Promise<Operation[]> {
  const doc = (await (await app.request('/openapi.json')).json()) as JsonSchema;
  const resolve = (s: JsonSchema | undefined): JsonSchema | undefined => {
    if (!s || typeof s !== 'object') return s;
    if (typeof s.$ref === 'string') return resolve(s.$ref.replace(/^#\//, '').split('/').reduce((o: any, k: string) => o?.[k], doc));
    return s;
  };
  const ops: Operation[] = [];
  for (const [p, item] of Object.entries<JsonSchema>(doc.paths)) {
    for (const [method, op] of Object.entries<JsonSchema>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content ?? null;
      ops.push({
        method: method.toUpperCase(),
        path: p,
        summary: op.summary ?? '',
        secured: Array.isArray(op.security) && op.security.length > 0,
        params: (op.parameters ?? []).map((raw: JsonSchema) => {
          const param = resolve(raw)!;
          return { name: param.name, in: param.in, required: Boolean(param.required), schema: resolve(param.schema) ?? {} };
        }),
        body: content
          ? {
              required: Boolean(op.requestBody.required),
              contentTypes: Object.keys(content),
              schema: resolve(content['application/json']?.schema ?? content[Object.keys(content)[0]!]?.schema),
            }
          : null,
      });
    }
  }
  return ops;
}

// ---- the database, fingerprinted --------------------------------------------------------------

/** Columns that a request may touch without writing anything the request asked for. */
const BOOKKEEPING: Record<string, string[]> = { api_tokens: ['last_used_at'] };

/**
 * A hash of every row of every table (bookkeeping columns aside). Equal fingerprints before and
 * after a refused request prove it wrote nothing. Cheap when nothing changed: SQLite's
 * total_changes() on the shared connection says whether a recomputation is needed.
 */
export class DatabaseFingerprint {
  private cached: { changes: number; hash: string } | null = null;
  constructor(private readonly client: import('better-sqlite3').Database) {}

  changes(): number {
    return (this.client.prepare('select total_changes() as n').get() as { n: number }).n;
  }

  current(): string {
    const changes = this.changes();
    if (this.cached && this.cached.changes === changes) return this.cached.hash;
    const hash = createHash('sha256');
    const tables = this.client.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).all() as { name: string }[];
    for (const { name } of tables) {
      hash.update(`\u0000${name}\u0000`);
      const skip = BOOKKEEPING[name] ?? [];
      for (const row of this.client.prepare(`select * from "${name}" order by rowid`).iterate() as Iterable<Record<string, unknown>>) {
        for (const column of skip) delete row[column];
        hash.update(JSON.stringify(row, (_, v) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v)));
      }
    }
    this.cached = { changes, hash: hash.digest('hex') };
    return this.cached.hash;
  }
}

// ---- hostile values ---------------------------------------------------------------------------

const deepArray = (depth: number): unknown => (depth === 0 ? 1 : [deepArray(depth - 1)]);
const deepObject = (depth: number): unknown => (depth === 0 ? 1 : { a: deepObject(depth - 1) });

/** Strings every text field must take or refuse cleanly: traversal, SQL, markup, control characters, sizes. */
export const HOSTILE_STRINGS: string[] = [
  '',
  ' ',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/etc/passwd\u0000.yaml',
  "'; DROP TABLE assets; --",
  "' OR '1'='1",
  '" OR 1=1 --',
  '1; DELETE FROM api_tokens',
  "Robert'); DROP TABLE events;--",
  'UNION SELECT token_hash FROM api_tokens',
  '%',
  '_',
  '\\',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  '１２３',
  '\u202eevil',
  '\ud800',
  '\u0000',
  '\r\nSet-Cookie: x=1',
  '🛰️📡',
  'a'.repeat(257),
  'x'.repeat(70_000),
  'null',
  'true',
  '[]',
  '{}',
];

export const HOSTILE_NUMBERS: number[] = [0, -1, -0, 1.5, 2 ** 31, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308, -1e308, 5e-324];

/** Anything at all in a JSON body: wrong types, deep nesting, prototype keys. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, [], {}, deepArray(200), deepObject(200), JSON.parse('{"__proto__": {"role": "admin"}}'), { constructor: { prototype: { polluted: 1 } } }),
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Arbitrary text for a query or path parameter (not yet URL-encoded). */
export const hostileParam: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 1000)),
  fc.constantFrom(...HOSTILE_NUMBERS.map(String), '99999999999999999999999999', '1.0', ' 1', '1 ', '+1', '1e3', '007'),
  fc.string({ maxLength: 30 }),
  fc.integer().map(String),
);

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? Infinity) && s.length >= (schema.minLength ?? 0));
    } catch {
      // a pattern fast-check cannot generate from: fall through
    }
  }
  if (schema.format === 'uri' || schema.format === 'url') return fc.constantFrom('http://127.0.0.1:9/health', 'https://example.invalid/x', 'http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd');
  if (schema.format === 'date-time') return fc.constantFrom('2030-01-01T00:00:00Z', '2020-02-30T25:61:00Z', '0000-00-00T00:00:00Z');
  if (schema.format === 'date') return fc.constantFrom('2030-01-01', '2030-13-45');
  const min = schema.minLength ?? 0;
  return fc.string({ minLength: min, maxLength: Math.min(schema.maxLength ?? 40, min + 40) });
}

function validNumber(schema: JsonSchema): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1_000_000);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1_000_000);
  if (schema.type === 'integer') return fc.integer({ min: Math.max(Math.ceil(min), Number.MIN_SAFE_INTEGER), max: Math.min(Math.floor(max), Number.MAX_SAFE_INTEGER) });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/**
 * Values for a JSON schema: mostly valid in shape (so the request reaches the handler), with a
 * hostile value in some fields, fields missing or added, and sometimes the wrong type outright.
 */
export function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return hostileJson;
  const alternatives = schema.anyOf ?? schema.oneOf;
  let valid: fc.Arbitrary<unknown>;
  if (alternatives) valid = fc.oneof(...(alternatives as JsonSchema[]).map((s) => fromSchema(s, depth + 1)));
  else if (schema.const !== undefined) valid = fc.constant(schema.const);
  else if (schema.enum) valid = fc.constantFrom(...(schema.enum as unknown[]));
  else {
    const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
    switch (type) {
      case 'string':
        valid = validString(schema);
        break;
      case 'integer':
      case 'number':
        valid = validNumber(schema);
        break;
      case 'boolean':
        valid = fc.boolean();
        break;
      case 'array':
        valid = fc.array(fromSchema(schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, (schema.minItems ?? 0) + 4) });
        break;
      case 'object':
      default: {
        const properties = Object.entries<JsonSchema>(schema.properties ?? {});
        const required = new Set<string>(schema.required ?? []);
        if (!properties.length) {
          valid = schema.additionalProperties && typeof schema.additionalProperties === 'object'
            ? fc.dictionary(fc.string({ maxLength: 12 }), fromSchema(schema.additionalProperties, depth + 1), { maxKeys: 3 })
            : fc.dictionary(fc.string({ maxLength: 8 }), hostileJson, { maxKeys: 2 });
          break;
        }
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, s] of properties) record[name] = fromSchema(s, depth + 1);
        valid = fc
          .tuple(
            fc.record(record, { requiredKeys: [...required].filter((k) => k in record) }),
            // sometimes a required field goes missing, sometimes an unknown one appears
            fc.option(fc.constantFrom(...properties.map(([n]) => n)), { freq: 5 }),
            fc.option(fc.tuple(fc.constantFrom('extra', '__proto__', 'constructor', 'id', 'role', 'tokenHash'), hostileJson), { freq: 6 }),
          )
          .map(([value, drop, extra]) => {
            const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
            if (drop !== null) delete out[drop];
            if (extra !== null) Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true, writable: true, configurable: true });
            return out;
          });
      }
    }
  }
  // Near the top, mostly valid shapes; deeper down, hostile values more often.
  return fc.oneof({ arbitrary: valid, weight: depth === 0 ? 8 : 5 }, { arbitrary: hostileJson, weight: 1 });
}
