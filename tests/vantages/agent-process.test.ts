// The probe agent as an operator runs it: a real process (`coopwatch probe`), probing a real HTTP
// target, talking to a stand-in server over loopback that speaks the vantage contract's routes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentResult } from '../../src/core/monitor/vantage-intake.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';
import { startAgentServer, type AgentServer, type Assignment } from './agent-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NAME = 'svalbard-site';
const TOKEN = 'cw_probe_test_token_0123456789';
const TALLY = /probe tally: produced=(\d+) uploaded=(\d+) dropped=(\d+) spooled=(\d+)/;

interface Agent {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
  /** SIGTERM, then the exit code and the tally line's figures. */
  stop: () => Promise<{ code: number | null; produced: number; uploaded: number; dropped: number; spooled: number }>;
}

let target: TargetServer;
let server: AgentServer;
let spoolDir: string;
const agents = new Set<ChildProcess>();

function assignment(targetUrl: string): Assignment {
  const http = (id: number) => ({
    id, key: `gs-a.http-${id}`, assetId: 7, kind: 'http', intervalSeconds: 1, cron: null, timezone: null,
    timeoutMs: 2_000, failureThreshold: 1, successThreshold: 1, settings: { url: `${targetUrl}check/${id}` },
  });
  const push = { ...http(4), key: 'gs-a.heartbeat', kind: 'push', settings: { graceSeconds: 10 } };
  return {
    vantage: NAME,
    graceSeconds: 60,
    checks: [http(1), http(2), http(3), push],
    assets: [{ id: 7, key: 'gs-a', lat: 78.2, lon: 15.4, altM: 0, slaLatencyMs: null, slaJitterMs: null, slaLossPct: null }],
  };
}

function startAgent(extra: string[] = [], serverUrl = server.url): Agent {
  const args = ['--server', serverUrl, '--token', TOKEN, '--name', NAME, '--spool', spoolDir, '--batch-ms', '200', '--assignment-ms', '300', ...extra];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COOPWATCH_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/hosts/node/cli.ts', 'probe', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  agents.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk;
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    agents.delete(child);
    resolve(code);
  }));
  const waitFor = (pattern: RegExp, timeoutMs = 10_000) => new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(output);
      if (!match) return;
      clearTimeout(timer);
      listeners.delete(check);
      resolve(match);
    };
    const timer = setTimeout(() => {
      listeners.delete(check);
      reject(new Error(`no ${pattern} within ${timeoutMs} ms; the agent said:\n${output}`));
    }, timeoutMs);
    listeners.add(check);
    check();
  });
  return {
    child,
    output: () => output,
    waitFor,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      const [, produced, uploaded, dropped, spooled] = (TALLY.exec(output) ?? []).map(Number);
      return { code, produced: produced!, uploaded: uploaded!, dropped: dropped!, spooled: spooled! };
    },
  };
}

/** Polls until the condition holds (the stand-in server's records fill in as the agent uploads). */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const received = () => server.batches.flatMap((batch) => batch.results);
const spooledFiles = () => fs.readdirSync(spoolDir).filter((file) => file.endsWith('.batch.json')).sort();

/** Every result once, and each check's results in time order across batches. */
function expectOnceInOrder(results: AgentResult[]): void {
  const keys = results.map((r) => `${r.checkId}@${r.at}`);
  expect(new Set(keys).size).toBe(keys.length);
  const lastAt = new Map<number, number>();
  for (const result of results) {
    expect(result.at).toBeGreaterThanOrEqual(lastAt.get(result.checkId) ?? 0);
    lastAt.set(result.checkId, result.at);
  }
}

beforeEach(async () => {
  target = await startTargetServer('healthy');
  server = await startAgentServer(NAME, TOKEN, assignment(target.url));
  spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-spool-'));
});

afterEach(async () => {
  for (const child of agents) child.kill('SIGKILL');
  await Promise.all([target.close(), server.close()]);
  fs.rmSync(spoolDir, { recursive: true, force: true });
});

