// Recovery-time charts as inline SVG: TTD / TTF / TTR per measurement on a true time axis (a
// point sits at its date within the period shown; empty stretches stay empty), the RTO as a
// labelled horizontal line. Series differ by shape and dash as well as colour; drills are filled
// markers, real incidents hollow. A data table accompanies every chart (see trends.tsx).
import { shortDuration } from './format.js';
import { day } from '../format.js';
import { DAY_MS } from '../../../core/domain/time.js';

export type SeriesKey = 'ttd' | 'ttf' | 'ttr';

export interface ChartPoint {
  at: number;
  /** Null where this measurement has no value for the series: a gap in the line, no marker. */
  ms: number | null;
  source: 'drill' | 'incident';
  label: string;
}

export const SERIES: Record<SeriesKey, { name: string; long: string; colour: string; dash: string | undefined; shape: 'circle' | 'square' | 'diamond' }> = {
  ttd: { name: 'TTD', long: 'time to detect', colour: '#8cc8ff', dash: undefined, shape: 'circle' },
  ttf: { name: 'TTF', long: 'time to fail over', colour: '#f0b94a', dash: '7 4', shape: 'square' },
  ttr: { name: 'TTR', long: 'time to restore', colour: '#c9a5ff', dash: '2 4', shape: 'diamond' },
};

const W = 900;
const H = 320;
const M = { left: 72, right: 96, top: 18, bottom: 46 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const r1 = (n: number) => Math.round(n * 10) / 10;

const STEPS = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000,
  21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000,
];
const LOG_TICKS = [100, 1_000, 10_000, 60_000, 600_000, 3_600_000, 21_600_000, 86_400_000, 604_800_000, 2_592_000_000];

/** The y scale: linear from 0 with round ticks, or logarithmic when the values span more than two decades. */
export function yScale(values: number[], rtoMs: number) {
  const positive = values.filter((v) => v > 0);
  const max = Math.max(rtoMs, ...values, 1_000);
  const min = positive.length ? Math.min(rtoMs, ...positive) : rtoMs;
  if (max / Math.max(min, 1) > 100) {
    const lo = Math.log10(Math.max(100, min / 2));
    const hi = Math.log10(max * 1.5);
    const y = (v: number) => r1(M.top + PH - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * PH);
    const ticks = LOG_TICKS.filter((t) => Math.log10(t) >= lo && Math.log10(t) <= hi);
    return { log: true, y, ticks };
  }
  const top = max * 1.12;
  const step = STEPS.find((s) => top / s <= 6) ?? top / 5;
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  const hi = ticks[ticks.length - 1]! < top ? ticks[ticks.length - 1]! + step : ticks[ticks.length - 1]!;
  if (ticks[ticks.length - 1]! < hi) ticks.push(hi);
  const y = (v: number) => r1(M.top + PH - (v / hi) * PH);
  return { log: false, y, ticks };
}

function xTicks(from: number, to: number): number[] {
  const span = to - from;
  const step = [DAY_MS, 7 * DAY_MS, 14 * DAY_MS, 30 * DAY_MS, 61 * DAY_MS, 91 * DAY_MS, 182 * DAY_MS, 365 * DAY_MS].find((s) => span / s <= 7) ?? span / 6;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / DAY_MS) * DAY_MS; t <= to; t += step) ticks.push(t);
  return ticks;
}

function Marker(props: { x: number; y: number; shape: 'circle' | 'square' | 'diamond'; colour: string; hollow: boolean }) {
  const { x, y, colour } = props;
  const fill = props.hollow ? '#18202a' : colour;
  if (props.shape === 'circle') return <circle cx={x} cy={y} r="5" fill={fill} stroke={colour} stroke-width="2" />;
  if (props.shape === 'square') return <rect x={r1(x - 4.5)} y={r1(y - 4.5)} width="9" height="9" fill={fill} stroke={colour} stroke-width="2" />;
  return <path d={`M${x} ${r1(y - 6)}L${r1(x + 6)} ${y}L${x} ${r1(y + 6)}L${r1(x - 6)} ${y}Z`} fill={fill} stroke={colour} stroke-width="2" />;
}

type Measured = ChartPoint & { ms: number };
const measured = (p: ChartPoint): p is Measured => p.ms !== null;

/** The drills' line, in stretches of two or more measured points: a drill without a value breaks it. */
function drillRuns(points: ChartPoint[]): Measured[][] {
  const stretches: Measured[][] = [[]];
  for (const p of points) {
    if (p.source !== 'drill') continue;
    if (measured(p)) stretches[stretches.length - 1]!.push(p);
    else stretches.push([]);
  }
  return stretches.filter((s) => s.length > 1);
}

export interface TrendChartProps {
  id: string;
  title: string;
  description: string;
  series: Record<SeriesKey, ChartPoint[]>;
  rtoMs: number;
  fromMs: number;
  toMs: number;
}

