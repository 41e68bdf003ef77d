// Check definitions: shared fields plus one settings block named after the kind, e.g.
// `{ key, assetKey, kind: http, intervalSeconds: 30, http: { url, method, expectStatus } }`.
import { Cron } from 'croner';
import { z } from 'zod';
import { CHECK_KINDS, type CheckKind } from './enums.js';
import type { ErrorDetail } from './errors.js';
import { keySchema } from './inventory.js';
import { CENTRAL_VANTAGE, VANTAGE_NAME } from './quorum.js';

const host = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9._:-]+$/, 'must be a host name or IP address');
const port = z.number().int().min(1).max(65535);

export const httpSettingsSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(4000)).default({}),
  body: z.string().max(65_536).optional(),
  /** One status or a list; when neither this nor a [STATUS] condition is given, any 2xx passes. */
  expectStatus: z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1).max(20)]).optional(),
  /** Gatus-style conditions, all of which must hold: `[STATUS] == 200`, `[RESPONSE_TIME] < 300`, `$.state == nominal`. */
  conditions: z.array(z.string().min(3).max(500)).max(20).default([]),
  /** Slower than this (but otherwise fine) is degraded rather than down. */
  latencyBudgetMs: z.number().int().positive().max(600_000).optional(),
  maxRedirects: z.number().int().min(0).max(10).default(0),
  maxBodyBytes: z.number().int().min(0).max(1_048_576).default(65_536),
});

export const tcpSettingsSchema = z.strictObject({
  host,
  port,
  latencyBudgetMs: z.number().int().positive().max(600_000).optional(),
});

export const dnsSettingsSchema = z.strictObject({
  name: host,
  type: z.enum(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS']).default('A'),
  /** Every listed value must be among the answers. */
  expected: z.array(z.string().min(1).max(500)).max(20).default([]),
  /** An IP address, optionally with a port (`9.9.9.9:53`, `[2620:fe::fe]:53`): no lookup before the lookup. */
  resolver: z
    .string()
    .max(60)
    .regex(/^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[?[0-9A-Fa-f:]+\]?(:\d{1,5})?)$/, 'must be an IP address, optionally with a port')
    .optional(),
});

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

/** Whether `text` is one or more PEM certificates and nothing else (a private key is refused). */
function isPemCertificates(text: string): boolean {
  const bodies = [...text.matchAll(PEM_CERTIFICATE)].map((m) => m[1]!.replace(/\s+/g, ''));
  const rest = text.replace(PEM_CERTIFICATE, '').trim();
  // Each body is base64 of a DER SEQUENCE: "MI…".
  return bodies.length > 0 && rest === '' && bodies.every((b) => b.length % 4 === 0 && b.startsWith('MI'));
}

export const tlsSettingsSchema = z.strictObject({
  host,
  port: port.default(443),
  servername: host.optional(),
  /** Fewer days than this to expiry is degraded; expired or invalid is down. */
  warnDays: z.number().int().min(0).max(365).default(14),
  /**
   * The CA certificates (PEM) this check trusts instead of the runtime's roots: a ground segment's
   * internal PKI. Public, not a secret.
   */
  caPem: z
    .string()
    .max(65_536)
    .refine(isPemCertificates, 'must be one or more PEM certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----) and nothing else')
    .optional(),
});

export const pushSettingsSchema = z.strictObject({
  /** The secret part of `POST /api/push/{token}`; generated when absent. */
  token: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/).optional(),
  /** Extra seconds past the interval before a missing heartbeat counts as down. */
  graceSeconds: z.number().int().min(0).max(86_400).default(10),
});

export const linkSettingsSchema = z
  .strictObject({
    /** Probe by TCP connect to host:port, or by HTTP GET of url (whose round trip is measured). */
    host: host.optional(),
    port: port.optional(),
    url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
    /** Probes per run; latency, jitter and loss come from these. */
    probes: z.number().int().min(2).max(50).default(5),
    spacingMs: z.number().int().min(0).max(5_000).default(100),
    /** Loss at or above this is down; any SLA figure exceeded is degraded. */
    downLossPct: z.number().min(0).max(100).default(50),
  })
  .refine((s) => (s.url ? !s.host && !s.port : Boolean(s.host && s.port)), {
    message: 'give either url, or host and port',
    path: ['url'],
  });

export const contactSettingsSchema = z.strictObject({
  satellites: z.array(keySchema).min(1).max(50),
  elevationMaskDeg: z.number().min(0).max(60).default(10),
  /** The station's contact endpoint, probed during passes; any 2xx is a successful contact. */
  url: z.url({ protocol: /^https?$/ }).max(2000),
});

export const externalSettingsSchema = z.strictObject({
  source: z.enum(['alertmanager']).default('alertmanager'),
});

export const CHECK_SETTINGS = {
  http: httpSettingsSchema,
  tcp: tcpSettingsSchema,
  dns: dnsSettingsSchema,
  tls: tlsSettingsSchema,
  push: pushSettingsSchema,
  link: linkSettingsSchema,
  contact: contactSettingsSchema,
  external: externalSettingsSchema,
} as const satisfies Record<(typeof CHECK_KINDS)[number], z.ZodType>;

export type HttpSettings = z.infer<typeof httpSettingsSchema>;
export type TcpSettings = z.infer<typeof tcpSettingsSchema>;
export type DnsSettings = z.infer<typeof dnsSettingsSchema>;
export type TlsSettings = z.infer<typeof tlsSettingsSchema>;
export type PushSettings = z.infer<typeof pushSettingsSchema>;
export type LinkSettings = z.infer<typeof linkSettingsSchema>;
export type ContactSettings = z.infer<typeof contactSettingsSchema>;