describe('coopwatch probe', () => {
  it('runs the checks of its assignment and uploads their results with its token', async () => {
    const agent = startAgent();
    await agent.waitFor(/skipping check gs-a\.heartbeat: push checks run only on the server/);
    await until(() => new Set(received().map((r) => r.checkId)).size === 3, 'results from all three HTTP checks');
    await until(() => server.assignmentRequests.some((r) => r.status === 304), 'an assignment re-fetch answered 304');
    const tally = await agent.stop();

    expect(tally.code).toBe(0);
    expect(tally).toMatchObject({ dropped: 0, spooled: 0 });
    expect(tally.uploaded).toBe(tally.produced);
    expect(received()).toHaveLength(tally.produced);
    expect(received().every((r) => r.status === 'up' && typeof r.latencyMs === 'number' && [1, 2, 3].includes(r.checkId))).toBe(true);
    expect(server.batches.every((b) => b.batchId.startsWith(`${NAME}-`))).toBe(true);
    expect(target.requests).toBeGreaterThanOrEqual(tally.produced);
    expect(server.assignmentRequests.find((r) => r.status === 304)?.ifNoneMatch).toMatch(/^"[0-9a-f]+"$/);
    expect(spooledFiles()).toEqual([]);
  });

  it('spools while the server is unreachable and uploads every result once, in order, when it returns', async () => {
    const agent = startAgent();
    await until(() => received().length > 0, 'a first upload');
    server.loseAnswers(1); // the next batch is recorded but its receipt never arrives: it is sent again
    await until(() => server.duplicates.length === 1, 'a batch sent again after its answer was lost');
    await server.stop();
    await agent.waitFor(/server unreachable: .*; spooling/);
    await until(() => spooledFiles().length >= 3, 'batches on disk during the outage');
    await server.restart();
    await agent.waitFor(/uploaded \d+ spooled results after \d+\.\ds/);
    const tally = await agent.stop();

    expect(tally).toMatchObject({ code: 0, dropped: 0, spooled: 0 });
    expect(tally.uploaded).toBe(tally.produced);
    expect(received()).toHaveLength(tally.produced);
    expectOnceInOrder(received());
  });

  it('uploads, after a kill -9 and a restart, what the killed agent had spooled', async () => {
    const first = startAgent();
    await until(() => received().length > 0, 'a first upload');
    await server.stop();
    await until(() => spooledFiles().length >= 2, 'batches on disk');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const left = spooledFiles().map((file) => JSON.parse(fs.readFileSync(path.join(spoolDir, file), 'utf8')) as { batchId: string; results: AgentResult[] });
    const leftResults = left.reduce((sum, batch) => sum + batch.results.length, 0);
    expect(leftResults).toBeGreaterThan(0);

    await server.restart();
    const second = startAgent();
    await second.waitFor(new RegExp(`holds ${leftResults} results from an earlier run`));
    // Batch ids are <name>-<boot>-<seq>.
    const boot = (id: string) => id.slice(0, id.lastIndexOf('-'));
    const firstBoot = boot(left[0]!.batchId);
    await until(() => server.batches.some((b) => boot(b.batchId) !== firstBoot), 'a batch of the second run');
    const tally = await second.stop();

    expect(tally).toMatchObject({ code: 0, spooled: 0, dropped: 0 });
    expect(tally.uploaded).toBe(tally.produced + leftResults);
    // The first run's batches all arrived before the second run's, the spooled ones last and in order.
    const ids = server.batches.map((b) => b.batchId);
    const firstRun = ids.filter((id) => boot(id) === firstBoot);
    expect(ids.slice(0, firstRun.length)).toEqual(firstRun);
    expect(firstRun.slice(-left.length)).toEqual(left.map((b) => b.batchId));
    expectOnceInOrder(received());
  });

  it('keeps at most --max-spooled results, dropping the oldest and saying how many', async () => {
    const agent = startAgent(['--max-spooled', '3']);
    await until(() => received().length > 0, 'a first upload');
    server.failResults(503);
    await agent.waitFor(/server unreachable: HTTP 503: try later; spooling/);
    const [, firstDrop] = await agent.waitFor(/dropped (\d+) oldest results \(spool bound 3\)/);
    await until(() => spooledFiles().length > 0, 'results on disk');
    const tally = await agent.stop();

    const said = [...agent.output().matchAll(/dropped (\d+) oldest results \(spool bound 3\)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(Number(firstDrop)).toBeGreaterThan(0);
    expect(tally.code).toBe(0);
    expect(tally.dropped).toBe(said);
    expect(tally.spooled).toBeLessThanOrEqual(3);
    expect(tally.produced).toBe(tally.uploaded + tally.dropped + tally.spooled);
    const onDisk = spooledFiles().reduce((sum, file) => sum + Number(/-(\d+)\.batch\.json$/.exec(file)![1]), 0);
    expect(onDisk).toBe(tally.spooled);
  });

  it('sets a batch the server refuses as malformed aside and goes on with the next', async () => {
    const agent = startAgent();
    await until(() => received().length > 0, 'a first upload');
    server.failResults(422);
    await agent.waitFor(/the server rejected a batch of \d+ results \(HTTP 422: try later\); kept aside as \d{12}-\d+\.batch\.json\.rejected/);
    server.failResults(null);
    const before = server.batches.length;
    await until(() => server.batches.length > before, 'uploads going on after the rejected batch');
    const tally = await agent.stop();

    const setAside = fs.readdirSync(spoolDir).filter((file) => file.endsWith('.rejected'));
    expect(setAside.length).toBeGreaterThan(0);
    expect(tally.dropped).toBe(setAside.reduce((sum, file) => sum + Number(/-(\d+)\.batch/.exec(file)![1]), 0));
    expect(tally.produced).toBe(tally.uploaded + tally.dropped + tally.spooled);
  });

  it('keeps the spool when the server refuses the token, and says so once', async () => {
    const agent = startAgent();
    await until(() => received().length > 0, 'a first upload');
    server.refuse(true);
    await agent.waitFor(/the server refused the token: HTTP 401: token revoked/);
    await until(() => spooledFiles().length >= 2, 'batches kept on disk');
    const tally = await agent.stop();

    expect(tally.code).toBe(0);
    expect(agent.output().match(/the server refused the token/g)).toHaveLength(1);
    expect(tally.spooled).toBeGreaterThan(0);
    expect(tally.produced).toBe(tally.uploaded + tally.spooled);
    expect(received()).toHaveLength(tally.uploaded);
  });
});
