// Benchmark 4: history. 1,000 assets × 90 days of rollups (hourly for the 35 days they are kept,
// daily for all 90; per check and per asset, as rollUpHistory writes them) generated in bulk; the
// database's size, and the time to compute a status page's 90-day bars for 200 components.
import { performance } from 'node:perf_hooks';
import { SYSTEM_ACTOR } from '../../src/core/domain/roles.js';
import { createStatusPage, statusPageInputSchema } from '../../src/core/services/status-pages.js';
import { loadPublicStatus } from '../../src/core/services/read-models/public-status.js';
import type { BenchContext, Figure } from './common.js';
import { fileBytes, pct, rawClient, round, seedFleet, tableBytes, tempDatabase } from './common.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export async function history(ctx: BenchContext): Promise<{ figures: Figure[]; raw: unknown }> {
  const assets = 1_000;
  const days = 90;
  const components = 200;
  const handle = tempDatabase(ctx.tmp, 'history');
  const client = rawClient(handle);
  const now = Date.now();
  ctx.log(`history: ${assets} assets × ${days} days of rollups`);
  const { assetIds, checkIds } = seedFleet(client, { assets, checkUrl: (id) => `http://127.0.0.1:9/t/${id}`, intervalSeconds: 60 });
  const insert = client.prepare(
    `insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const started = performance.now();
  let rows = 0;
  const today = Math.floor(now / DAY) * DAY;
  client.transaction(() => {
    for (let i = 0; i < assets; i++) {
      for (const [kind, id] of [['check', checkIds[i]!], ['asset', assetIds[i]!]] as const) {
        for (let d = days - 1; d >= 0; d--) {
          const down = (i * 31 + d * 7) % 97 === 0 ? 60 : 0;
          insert.run(kind, id, 'day', today - d * DAY, 1440, 1440 - down - 3, 3, 1440 * 25.5, 1440 - down);
          rows++;
        }
        for (let h = 35 * 24 - 1; h >= 0; h--) {
          insert.run(kind, id, 'hour', Math.floor(now / HOUR) * HOUR - h * HOUR, 60, 59, 1, 60 * 25.5, 60);
          rows++;
        }
      }
    }
  })();
  const generateSeconds = (performance.now() - started) / 1000;
  const actx = { db: handle.db, actor: SYSTEM_ACTOR, now: () => now };
  await createStatusPage(actx, statusPageInputSchema.parse({
    slug: 'history', title: 'History bench',
    components: assetIds.slice(0, components).map((assetId, i) => ({ assetId, name: `Component ${i}`, group: `Group ${i % 10}` })),
  }));
  client.pragma('wal_checkpoint(TRUNCATE)');
  const dbBytes = fileBytes(handle.file);
  const rollupBytes = tableBytes(client, 'rollups');

  const iterations = ctx.quick ? 30 : 100;
  const times: number[] = [];
  let bars = 0;
  for (let i = 0; i < iterations + 5; i++) {
    const t = performance.now();
    const status = await loadPublicStatus(handle.db, 'history', now);
    const ms = performance.now() - t;
    if (i >= 5) times.push(ms); // the first few warm the JIT and the page cache
    bars = status!.components.reduce((n, c) => n + c.uptime.days.filter((d) => d.ratio !== null).length, 0);
  }
  handle.close();
  const p50 = pct(times, 50);
  const p99 = pct(times, 99);
  return {
    figures: [
      { bench: 'history', figure: `database with ${assets} assets × ${days} days of rollups`, value: round(dbBytes / 2 ** 20, 1), unit: 'MiB', target: null, pass: null, note: `${rows.toLocaleString('en')} rollup rows (${round(rollupBytes / rows, 1)} B each) generated in ${round(generateSeconds, 1)} s` },
      { bench: 'history', figure: `90-day bars, status page of ${components} components: p99`, value: round(p99, 1), unit: 'ms', target: '< 50 ms', pass: p99 !== null && p99 < 50, note: `p50 ${round(p50, 1)} ms over ${iterations} page loads (whole page model); ${bars} bars with data` },
    ],
    raw: { rows, dbBytes, rollupBytes, generateSeconds, p50, p99, iterations },
  };
}