export function TrendChart(props: TrendChartProps) {
  const all = (Object.keys(SERIES) as SeriesKey[]).flatMap((k) => props.series[k].flatMap((p) => (p.ms === null ? [] : [p.ms])));
  const ys = yScale(all, props.rtoMs);
  const from = props.fromMs;
  const to = Math.max(props.toMs, from + DAY_MS);
  const x = (t: number) => r1(M.left + ((t - from) / (to - from)) * PW);
  const rtoY = ys.y(props.rtoMs);
  const titleId = `${props.id}-title`;
  const descId = `${props.id}-desc`;
  return (
    <svg class="pl-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${titleId} ${descId}`} xmlns="http://www.w3.org/2000/svg">
      <title id={titleId}>{props.title}</title>
      <desc id={descId}>{props.description}</desc>
      <rect x={M.left} y={M.top} width={PW} height={PH} fill="#121a22" stroke="#2a3542" />
      <g class="pl-axis" font-size="12" fill="#aab6c2">
        {ys.ticks.map((t) => (
          <g>
            <line x1={M.left} y1={ys.y(t)} x2={M.left + PW} y2={ys.y(t)} stroke="#24303c" stroke-width="1" />
            <text x={M.left - 8} y={ys.y(t) + 4} text-anchor="end">{shortDuration(t)}</text>
          </g>
        ))}
        {xTicks(from, to).map((t) => (
          <g>
            <line x1={x(t)} y1={M.top + PH} x2={x(t)} y2={M.top + PH + 5} stroke="#5b6b7b" />
            <text x={x(t)} y={M.top + PH + 19} text-anchor="middle">{day(t)}</text>
          </g>
        ))}
        <text x={M.left + PW / 2} y={H - 6} text-anchor="middle" fill="#c7d2dc">Date of the drill or incident (UTC)</text>
        <text x="16" y={M.top + PH / 2} text-anchor="middle" transform={`rotate(-90 16 ${M.top + PH / 2})`} fill="#c7d2dc">
          {`Duration from start${ys.log ? ' (log scale)' : ''}`}
        </text>
      </g>
      <g data-rto-ms={props.rtoMs} class="pl-rto-line">
        <line x1={M.left} y1={rtoY} x2={M.left + PW} y2={rtoY} stroke="#ff8a8d" stroke-width="2" stroke-dasharray="10 5" />
        <text x={M.left + PW + 6} y={rtoY + 4} font-size="13" font-weight="700" fill="#ffb4b6">{`RTO ${shortDuration(props.rtoMs)}`}</text>
        <title>{`Recovery time objective: ${shortDuration(props.rtoMs)}`}</title>
      </g>
      {(Object.keys(SERIES) as SeriesKey[]).map((k) => {
        const s = SERIES[k];
        const pts = props.series[k].filter(measured);
        return (
          <g data-series={s.name}>
            {drillRuns(props.series[k]).map((run) => (
              <polyline points={run.map((p) => `${x(p.at)},${ys.y(p.ms)}`).join(' ')} fill="none" stroke={s.colour} stroke-width="2" stroke-dasharray={s.dash} />
            ))}
            {pts.map((p) => (
              <g>
                <Marker x={x(p.at)} y={ys.y(p.ms)} shape={s.shape} colour={s.colour} hollow={p.source === 'incident'} />
                <title>{`${s.name} ${shortDuration(p.ms)} — ${p.label}, ${day(p.at)}`}</title>
              </g>
            ))}
          </g>
        );
      })}
    </svg>
  );
}

/** The series legend, in words and shapes, once per page. */
export function ChartLegend() {
  return (
    <ul class="pl-legend" aria-label="Chart legend">
      {(Object.keys(SERIES) as SeriesKey[]).map((k) => {
        const s = SERIES[k];
        return (
          <li>
            <svg class="pl-swatch" viewBox="0 0 30 16" width="30" height="16" aria-hidden="true">
              <line x1="1" y1="8" x2="29" y2="8" stroke={s.colour} stroke-width="2" stroke-dasharray={s.dash} />
              <Marker x={15} y={8} shape={s.shape} colour={s.colour} hollow={false} />
            </svg>
            <span>
              <strong>{s.name}</strong> {s.long} ({s.shape === 'circle' ? 'circles, solid line' : s.shape === 'square' ? 'squares, dashed line' : 'diamonds, dotted line'})
            </span>
          </li>
        );
      })}
      <li>Filled markers: drills (joined by a line); hollow markers: real incidents</li>
      <li>
        <svg class="pl-swatch" viewBox="0 0 30 16" width="30" height="16" aria-hidden="true">
          <line x1="1" y1="8" x2="29" y2="8" stroke="#ff8a8d" stroke-width="2" stroke-dasharray="10 5" />
        </svg>
        <span>
          <strong>RTO</strong>: the function's recovery time objective (labelled on the right)
        </span>
      </li>
    </ul>
  );
}
