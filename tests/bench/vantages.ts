// Benchmark: vantages (issue 18). The service runs as `npm start` runs it (demo off) and probe
// agents run as `coopwatch probe` runs them, all on loopback:
// - ingest: agents' result batches posted straight to the results route by 4 clients (4
//   vantages), as fast as the server answers: results/s committed and server CPU per result;
// - one agent: 5,000 HTTP checks at 1 s, agent-only: results/s stored and the agent's CPU per check;
// - three vantages: 10,000 checks at 1 s listing central and two agents (30,000 results/s asked):
//   results/s stored per vantage, CPU per result of the service and of the agents.
// Stored results are counted from the database afterwards, per second of their probe's start.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import type { BenchContext, Figure } from './common.js';
import { rawClient, round, seedFleet, sleep, tempDatabase } from './common.js';
import { startService, type Service } from '../reliability/faults/harness.js';
import type { Targets } from './check-throughput.js';

const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

interface Fleet {
  file: string;
  checkIds: number[];
  /** Probe token secret by vantage name. */
  tokens: Record<string, string>;
  vantageIds: Record<string, number>;
}

/** N HTTP checks on the bench targets, each listing `vantagesOf(i)`; one probe token per agent vantage. */
function prepareFleet(ctx: BenchContext, targets: Targets, name: string, n: number, agents: string[], vantagesOf: (i: number) => string[]): Fleet {
  const handle = tempDatabase(ctx.tmp, name);
  const client = rawClient(handle);
  const url = (assetId: number, i: number) => `http://127.0.0.1:${targets.ports[i % targets.ports.length]}/t/${assetId}`;
  const { checkIds } = seedFleet(client, { assets: n, checkUrl: url, intervalSeconds: 1, timeoutMs: 5_000 });
  const now = Date.now();
  const tokens: Record<string, string> = {};
  const vantageIds: Record<string, number> = {};
  client.transaction(() => {
    for (const agent of agents) {
      const id = Number(client.prepare("insert into vantages (name, kind, grace_seconds, status, since, created_at) values (?, 'agent', 60, 'pending', ?, ?)").run(agent, now, now).lastInsertRowid);
      vantageIds[agent] = id;
      const secret = `cw_bench_${agent}_${id}`;
      tokens[agent] = secret;
      client.prepare("insert into api_tokens (name, role, token_hash, prefix, created_at, vantage_id) values (?, 'probe', ?, ?, ?, ?)")
        .run(`bench-${agent}`, createHash('sha256').update(secret).digest('hex'), secret.slice(0, 10), now, id);
    }
    const setVantages = client.prepare('update checks set vantages = ? where id = ?');
    checkIds.forEach((id, i) => setVantages.run(JSON.stringify(vantagesOf(i)), id));
  })();
  handle.close();
  return { file: handle.file, checkIds, tokens, vantageIds };
}

function startAgent(service: Service, fleet: Fleet, name: string, spool: string): ChildProcess {
  return spawn(process.execPath, [
    '--import', 'tsx', 'src/hosts/node/cli.ts', 'probe', '--server', service.base, '--token', fleet.tokens[name]!, '--name', name, '--spool', spool,
  ], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
}

async function stopAgent(agent: ChildProcess): Promise<void> {
  if (agent.exitCode !== null) return;
  const exited = new Promise((resolve) => agent.once('exit', resolve));
  agent.kill('SIGTERM');
  const kill = setTimeout(() => agent.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(kill);
}

/** Results stored per vantage (null: central) with probe starts in [from, to), per second. */
function storedRate(file: string, from: number, to: number): Map<number | null, number> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('select vantage_id as vantageId, count(*) as n from check_results where ts >= ? and ts < ? group by vantage_id').all(from, to) as Array<{ vantageId: number | null; n: number }>;
    return new Map(rows.map((r) => [r.vantageId, r.n / ((to - from) / 1000)]));
  } finally {
    db.close();
  }
}

