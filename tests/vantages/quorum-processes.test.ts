// Vantages for real: the service and two probe agents as processes on 127.0.0.1, one check
// voted on from central, svalbard-site and tokyo-moc (quorum 2 of 3).
// - A backhaul cut (the target refuses the centre, answers the agents): disputed, the asset
//   degraded, no incident. The target down for all: down, one incident. Healed: up.
// - An agent stopped past its grace: its vantage is lost; the check keeps its quorum from the
//   two left. A second agent pointed at a closed port: the check has too few live vantages and
//   reads unknown, never up; the agent spools, and pointed back it uploads every result.
// - kill -9 of the server while both agents buffer: after the restart every result each agent
//   produced is stored exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_USER_AGENT_PREFIX } from '../../src/hosts/node/probes.js';
import { api, freePort, killAll, peek, ROOT, sleep, startService, waitFor, type Service } from '../reliability/faults/harness.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-vantages-'));
const agents = new Set<ChildProcess>();
afterAll(async () => {
  for (const agent of agents) agent.kill('SIGKILL');
  await killAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

type TargetMode = 'healthy' | 'down' | 'cut-off';

/** An HTTP target whose `cut-off` mode refuses the central monitor and answers probe agents (by user agent). */
async function startSiteTarget() {
  let mode: TargetMode = 'healthy';
  const server = http.createServer((req, res) => {
    const fromAgent = req.headers['user-agent']?.startsWith(AGENT_USER_AGENT_PREFIX) ?? false;
    const up = mode === 'healthy' || (mode === 'cut-off' && fromAgent);
    res.writeHead(up ? 200 : 503).end(up ? 'ok' : 'unavailable');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/health`,
    setMode: (next: TargetMode) => void (mode = next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface RunningAgent {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then the tally line it prints on the way out. */
  stop(): Promise<{ produced: number; uploaded: number; dropped: number; spooled: number }>;
}

function startAgent(server: string, token: string, name: string): RunningAgent {
  const child = spawn(process.execPath, [
    '--import', 'tsx', 'src/hosts/node/cli.ts', 'probe', '--server', server, '--token', token, '--name', name,
    '--spool', path.join(dir, `spool-${name}`), '--batch-ms', '300', '--assignment-ms', '1000',
  ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  agents.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      agents.delete(child);
      const tally = /probe tally: produced=(\d+) uploaded=(\d+) dropped=(\d+) spooled=(\d+)/.exec(output);
      if (!tally) throw new Error(`no tally line from ${name}:\n${output}`);
      const [, produced, uploaded, dropped, spooled] = tally.map(Number);
      return { produced: produced!, uploaded: uploaded!, dropped: dropped!, spooled: spooled! };
    },
  };
}

describe('a check voted on by the central monitor and two probe agents', () => {
  it('is disputed on a backhaul cut, down on quorum, unknown without enough vantages, and loses or doubles no result across partitions and a kill -9', async () => {
    const file = path.join(dir, 'coopwatch.db');
    const target = await startSiteTarget();
    const port = await freePort();
    let service: Service = await startService({ COOPWATCH_DB: file }, { port });
    const call = api(service.base);
    for (const name of ['svalbard-site', 'tokyo-moc']) expect((await call('POST', '/api/vantages', { name, graceSeconds: 10 })).status).toBe(201);
    const token = async (vantage: string) => {
      const res = await call('POST', '/api/tokens', { name: `${vantage}-agent`, role: 'probe', vantage });
      expect(res.status).toBe(201);
      return res.body.secret as string;
    };
    const tokens = { svalbard: await token('svalbard-site'), tokyo: await token('tokyo-moc') };
    const asset = (await call('POST', '/api/assets', { key: 'gs-svalbard', kind: 'ground_station', name: 'SvalSat' })).body;
    const created = await call('POST', '/api/checks', {
      key: 'svalbard-api', assetId: asset.id, kind: 'http', intervalSeconds: 1, timeoutMs: 800, failureThreshold: 2, successThreshold: 1,
      http: { url: target.url }, vantages: ['central', 'svalbard-site', 'tokyo-moc'],
    });
    expect(created.status).toBe(201);
    const checkId = created.body.id as number;
    const check = async () => (await call('GET', `/api/checks/${checkId}`)).body;
    const assetNow = async () => (await call('GET', `/api/assets/${asset.id}`)).body;
    const vantage = async (name: string) => ((await call('GET', '/api/vantages')).body.items as Array<{ name: string; status: string }>).find((v) => v.name === name);

    let svalbard = startAgent(service.base, tokens.svalbard, 'svalbard-site');
    let tokyo = startAgent(service.base, tokens.tokyo, 'tokyo-moc');
    await waitFor('all three vantages vote up', async () => {
      const c = await check();
      return c.status === 'up' && c.votes?.length === 3 && c.votes.every((v: { status: string }) => v.status === 'up');
    });

    // The backhaul to the centre is cut: only central sees it down.
    target.setMode('cut-off');
    await waitFor('disputed', async () => (await check()).status === 'disputed');
    expect((await check()).message).toBe('down from central, up from svalbard-site and tokyo-moc');
    expect((await assetNow()).status).toBe('degraded');
    expect((await call('GET', '/api/incidents')).body.items).toEqual([]);

    // The target itself fails: every vantage agrees.
    target.setMode('down');
    await waitFor('down on quorum', async () => (await check()).status === 'down');
    expect((await assetNow()).status).toBe('down');
    await waitFor('one incident', async () => (await call('GET', '/api/incidents')).body.items.length === 1);
    target.setMode('healthy');
    await waitFor('up again', async () => (await check()).status === 'up');

    // svalbard-site's agent stops (SIGSTOP: the process is frozen) past its 10 s grace.
    svalbard.child.kill('SIGSTOP');
    await waitFor('svalbard-site lost', async () => (await vantage('svalbard-site'))?.status === 'lost', 20_000);
    expect((await check()).status).toBe('up'); // central and tokyo-moc are still two
    // tokyo-moc's agent is pointed at a closed port: only central is left, fewer than the quorum.
    const tokyoRuns = [await tokyo.stop()];
    const closedPort = await freePort();
    tokyo = startAgent(`http://127.0.0.1:${closedPort}`, tokens.tokyo, 'tokyo-moc');
    await waitFor('tokyo-moc lost', async () => (await vantage('tokyo-moc'))?.status === 'lost', 20_000);
    const blind = await check();
    expect(blind.status).toBe('unknown');
    expect(blind.message).toMatch(/^not enough vantages: 1 of 2 needed/);
    // Healed: svalbard-site thaws and uploads; tokyo-moc is pointed back with the same spool.
    svalbard.child.kill('SIGCONT');
    const partitioned = await tokyo.stop();
    tokyoRuns.push(partitioned);
    // Restarted during the partition, it ran the assignment kept from its last fetch (readable by its user only).
    expect(partitioned.spooled).toBeGreaterThan(0);
    expect(fs.statSync(path.join(dir, 'spool-tokyo-moc', 'assignment.json')).mode & 0o777).toBe(0o600);
    tokyo = startAgent(service.base, tokens.tokyo, 'tokyo-moc');
    await waitFor('both live and up', async () => (await vantage('svalbard-site'))?.status === 'live' && (await vantage('tokyo-moc'))?.status === 'live' && (await check()).status === 'up', 20_000);
    // The backlog from the partition was filed without replaying alerts: still one incident.
    expect((await call('GET', '/api/incidents')).body.items).toHaveLength(1);

    // kill -9 while both agents hold results they could not deliver, then the same port again.
    await service.kill9();
    await sleep(2_000);
    service = await startService({ COOPWATCH_DB: file }, { port });
    await waitFor('agents drained', async () => (await vantage('tokyo-moc'))?.status === 'live' && /uploaded \d+ spooled results/.test(tokyo.output()), 20_000);
    await sleep(1_500);
    const svalbardTally = await svalbard.stop();
    tokyoRuns.push(await tokyo.stop());
    await service.stop();

    const stored = peek(file, (db) => db.prepare(
      'select v.name, count(*) as n, count(distinct r.ts) as distinctTs from check_results r join vantages v on v.id = r.vantage_id group by v.name',
    ).all() as Array<{ name: string; n: number; distinctTs: number }>);
    const byName = Object.fromEntries(stored.map((r) => [r.name, r]));
    // Each result once: as many stored as produced (tokyo-moc over its three runs, the partitioned
    // one's spool uploaded by the last), none twice, none dropped, none left in a spool.
    const sum = (key: 'produced' | 'dropped' | 'spooled') => tokyoRuns.reduce((total, run) => total + run[key], 0);
    expect(svalbardTally.dropped + sum('dropped')).toBe(0);
    expect(svalbardTally.spooled + tokyoRuns.at(-1)!.spooled).toBe(0);
    expect(byName['svalbard-site']).toEqual({ name: 'svalbard-site', n: svalbardTally.produced, distinctTs: svalbardTally.produced });
    expect(byName['tokyo-moc']).toEqual({ name: 'tokyo-moc', n: sum('produced'), distinctTs: sum('produced') });
    await target.close();
  }, 180_000);
});
