// What the Workers host would cost per month on Cloudflare's published prices, extrapolated from
// the per-result and per-shard counts the workers bench measured in local workerd.
//
// Prices, read 2026-12-05 through the stored copies of these pages:
// - Workers (Paid plan: $5/month minimum; Standard: 10M requests included + $0.30/M, 30M CPU-ms
//   included + $0.02/M CPU-ms): https://developers.cloudflare.com/workers/platform/pricing/
// - Durable Objects (1M requests included + $0.15/M, alarms and each RPC call count; duration
//   400,000 GB-s included + $12.50/M GB-s, billed for 128 MB per active object whatever it uses;
//   the page's example, quoted in cloudflare/cloudflare-docs issue 24138, counts 128 MB as 0.128 GB):
//   https://developers.cloudflare.com/durable-objects/platform/pricing
// - D1 (rows read: 25B included + $0.001/M; rows written: 50M included + $1.00/M, and an index
//   adds a written row when a write includes its column; storage: 5 GB included + $0.75/GB-month):
//   https://developers.cloudflare.com/d1/platform/pricing/ ; 10 GB at most per database:
//   https://developers.cloudflare.com/d1/platform/limits/ (page dated Apr 21, 2026)
// - Queues (1M operations included + $0.40/M; 3 operations per message delivered):
//   https://developers.cloudflare.com/queues/pricing/
// - SQLite storage in Durable Objects is billed since January 2026 (changelog of 2025-12-12,
//   https://developers.cloudflare.com/changelog/post/2025-12-12-durable-objects-sqlite-storage-billing/),
//   but the stored copies of the pricing page hold no SQLite figures: D1's per-row rates and
//   allotments are assumed for it (stated in the table).
import { round } from './common.js';

export const MONTH_SECONDS = 30 * 86_400;
const MILLION = 1e6;
const GB = 1e9;
const DO_OBJECT_GB = 0.128;
const CRON_RUNS_PER_MONTH = 30 * 1_440 + 30;

export const PRICES = {
  workersBaseUsd: 5,
  workerRequests: { included: 10 * MILLION, usdPerMillion: 0.3 },
  doRequests: { included: 1 * MILLION, usdPerMillion: 0.15 },
  doGbSeconds: { included: 400_000, usdPerMillion: 12.5 },
  d1RowsWritten: { included: 50 * MILLION, usdPerMillion: 1 },
  d1RowsRead: { included: 25_000 * MILLION, usdPerMillion: 0.001 },
  d1StorageGb: { included: 5, usdPerUnit: 0.75 },
  queueOps: { included: 1 * MILLION, usdPerMillion: 0.4 },
} as const;

/**
 * Checks per second one shard can keep on a real network: Workers allow 6 simultaneous open
 * connections per invocation (check-shard.ts's PROBE_CONCURRENCY); at an assumed 120 ms per
 * remote probe that is 50 probes/s. Loopback probes (about 1 ms) say nothing about this.
 */
export const CHECKS_PER_SECOND_PER_SHARD = 50;
export const MIN_SHARDS = 4;
const RETENTION_DAYS = 7;
const SHARD_KEEP_SECONDS = 3_600;

/** What the bench measured, per result or per shard-second, that the cost scales with. */
export interface MeasuredRates {
  /** D1 rows written per result: the result row with its index rows (and again when pruned), its share of state and event rows. */
  d1RowsPerResult: number;
  /** D1 rows written per upload: the coordinator's receipt of the batch, with its index rows. */
  d1RowsPerUpload: number;
  /** D1 rows written per check by one rollup run (every minute, from the Cron Trigger). */
  rollupRowsPerCheck: number;
  /** D1 bytes per stored result (table and index). */
  d1BytesPerResult: number;
  /** Shard SQLite rows written per result: insert and the `sent` update measured, each with its index row; the delete after an hour assumed alike. */
  shardRowsPerResult: number;
  /** Shard SQLite rows written per upload (the in-flight key put and deleted). */
  shardRowsPerUpload: number;
  shardBytesPerResult: number;
  /** Uploads (coordinator RPC calls) per shard per second. */
  uploadsPerShardSecond: number;
  /** Queue messages per result (webhook deliveries). */
  queueMessagesPerResult: number;
}

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface Scenario {
  checks: number;
  intervalSeconds: number;
  shards: number;
  lines: CostLine[];
  totalUsd: number;
  /** D1 holds raw results for the retention window: more than one database can hold is noted. */
  d1StoredGb: number;
}

const overage = (quantity: number, p: { included: number; usdPerMillion: number }) => (Math.max(0, quantity - p.included) / MILLION) * p.usdPerMillion;