async function ingest(ctx: BenchContext, targets: Targets): Promise<Figure[]> {
  const agents = ['ingest-a', 'ingest-b', 'ingest-c', 'ingest-d'];
  const n = 20_000;
  // Agent-only checks, so the central monitor probes nothing: the service only ingests.
  const fleet = prepareFleet(ctx, targets, 'vantage-ingest', n, agents, (i) => [agents[i % agents.length]!]);
  const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const service = await startService({ NODE_ENV: 'production', COOPWATCH_DB: fleet.file }, { execArgv });
  const dispatcher = new Agent({ connections: 8 });
  const batchSize = 5_000;
  const seconds = ctx.quick ? 6 : 12;
  try {
    const cpu0 = cpuSeconds(service.pid);
    const started = performance.now();
    const deadline = started + seconds * 1000;
    let accepted = 0;
    let seq = 0;
    await Promise.all(agents.map(async (agent, a) => {
      const mine = fleet.checkIds.filter((_, i) => i % agents.length === a);
      while (performance.now() < deadline) {
        const at = Date.now();
        const results = [];
        for (let i = 0; i < batchSize; i++) results.push({ checkId: mine[i % mine.length]!, at: at - (i % 1000), status: 'up', latencyMs: 3, message: null });
        const res = await request(`${service.base}/api/vantages/${agent}/results`, {
          method: 'POST', dispatcher,
          headers: { authorization: `Bearer ${fleet.tokens[agent]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ batchId: `${agent}-${++seq}`, sentAt: at, results }),
        });
        const body = (await res.body.json()) as { accepted?: number };
        if (res.statusCode !== 200) throw new Error(`results route answered ${res.statusCode}: ${JSON.stringify(body)}`);
        accepted += body.accepted ?? 0;
      }
    }));
    const elapsed = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(service.pid) - cpu0;
    const rate = accepted / elapsed;
    return [
      { bench: 'vantages', figure: `ingest: agent results committed (batches of ${batchSize.toLocaleString('en')}, 4 agents)`, value: Math.round(rate), unit: '/s', target: '≥ 50000', pass: rate >= 50_000, note: `${accepted.toLocaleString('en')} in ${round(elapsed, 1)} s` },
      { bench: 'vantages', figure: 'ingest: server CPU per agent result', value: round((cpu / accepted) * 1000, 4), unit: 'ms', target: null, pass: null, note: `${round(cpu / elapsed, 2)} cores` },
    ];
  } finally {
    await dispatcher.close();
    await service.stop();
  }
}

async function oneAgent(ctx: BenchContext, targets: Targets): Promise<Figure[]> {
  const n = 5_000;
  const fleet = prepareFleet(ctx, targets, 'vantage-agent', n, ['site-a'], () => ['site-a']);
  const service = await startService({ NODE_ENV: 'production', COOPWATCH_DB: fleet.file });
  const agent = startAgent(service, fleet, 'site-a', path.join(path.dirname(fleet.file), 'spool-site-a'));
  const warm = 12;
  const window = ctx.quick ? 8 : 15;
  try {
    await sleep(warm * 1000);
    const cpu0 = cpuSeconds(agent.pid!);
    const from = Date.now();
    await sleep(window * 1000);
    const to = Date.now();
    const cpu = cpuSeconds(agent.pid!) - cpu0;
    await sleep(3_000); // the window's last batches reach the server
    const rate = storedRate(fleet.file, from, to).get(fleet.vantageIds['site-a']!) ?? 0;
    return [
      { bench: 'vantages', figure: 'one agent: 5,000 HTTP checks at 1 s, results stored', value: Math.round(rate), unit: '/s', target: '≥ 5000 (90 %: 4500)', pass: rate >= 4_500, note: `asked 5,000/s; ${window} s window after ${warm} s` },
      { bench: 'vantages', figure: 'one agent: agent CPU per check', value: round((cpu / (rate * window)) * 1000, 4), unit: 'ms', target: null, pass: null, note: `${round(cpu / window, 2)} cores` },
    ];
  } finally {
    await stopAgent(agent);
    await service.stop();
  }
}

async function threeVantages(ctx: BenchContext, targets: Targets): Promise<Figure[]> {
  const n = 10_000;
  const agents = ['site-a', 'site-b'];
  const fleet = prepareFleet(ctx, targets, 'vantage-three', n, agents, () => ['central', ...agents]);
  const service = await startService({ NODE_ENV: 'production', COOPWATCH_DB: fleet.file });
  const running = agents.map((name) => startAgent(service, fleet, name, path.join(path.dirname(fleet.file), `spool-${name}`)));
  const warm = 15;
  const window = ctx.quick ? 8 : 15;
  try {
    await sleep(warm * 1000);
    const pids = [service.pid, ...running.map((a) => a.pid!)];
    const cpu0 = pids.map(cpuSeconds);
    const from = Date.now();
    await sleep(window * 1000);
    const to = Date.now();
    const cpu = pids.map((pid, i) => cpuSeconds(pid) - cpu0[i]!);
    await sleep(3_000);
    const rates = storedRate(fleet.file, from, to);
    const byVantage = { central: rates.get(null) ?? 0, ...Object.fromEntries(agents.map((a) => [a, rates.get(fleet.vantageIds[a]!) ?? 0])) };
    const total = Object.values(byVantage).reduce((a, b) => a + b, 0);
    const results = total * window;
    return [
      {
        bench: 'vantages', figure: '3 vantages × 10,000 checks at 1 s: results stored', value: Math.round(total), unit: '/s', target: '30000 asked', pass: null,
        note: Object.entries(byVantage).map(([name, r]) => `${name} ${Math.round(r)}/s`).join(', '),
      },
      {
        bench: 'vantages', figure: '3 vantages: CPU per result (service; agents)', value: round((cpu[0]! / results) * 1000, 4), unit: 'ms', target: null, pass: null,
        note: `service ${round(cpu[0]! / window, 2)} cores; agents ${cpu.slice(1).map((c) => round(c / window, 2)).join(', ')} cores; agents' CPU per own result ${cpu.slice(1).map((c, i) => round((c / ((byVantage[agents[i]! as keyof typeof byVantage] || 1) * window)) * 1000, 4)).join(', ')} ms`,
      },
    ];
  } finally {
    for (const agent of running) await stopAgent(agent);
    await service.stop();
  }
}

export async function vantages(ctx: BenchContext, targets: Targets): Promise<{ figures: Figure[] }> {
  const figures: Figure[] = [];
  ctx.log('vantages: ingest');
  figures.push(...(await ingest(ctx, targets)));
  if (process.env.BENCH_ONLY_INGEST) return { figures };
  ctx.log('vantages: one agent, 5,000 checks/s');
  figures.push(...(await oneAgent(ctx, targets)));
  ctx.log('vantages: 10,000 checks from 3 vantages');
  figures.push(...(await threeVantages(ctx, targets)));
  return { figures };
}
