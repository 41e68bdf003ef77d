import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE_SECONDS, parseRetrySchedule } from '../core/outbox/dispatcher.js';

/** Configuration, read once from the environment at start-up and never at request time. */
const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  COOPWATCH_DB: z.string().min(1).default('./data/coopwatch.db'),
  COOPWATCH_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  COOPWATCH_SEED: z.string().default('seeds/demo.yaml'),
  COOPWATCH_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  COOPWATCH_DEMO: z.enum(['0', '1']).default('1'),
  COOPWATCH_DEMO_PORT: z.coerce.number().int().min(1).max(65535).default(8091),
  COOPWATCH_DEMO_FAILOVER_SECONDS: z.coerce.number().min(0).max(3600).default(20),
  COOPWATCH_CHECK_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(256),
  COOPWATCH_PROBE_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  COOPWATCH_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  COOPWATCH_RETENTION_MAX_MB: z.coerce.number().int().min(64).max(16 * 1024 * 1024).optional(),
  COOPWATCH_MONITOR: z.enum(['0', '1']).default('1'),
  COOPWATCH_ELEMENTS_MAX_AGE_DAYS: z.coerce.number().min(0.1).max(365).default(3),
  COOPWATCH_ELEMENTS_URL: z.url({ protocol: /^https?$/ }).optional(),
  COOPWATCH_WEBHOOK_ALLOW_PRIVATE: z.enum(['0', '1']).default('0'),
  COOPWATCH_WEBHOOK_RETRY_SCHEDULE: z.string().max(500).optional(),
  COOPWATCH_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  COOPWATCH_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  COOPWATCH_ALERTMANAGER_LABEL: z.string().min(1).max(100).default('asset'),
  COOPWATCH_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  COOPWATCH_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(30),
  COOPWATCH_AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  COOPWATCH_TRUST_FORWARDED_FOR: z.enum(['0', '1']).default('0'),
  COOPWATCH_SHARDS: z.coerce.number().int().min(1).max(256).default(4),
  COOPWATCH_ORG_NAME: z.string().trim().min(1).max(200).default('coopwatch'),
  COOPWATCH_FOLLOW_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(500),
});

export interface AppConfig {
  port: number;
  host: string;
  databaseFile: string;
  adminToken: string | undefined;
  /** The file loaded into an empty database; empty or "none" loads nothing. */
  seedFile: string | null;
  maxBodyBytes: number;
  /** Run the demo fleet simulator on 127.0.0.1 (the demo seed's checks probe it). */
  demo: boolean;
  demoPort: number;
  /** How long the demo fleet's failover automation takes to move a function's traffic. */
  demoFailoverSeconds: number;
  /** Probes in flight at once, per thread that probes. */
  checkConcurrency: number;
  /** Node: threads that run the network-only probes; 0: all on the monitor's thread; null: cores − 1, at least 2. */
  probeThreads: number | null;
  retentionDays: number;
  /** Node: past this database size the oldest raw results go first, whatever their age; none: no cap. */
  retentionMaxBytes: number | undefined;
  /** Run checks at all (off: an API-only instance). */
  monitor: boolean;
  /** Orbital elements older than this are flagged on the stations that use them. */
  elementsMaxAgeDays: number;
  /** A GP/TLE feed to refresh elements from, daily. */
  elementsUrl: string | undefined;
  webhooks: {
    /** Private and loopback destinations (a COOP network is often private); link-local and metadata never. */
    allowPrivate: boolean;
    retryScheduleSeconds: number[];
    timeoutMs: number;
    concurrency: number;
  };
  alertmanagerLabel: string;
  /** Where people reach this instance; used for links in alerts. */
  publicUrl: string | undefined;
  /** Failed token attempts allowed per client address within the window, before 429. */
  failedAttempts: { maxFailures: number; windowMs: number };
  /** Node: take the client's address from the last X-Forwarded-For entry (only behind a proxy you run). */
  trustForwardedFor: boolean;
  /** Workers: check shards per vantage (central and each region). */
  shardsPerVantage: number;
  /** This organisation, as partners see it (TAXII identity, discovery title). */
  organisation: string;
  /** How often the Node host reads the allied feeds it follows. */
  followIntervalMs: number;
}

export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(set);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = result.data;
  return {
    port: c.PORT,
    host: c.HOST,
    databaseFile: c.COOPWATCH_DB,
    adminToken: c.COOPWATCH_ADMIN_TOKEN,
    seedFile: c.COOPWATCH_SEED === 'none' ? null : c.COOPWATCH_SEED,
    maxBodyBytes: c.COOPWATCH_MAX_BODY_BYTES,
    demo: c.COOPWATCH_DEMO === '1',
    demoPort: c.COOPWATCH_DEMO_PORT,
    demoFailoverSeconds: c.COOPWATCH_DEMO_FAILOVER_SECONDS,
    checkConcurrency: c.COOPWATCH_CHECK_CONCURRENCY,
    probeThreads: c.COOPWATCH_PROBE_THREADS ?? null,
    retentionDays: c.COOPWATCH_RETENTION_DAYS,
    retentionMaxBytes: c.COOPWATCH_RETENTION_MAX_MB === undefined ? undefined : c.COOPWATCH_RETENTION_MAX_MB * 2 ** 20,
    monitor: c.COOPWATCH_MONITOR === '1',
    elementsMaxAgeDays: c.COOPWATCH_ELEMENTS_MAX_AGE_DAYS,
    elementsUrl: c.COOPWATCH_ELEMENTS_URL,
    webhooks: {
      allowPrivate: c.COOPWATCH_WEBHOOK_ALLOW_PRIVATE === '1',
      retryScheduleSeconds: c.COOPWATCH_WEBHOOK_RETRY_SCHEDULE ? parseRetrySchedule(c.COOPWATCH_WEBHOOK_RETRY_SCHEDULE) : DEFAULT_RETRY_SCHEDULE_SECONDS,
      timeoutMs: c.COOPWATCH_WEBHOOK_TIMEOUT_MS,
      concurrency: c.COOPWATCH_WEBHOOK_CONCURRENCY,
    },
    alertmanagerLabel: c.COOPWATCH_ALERTMANAGER_LABEL,
    publicUrl: c.COOPWATCH_PUBLIC_URL,
    failedAttempts: {
      maxFailures: c.COOPWATCH_AUTH_FAILURE_LIMIT,
      windowMs: c.COOPWATCH_AUTH_FAILURE_WINDOW_SECONDS * 1000,
    },
    trustForwardedFor: c.COOPWATCH_TRUST_FORWARDED_FOR === '1',
    shardsPerVantage: c.COOPWATCH_SHARDS,
    organisation: c.COOPWATCH_ORG_NAME,
    followIntervalMs: c.COOPWATCH_FOLLOW_INTERVAL_MS,
  };
}