export function monthlyCost(checks: number, intervalSeconds: number, m: MeasuredRates): Scenario {
  const rate = checks / intervalSeconds;
  const resultsPerMonth = rate * MONTH_SECONDS;
  const shards = Math.max(MIN_SHARDS, Math.ceil(rate / CHECKS_PER_SECOND_PER_SHARD));
  const uploads = shards * m.uploadsPerShardSecond * MONTH_SECONDS;
  // Each shard's 1 s alarm, its uploads, and the coordinator's 10 s keep-alive alarm.
  const doRequests = shards * MONTH_SECONDS + uploads + MONTH_SECONDS / 10;
  // Shards are never idle (a 1 s alarm and the scheduler's timers) and the coordinator keeps a 1 s
  // fan-out timer: every object is active, so billed, all month.
  const gbSeconds = (shards + 1) * DO_OBJECT_GB * MONTH_SECONDS;
  const d1Written = resultsPerMonth * m.d1RowsPerResult + uploads * m.d1RowsPerUpload + m.rollupRowsPerCheck * checks * CRON_RUNS_PER_MONTH;
  // Each rollup run scans the last minute's results four times (check and asset, hour and day).
  const d1Read = 4 * rate * 60 * CRON_RUNS_PER_MONTH;
  const d1StoredGb = (rate * RETENTION_DAYS * 86_400 * m.d1BytesPerResult) / GB;
  const shardWritten = resultsPerMonth * m.shardRowsPerResult + uploads * m.shardRowsPerUpload;
  const shardStoredGb = (rate * SHARD_KEEP_SECONDS * m.shardBytesPerResult) / GB;
  const queueOps = 3 * resultsPerMonth * m.queueMessagesPerResult;
  const lines: CostLine[] = [
    { item: 'Workers Paid plan (base)', quantity: 1, unit: 'month', usd: PRICES.workersBaseUsd },
    { item: 'Worker requests (Cron Triggers)', quantity: CRON_RUNS_PER_MONTH, unit: 'requests', usd: overage(CRON_RUNS_PER_MONTH, PRICES.workerRequests) },
    { item: `DO requests (${shards} shards' alarms + uploads, coordinator alarm)`, quantity: doRequests, unit: 'requests', usd: overage(doRequests, PRICES.doRequests) },
    { item: `DO duration (${shards + 1} objects × 128 MB, always active)`, quantity: gbSeconds, unit: 'GB-s', usd: overage(gbSeconds, PRICES.doGbSeconds) },
    { item: 'D1 rows written (results, receipts, rollups, pruning)', quantity: d1Written, unit: 'rows', usd: overage(d1Written, PRICES.d1RowsWritten) },
    { item: 'D1 rows read (rollups)', quantity: d1Read, unit: 'rows', usd: overage(d1Read, PRICES.d1RowsRead) },
    { item: `D1 storage (${RETENTION_DAYS} days of raw results)`, quantity: d1StoredGb, unit: 'GB', usd: Math.max(0, d1StoredGb - PRICES.d1StorageGb.included) * PRICES.d1StorageGb.usdPerUnit },
    { item: 'DO SQLite rows written (shard results; D1 rates assumed)', quantity: shardWritten, unit: 'rows', usd: overage(shardWritten, PRICES.d1RowsWritten) },
    { item: 'DO SQLite storage (1 h of results; D1 rates assumed)', quantity: shardStoredGb, unit: 'GB', usd: Math.max(0, shardStoredGb - PRICES.d1StorageGb.included) * PRICES.d1StorageGb.usdPerUnit },
    { item: 'Queue operations (webhook deliveries)', quantity: queueOps, unit: 'ops', usd: overage(queueOps, PRICES.queueOps) },
  ];
  return { checks, intervalSeconds, shards, lines, totalUsd: lines.reduce((sum, l) => sum + l.usd, 0), d1StoredGb };
}

/** One line per cost item, for the log and the JSON. */
export function describeScenario(s: Scenario): string {
  const head = `${s.checks.toLocaleString('en')} checks every ${s.intervalSeconds} s on ${s.shards} shards: $${round(s.totalUsd, 2)}/month`;
  const rows = s.lines.map((l) => `  ${l.item}: ${formatQuantity(l.quantity)} ${l.unit} → $${round(l.usd, 2)}`);
  return [head, ...rows].join('\n');
}

function formatQuantity(q: number): string {
  if (q >= MILLION) return `${round(q / MILLION, 1)!.toLocaleString('en')}M`;
  return round(q, 2)!.toLocaleString('en');
}

/**
 * The same load on one Node machine: the Node host's figures from README.md's Benchmarks (this
 * 2-core machine, 2026-11-25: 10,000 checks/s sustained at 0.074–0.080 ms CPU per check). No
 * provider's own price page for a 2-vCPU/4-GB VM is stored; the price is Hetzner's cx23 (2 shared
 * vCPU, 4 GB, x86) as a third party lists it, read 2026-12-05:
 * https://docs.cnap.tech/compute/providers/hetzner (€0.006/hour, ~€4.11/month running).
 */
export const NODE_CHECKS_PER_SECOND = 10_000;
export const NODE_CPU_MS_PER_CHECK = 0.08;
export const NODE_VM = { name: 'Hetzner cx23 (2 vCPU, 4 GB)', eurPerMonth: 4.11 };

export function nodeMachine(checks: number, intervalSeconds: number): { rate: number; share: number; cores: number; eur: number } {
  const rate = checks / intervalSeconds;
  return { rate, share: rate / NODE_CHECKS_PER_SECOND, cores: (rate * NODE_CPU_MS_PER_CHECK) / 1000, eur: NODE_VM.eurPerMonth };
}
