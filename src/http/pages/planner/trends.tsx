import type { Context } from 'hono';
import { resilienceReport } from '../../../core/services/drill-reports.js';
import { pageContext, type PageEnv } from '../session.js';
import { ChartLegend, TrendChart, type ChartPoint, type SeriesKey } from './chart.js';
import { PlannerPage, RtoMet } from './components.js';
import { functionNames, trendPoints, type TrendPoint } from '../../../core/services/read-models/planner.js';
import { duration, durationSeconds } from './format.js';
import { utc } from '../format.js';
import { DEFAULT_CYCLE_DAYS } from './overview.js';
import { DAY_MS } from '../../../core/domain/time.js';

const PERIODS = [
  { value: '90', label: 'last 90 days', days: 90 },
  { value: '365', label: 'last 365 days', days: 365 },
  { value: '730', label: 'last 2 years', days: 730 },
  { value: 'all', label: 'all time', days: null },
] as const;
const TIER_RANK: Record<string, number> = { PMEF: 0, MEF: 1, supporting: 2 };

export async function trendsPage(c: Context<PageEnv>) {
  const ctx = pageContext(c);
  const now = ctx.now();
  const period = PERIODS.find((p) => p.value === c.req.query('period')) ?? PERIODS[1];
  const requestedSince = period.days === null ? 0 : now - period.days * DAY_MS;
  const [byFunction, fns, report] = await Promise.all([trendPoints(ctx.db, requestedSince), functionNames(ctx.db), resilienceReport(ctx, DEFAULT_CYCLE_DAYS)]);
  // Every chart spans the chosen period on one time axis (all time: from the first measurement).
  const firstAt = Math.min(...[...byFunction.values()].flat().map((p) => p.at));
  const from = period.days === null ? Math.floor(Math.min(firstAt, now) / DAY_MS) * DAY_MS : requestedSince;
  const stats = new Map(report.functions.map((f) => [f.functionId, f]));
  const ordered = [...fns.entries()].sort(([, a], [, b]) => (TIER_RANK[a.tier] ?? 9) - (TIER_RANK[b.tier] ?? 9) || a.name.localeCompare(b.name));
  const withData = ordered.filter(([id]) => byFunction.get(id)?.length);
  const without = ordered.filter(([id]) => !byFunction.get(id)?.length);

  return c.html(
    <PlannerPage title="Recovery trends" session={c.get('session')} current="trends" crumbs={[{ href: '/planner', label: 'Planner' }, { label: 'Recovery trends' }]}>
      <h1>Recovery trends</h1>
      <p>
        Time to detect (TTD), to fail over (TTF) and to restore (TTR) per mission function, from <strong>completed drill runs</strong> (exercises) and
        <strong> resolved real incidents</strong>, against each function's recovery time objective.
      </p>
      <form method="get" action="/planner/trends" class="pl-inline-form">
        <label for="period">Period</label>
        <select id="period" name="period">
          {PERIODS.map((p) => (
            <option value={p.value} selected={p === period}>{p.label}</option>
          ))}
        </select>
        <button type="submit">Show</button>
      </form>
      <ChartLegend />

      {withData.length ? null : <p class="pl-empty">No completed drill runs or resolved incidents in this period yet.</p>}

      {withData.map(([fnId, fn]) => (
        <FunctionTrend fnId={fnId} fn={fn} points={byFunction.get(fnId)!} stats={stats.get(fnId)} from={from} now={now} />
      ))}

      {without.length ? (
        <section aria-labelledby="nodata-h">
          <h2 id="nodata-h">No measurements in this period</h2>
          <p>{without.map(([, f]) => f.name).join(', ')}.</p>
        </section>
      ) : null}
    </PlannerPage>,
  );
}

/** Per series, every measurement in time order; a missing value stays a gap in the drills' line. */
function seriesOf(points: TrendPoint[]): Record<SeriesKey, ChartPoint[]> {
  const pick = (key: 'ttdMs' | 'ttfMs' | 'ttrMs') => points.map((p) => ({ at: p.at, ms: p[key], source: p.source, label: p.label }));
  return { ttd: pick('ttdMs'), ttf: pick('ttfMs'), ttr: pick('ttrMs') };
}

type FunctionName = Awaited<ReturnType<typeof functionNames>> extends Map<number, infer F> ? F : never;
type FunctionStats = Awaited<ReturnType<typeof resilienceReport>>['functions'][number];

/** One function's chart of recovery times, with the same data as a table. */
function FunctionTrend(props: { fnId: number; fn: FunctionName; points: TrendPoint[]; stats: FunctionStats | undefined; from: number; now: number }) {
  const { fnId, fn, points, stats: s, from, now } = props;
  const rtoMs = fn.rtoSeconds * 1000;
  const drills = points.filter((p) => p.source === 'drill').length;
  return (
      <section class="pl-trend" aria-labelledby={`trend-${fnId}-h`} data-key={fn.key}>
        <h2 id={`trend-${fnId}-h`}>
          {fn.name} <span class="muted">({fn.tier}; RTO {durationSeconds(fn.rtoSeconds)}, MTD {durationSeconds(fn.mtdSeconds)})</span>
        </h2>
        {s ? (
          <p class="pl-stats">
            TTD p50 {duration(s.detect.p50Ms)} / p95 {duration(s.detect.p95Ms)} · TTF p50 {duration(s.failover.p50Ms)} / p95 {duration(s.failover.p95Ms)} · TTR p50{' '}
            {duration(s.recover.p50Ms)} / p95 {duration(s.recover.p95Ms)} · RTO compliance {s.rtoCompliancePct === null ? '—' : `${s.rtoCompliancePct} %`}{' '}
            <span class="muted">(all time)</span>
          </p>
        ) : null}
        <div class="pl-trend-body">
          <TrendChart
            id={`chart-${fnId}`}
            title={`Recovery times of ${fn.name}`}
            description={`${points.length} measurements (${drills} from drills, ${points.length - drills} from incidents) between ${utc(from)} and ${utc(now)}; the RTO line is at ${durationSeconds(fn.rtoSeconds)}. The same data is in the table that follows.`}
            series={seriesOf(points)}
            rtoMs={rtoMs}
            fromMs={from}
            toMs={now}
          />
          <div class="pl-scroll pl-trend-table">
            <table class="pl-table pl-compact">
              <caption>Data: recovery times of {fn.name}</caption>
              <thead>
                <tr><th scope="col">Date (UTC)</th><th scope="col">Source</th><th scope="col">TTD</th><th scope="col">TTF</th><th scope="col">TTR</th><th scope="col">RTO</th></tr>
              </thead>
              <tbody>
                {[...points].reverse().map((p) => (
                  <tr data-source={p.source}>
                    <td>{utc(p.at)}</td>
                    <th scope="row">{p.href ? <a href={p.href}>{p.label}</a> : p.label}{p.source === 'drill' ? <span class="drill-tag pl-tag-gap">DRILL</span> : null}</th>
                    <td>{duration(p.ttdMs)}</td>
                    <td>{duration(p.ttfMs)}</td>
                    <td>{duration(p.ttrMs)}</td>
                    <td><RtoMet met={p.rtoMet} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </section>
  );
}