// ── Check definitions ────────────────────────────────────────────────────────

export const cronSchema = z
  .string()
  .trim()
  .min(9)
  .max(120)
  .refine(isCronExpression, 'must be a cron expression such as "*/5 * * * *" (optionally with seconds first)');

function isCronExpression(expression: string): boolean {
  try {
    new Cron(expression, { paused: true });
    return true;
  } catch {
    return false;
  }
}

export const timezoneSchema = z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as "Asia/Tokyo"');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const checkScheduleFields = {
  enabled: z.boolean().default(true),
  intervalSeconds: z.number().int().min(1).max(86_400).optional(),
  cron: cronSchema.optional(),
  timezone: timezoneSchema.optional(),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  failureThreshold: z.number().int().min(1).max(100).default(3),
  successThreshold: z.number().int().min(1).max(100).default(2),
};

/** Where a check runs from; whether the names exist and the quorum fits is `vantageProblems`'s job. */
const checkVantageFields = {
  /** The vantages that run the check, by name; null or left out: the central monitor alone. */
  vantages: z
    .array(z.string().regex(VANTAGE_NAME, 'must be a vantage name such as "svalbard-site"'))
    .min(1)
    .max(16)
    .refine((names) => new Set(names).size === names.length, 'each vantage once')
    .nullable(),
  /** How many vantages must see the check down; null: a majority of them. */
  quorum: z.number().int().min(1).max(16).nullable(),
};

const optionalVantageFields = { vantages: checkVantageFields.vantages.optional(), quorum: checkVantageFields.quorum.optional() };

/** Kinds the central monitor alone can run: heartbeats and alerts arrive at the service, passes are computed there. */
const CENTRAL_ONLY_KINDS: readonly CheckKind[] = ['push', 'external', 'contact'];

/**
 * Where a check runs from, against the vantages that exist: every name known, a quorum no larger
 * than the vantages, and the central-only kinds run from central alone. Paths are relative to the check.
 */
export function vantageProblems(
  check: { kind: CheckKind; vantages?: readonly string[] | null; quorum?: number | null },
  known: ReadonlySet<string>,
): ErrorDetail[] {
  const names = check.vantages ?? [CENTRAL_VANTAGE];
  const problems: ErrorDetail[] = [];
  names.forEach((name, i) => {
    if (!known.has(name)) problems.push({ path: `vantages.${i}`, message: `no vantage named "${name}"` });
  });
  if (CENTRAL_ONLY_KINDS.includes(check.kind) && names.some((name) => name !== CENTRAL_VANTAGE)) {
    problems.push({ path: 'vantages', message: `a ${check.kind} check runs from ${CENTRAL_VANTAGE} alone` });
  }
  if (check.quorum != null && check.quorum > names.length) {
    problems.push({ path: 'quorum', message: `quorum is ${check.quorum} but the check has ${names.length} vantage${names.length === 1 ? '' : 's'}` });
  }
  return problems;
}

/** Settings blocks, one per kind, all optional here; `checkKindRule` insists on the right one. */
const settingsBlocks = Object.fromEntries(
  CHECK_KINDS.map((kind) => [kind, CHECK_SETTINGS[kind].optional()]),
) as { [K in (typeof CHECK_KINDS)[number]]: z.ZodOptional<(typeof CHECK_SETTINGS)[K]> };

type CheckShape = { kind: string; intervalSeconds?: number; cron?: string; timezone?: string } & Record<string, unknown>;

function checkKindRule(check: CheckShape, ctx: z.RefinementCtx) {
  for (const kind of CHECK_KINDS) {
    if (kind !== check.kind && check[kind] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [kind], message: `a ${check.kind} check takes a "${check.kind}" block, not "${kind}"` });
    }
  }
  if (check[check.kind] === undefined && check.kind !== 'push' && check.kind !== 'external') {
    ctx.addIssue({ code: 'custom', path: [check.kind], message: `a ${check.kind} check needs its "${check.kind}" settings` });
  }
  if (check.intervalSeconds !== undefined && check.cron !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give intervalSeconds or cron, not both' });
  }
  if (check.timezone !== undefined && check.cron === undefined) {
    ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'a time zone only applies to a cron schedule' });
  }
}

export const checkCreateSchema = z
  .strictObject({
    key: keySchema,
    assetId: z.number().int().positive(),
    kind: z.enum(CHECK_KINDS),
    ...checkScheduleFields,
    ...optionalVantageFields,
    ...settingsBlocks,
  })
  .superRefine(checkKindRule);
export type CheckCreateInput = z.infer<typeof checkCreateSchema>;

export const checkDocumentSchema = z
  .strictObject({
    key: keySchema,
    assetKey: keySchema,
    kind: z.enum(CHECK_KINDS),
    ...checkScheduleFields,
    ...optionalVantageFields,
    ...settingsBlocks,
  })
  .superRefine(checkKindRule);
export type CheckDocument = z.infer<typeof checkDocumentSchema>;

/** PATCH: schedule fields and the kind's settings block (replaced whole); kind and asset are fixed. */
export const checkPatchSchema = z
  .strictObject({
    enabled: z.boolean(),
    intervalSeconds: z.number().int().min(1).max(86_400).nullable(),
    cron: cronSchema.nullable(),
    timezone: timezoneSchema.nullable(),
    timeoutMs: z.number().int().min(100).max(120_000),
    failureThreshold: z.number().int().min(1).max(100),
    successThreshold: z.number().int().min(1).max(100),
    ...checkVantageFields,
    ...settingsBlocks,
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'the patch changes nothing');
export type CheckPatchInput = z.infer<typeof checkPatchSchema>;

export const DEFAULT_INTERVAL_SECONDS = 60;
