// `npm run bench [-- --quick] [-- --only checks,restart,read,history,vantages,drill,soak,workers]`: the
// benchmark suite. Loopback only, bounded in time; prints one table and writes
// bench-results/<timestamp>.json. Every figure that has a ceiling is shown beside the ceiling
// measured in the same run. `soak` (minutes and gigabytes) and `workers` (the Workers host in local
// workerd, about 4 minutes) run only when named in --only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkThroughput, startTargets } from './check-throughput.js';
import type { BenchContext, Figure } from './common.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1] ?? '').split(',') : null;
const OPT_IN = new Set(['workers']);
const wants = (name: string) => (only ? only.includes(name) : !OPT_IN.has(name));

const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-bench-'));
const ctx: BenchContext = {
  quick,
  tmp,
  log: (m) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`),
};

const figures: Figure[] = [];
const raw: Record<string, unknown> = {};

const { child: targetProcess, targets } = await startTargets();
try {
  if (wants('checks')) {
    const r = await checkThroughput(ctx, targets);
    figures.push(...r.figures);
    raw.checks = r.raw;
  }
  if (wants('restart')) {
    const { restartCatchUp } = await import('./restart-catch-up.js');
    const r = await restartCatchUp(ctx, targets);
    figures.push(...r.figures);
    raw.restart = r.raw;
  }
  if (wants('read')) {
    const { readPath } = await import('./read-path.js');
    const r = await readPath(ctx);
    figures.push(...r.figures);
    raw.read = r.raw;
  }
  if (wants('history')) {
    const { history } = await import('./history.js');
    const r = await history(ctx);
    figures.push(...r.figures);
    raw.history = r.raw;
  }
  if (wants('vantages')) {
    const { vantages } = await import('./vantages.js');
    const r = await vantages(ctx, targets);
    figures.push(...r.figures);
  }
  if (only?.includes('soak')) {
    const { soak } = await import('./soak.js');
    const r = await soak(ctx, targets);
    figures.push(...r.figures);
    raw.soak = r.raw;
  }
  if (wants('drill')) {
    const { drillTiming } = await import('./drill-timing.js');
    const r = await drillTiming(ctx);
    figures.push(...r.figures);
    raw.drill = r.raw;
  }
  if (wants('workers')) {
    const { workersBench } = await import('./workers.js');
    const r = await workersBench(ctx, targets, targetProcess);
    figures.push(...r.figures);
    raw.workers = r.raw;
  }
} finally {
  await targetProcess.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
}

const seconds = (Date.now() - started) / 1000;
const table = renderTable(figures);
console.log(`\ncoopwatch benchmarks (${quick ? 'quick' : 'full'}), ${new Date(started).toISOString()}, ${os.cpus().length} cores, Node ${process.version}, ${seconds.toFixed(0)} s\n`);
console.log(table);
const outDir = path.resolve('bench-results');
fs.mkdirSync(outDir, { recursive: true });
const outFile = path.join(outDir, `${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(outFile, JSON.stringify({ startedAt: new Date(started).toISOString(), quick, seconds, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg(), figures, raw }, null, 2));
console.log(`\nwritten to ${path.relative(process.cwd(), outFile)}`);

function renderTable(rows: Figure[]): string {
  const cells = rows.map((f) => [
    f.bench,
    f.figure,
    f.value === null ? '—' : `${f.value.toLocaleString('en')}${f.unit ? ` ${f.unit}` : ''}`,
    f.target ?? '',
    f.ceiling === undefined || f.ceiling === null ? '' : `${f.ceiling.toLocaleString('en')} (${f.ratio ?? '—'}×)`,
    f.pass === null ? 'info' : f.pass ? 'PASS' : 'FAIL',
    f.note ?? '',
  ]);
  const header = ['bench', 'figure', 'value', 'target', 'ceiling (ratio)', 'result', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
