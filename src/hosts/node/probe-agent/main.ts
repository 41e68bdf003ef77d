// The probe agent: runs the checks its vantage is assigned with the same scheduler, runner and
// probes as the central monitor, spools the results to disk in batches and uploads them in order.
import path from 'node:path';
import { createCheckRunner } from '../../../core/monitor/check-runner.js';
import { PassCalendar } from '../../../core/monitor/pass-calendar.js';
import { CheckScheduler } from '../../../core/monitor/scheduler.js';
import { agentUserAgent, createNodeProbeRuntime } from '../probes.js';
import { ASSIGNMENT_FILE, AssignmentFollower } from './assignment.js';
import { MAX_BATCH_RESULTS, ResultBatcher } from './batcher.js';
import { parseProbeOptions, PROBE_USAGE, ProbeOptionsError, type ProbeOptions } from './options.js';
import { Backoff, createChangeLog, createServerLink } from './server-link.js';
import { Spool } from './spool.js';
import { Uploader } from './uploader.js';

/** How long the last upload pass may take after SIGTERM/SIGINT. */
const FINAL_UPLOAD_MS = 2_000;
/** A spool at its bound drops a batch per batch sealed: the drops are said at most this often. */
const DROP_NOTICE_MS = 10_000;

export interface ProbeTally {
  produced: number;
  uploaded: number;
  dropped: number;
  spooled: number;
}

export function formatTally(tally: ProbeTally): string {
  return `probe tally: produced=${tally.produced} uploaded=${tally.uploaded} dropped=${tally.dropped} spooled=${tally.spooled}`;
}

/** `coopwatch probe …`: the exit code (2 for a usage error). */
export async function probeCommand(args: string[]): Promise<number> {
  let options: ProbeOptions;
  try {
    options = parseProbeOptions(args, process.env);
  } catch (err) {
    if (!(err instanceof ProbeOptionsError)) throw err;
    console.error(`coopwatch probe: ${err.message}\nusage: ${PROBE_USAGE}`);
    return 2;
  }
  const tally = await runProbeAgent(options, (line) => console.log(`probe: ${line}`));
  console.log(formatTally(tally));
  return 0;
}

/** Runs until SIGTERM or SIGINT, then seals the last batch, uploads what it can and tallies. */
export async function runProbeAgent(options: ProbeOptions, log: (line: string) => void): Promise<ProbeTally> {
  const stopping = stopRequested();
  let lost = 0;
  const drops = dropCounter(options.maxSpooled, log);
  const spool = await Spool.open({ dir: options.spoolDir, maxResults: options.maxSpooled, onDrop: drops.add });
  const base = `/api/vantages/${options.name}`;
  const link = createServerLink(options.server, options.token);
  const refusals = createChangeLog(log);
  // Its requests say which site probed: a target, or the demo fleet's cut-off mode, can tell them apart.
  const probes = createNodeProbeRuntime({ userAgent: agentUserAgent(options.name) });
  log(`${options.name} → ${options.server}; spool ${options.spoolDir}${spool.results ? ` holds ${spool.results} results from an earlier run` : ''}`);

  const uploader = new Uploader({ link, path: `${base}/results`, spool, log, refusals });
  const batcher = new ResultBatcher({
    name: options.name,
    spool,
    maxResults: Math.min(MAX_BATCH_RESULTS, options.maxSpooled),
    onSpooled: () => uploader.notify(),
    onLost: (results, err) => {
      lost += results;
      log(`could not spool ${results} results (lost): ${err instanceof Error ? err.message : String(err)}`);
    },
  });
  const passes = new PassCalendar();
  let follower: AssignmentFollower | undefined;
  const runCheck = createCheckRunner({
    probeContext: probes.context,
    // Push, external and contact checks are never run here (see assignment.ts): nothing to read.
    readHeartbeat: async () => null,
    firingAlerts: async () => [],
    asset: (id) => follower?.asset(id),
    passes,
    now: Date.now,
  });
  const scheduler = new CheckScheduler({ concurrency: options.concurrency, now: Date.now, runCheck, onResult: (record) => batcher.add(record) });
  follower = new AssignmentFollower({
    link, path: `${base}/assignment`, apply: (defs) => scheduler.sync(defs), log, refusals, cacheFile: path.join(options.spoolDir, ASSIGNMENT_FILE),
  });
  await follower.loadKept();

  uploader.start();
  scheduler.start();
  const sealer = setInterval(() => void batcher.seal(), options.batchMs);
  const polling = followAssignment(follower, options.assignmentMs);

  await stopping;
  batcher.close();
  scheduler.stop();
  clearInterval(sealer);
  polling.stop();
  await batcher.seal();
  await uploader.finish(FINAL_UPLOAD_MS);
  drops.flush();
  await Promise.race([Promise.all([link.close(), probes.close()]), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  return { produced: batcher.produced, uploaded: uploader.uploaded, dropped: drops.total + lost + uploader.rejected, spooled: spool.results };
}

/** Fetches the assignment now and every `intervalMs`; until the first one arrives, retries sooner. */
function followAssignment(follower: AssignmentFollower, intervalMs: number) {
  const backoff = new Backoff(intervalMs);
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async () => {
    const failure = await follower.refresh(abort.signal);
    if (abort.signal.aborted) return;
    if (!failure) backoff.reset();
    const wait = failure && follower.version === null ? backoff.next(failure.retryAfterMs) : intervalMs;
    timer = setTimeout(poll, wait);
  };
  void poll();
  return {
    stop(): void {
      abort.abort();
      clearTimeout(timer);
    },
  };
}

/** The first SIGTERM or SIGINT; a second one meets Node's default and ends the process at once. */
function stopRequested(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/** Counts results dropped to keep the spool bound and says so: at once, then at most every 10 s. */
function dropCounter(bound: number, log: (line: string) => void) {
  let total = 0;
  let unsaid = 0;
  let saidAt = -Infinity;
  const say = () => {
    if (unsaid > 0) log(`dropped ${unsaid} oldest results (spool bound ${bound})`);
    unsaid = 0;
    saidAt = performance.now();
  };
  return {
    get total() {
      return total;
    },
    add(results: number): void {
      total += results;
      unsaid += results;
      if (performance.now() - saidAt >= DROP_NOTICE_MS) say();
    },
    flush: say,
  };
}
