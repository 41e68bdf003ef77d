// One probe thread: its share of the network-only checks on the core scheduler, with its own undici
// pool, handing results to the monitor's thread in batches. It holds no state worth keeping: a
// thread that dies is replaced, and the monitor tells the new one which runs are owed.
import { parentPort, workerData } from 'node:worker_threads';
import type { AssetFacts } from '../../../core/monitor/check-runner.js';
import { createCheckRunner } from '../../../core/monitor/check-runner.js';
import type { ObservationRecord, ProbeDefinition } from '../../../core/monitor/check-definition.js';
import { ProbeCopy, Sharing } from '../../../core/monitor/monitor-records.js';
import type { StoredProbe } from '../../../core/monitor/stored-probes.js';
import { PassCalendar } from '../../../core/monitor/pass-calendar.js';
import { CheckScheduler } from '../../../core/monitor/scheduler.js';
import { createNodeProbeRuntime } from '../probes.js';
import type { FromProbeThread, ProbeThreadData, ToProbeThread } from './messages.js';
import { packResults } from './result-batch.js';

/** A batch goes when it is this old or this large, whichever comes first. */
const BATCH_MS = 20;
const BATCH_MAX = 1_000;
/** Due runs start together this often (README, "The Node host's threads": batched starts). */
const LAUNCH_EVERY_MS = 10;

const port = parentPort!;
const { concurrency } = workerData as ProbeThreadData;
const probes = createNodeProbeRuntime();
let assets = new Map<number, AssetFacts>();
const notHere = () => Promise.reject(new Error('this check kind does not run on a probe thread'));

let records: ObservationRecord[] = [];
let dueAt: number[] = [];
let lagsMs: number[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;

const scheduler = new CheckScheduler({
  concurrency,
  now: Date.now,
  launchEveryMs: LAUNCH_EVERY_MS,
  runCheck: createCheckRunner({
    probeContext: probes.context,
    readHeartbeat: notHere,
    firingAlerts: notHere,
    asset: (id) => assets.get(id),
    passes: new PassCalendar(),
    now: Date.now,
  }),
  onStart: (lag) => lagsMs.push(lag),
  onResult: (record, due) => {
    records.push(record);
    dueAt.push(due);
    if (records.length >= BATCH_MAX) send();
    else timer ??= setTimeout(send, BATCH_MS);
  },
});

/** The thread's copy of a check, with equal profiles, strings and settings shared and each settings text parsed once. */
function ownCopy(stored: StoredProbe, sharing: Sharing): ProbeDefinition {
  return new ProbeCopy(stored.id, stored.assetId, sharing.profile(stored), sharing.settingsOfJson(stored.settingsJson));
}

function send(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (!records.length && !lagsMs.length) return;
  const batch = packResults(records, dueAt);
  const lags = Float64Array.from(lagsMs);
  const message: FromProbeThread = { type: 'results', batch, lagsMs: lags, inFlight: scheduler.inFlightCount };
  records = [];
  dueAt = [];
  lagsMs = [];
  port.postMessage(message, [batch.numbers.buffer, lags.buffer]);
}

port.on('message', async (message: ToProbeThread) => {
  if (message.type === 'assign') {
    assets = new Map(message.assets);
    const { resume } = message;
    const sharing = new Sharing();
    scheduler.sync(message.definitions.map((def) => ownCopy(def, sharing)), resume ? { lastDue: new Map(resume.lastDue), since: resume.since } : undefined);
    scheduler.start();
    return;
  }
  if (message.type === 'memory') {
    if (message.collect) (globalThis as { gc?: () => void }).gc?.();
    const { heapUsed, external } = process.memoryUsage();
    port.postMessage({ type: 'memory', heapUsed, external } satisfies FromProbeThread);
    return;
  }
  scheduler.stop();
  send();
  await probes.close();
  port.postMessage({ type: 'stopped' } satisfies FromProbeThread);
});
