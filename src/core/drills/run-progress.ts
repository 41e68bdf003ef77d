// What the monitor's picture says about a run in progress: a guardrail breached, a failover
// confirmed. Reads only; the runner acts on the answers.
import type { Monitor } from '../monitor/monitor.js';
import type { ActiveRun } from './active-run.js';
import { targetsSeenDownAt } from './function-outcomes.js';

/** Check kinds that report on every interval, so they can confirm a failover promptly. */
const CONFIRMING_CHECK_KINDS: ReadonlySet<string> = new Set(['http', 'tcp', 'dns', 'tls', 'link', 'push']);

/**
 * Why the run must be aborted now, or null. `timedOut`: the maximum duration ran out — while
 * failing over, that is a failover that did not happen in time (a failure), not an unsafe drill.
 */
export function guardrailBreached(monitor: Monitor, run: ActiveRun, now: number): { reason: string; timedOut: boolean } | null {
  const { drill, row } = run;
  if (now - row.startedAt! > drill.guardrails.maxDurationSeconds * 1000) return { reason: `maximum duration of ${drill.guardrails.maxDurationSeconds} s reached`, timedOut: true };
  for (const id of drill.guardrails.protectedFunctionIds) {
    if (monitor.functionStatus(id)?.status === 'lost') return { reason: `protected function ${id} was lost`, timedOut: false };
  }
  if (drill.guardrails.abortOnOutsideAssetDown) {
    for (const id of monitor.assetIds()) {
      if (run.marked.includes(id)) continue;
      const state = monitor.assetState(id);
      if (state?.status === 'down' && state.since >= row.startedAt!) return { reason: `${state.key}, outside the blast radius, went down`, timedOut: false };
    }
  }
  return null;
}

/**
 * Failed over: every hypothesis function is served again (not lost), confirmed by real checks —
 * every check of a member still counted as available has observed it since the targets were
 * seen down, and its latest observation is not a failure. Without this, a function whose
 * service check had simply not run yet since the fault would count as failed over at once.
 */
export function failoverConfirmed(monitor: Monitor, run: ActiveRun): boolean {
  if (!run.hypothesisFunctionIds.every((id) => monitor.functionStatus(id)?.status !== 'lost')) return false;
  for (const def of watchedChecks(monitor, run)) {
    const assetStatus = monitor.assetState(def.assetId)?.status;
    if (assetStatus === 'down' || assetStatus === 'maintenance') continue; // not counted on by the k-of-n groups
    const state = monitor.checkState(def.id);
    if (!state) continue;
    const observedSince = state.lastObservedAt !== null && state.lastObservedAt > (targetsSeenDownAt(run.row) ?? Infinity);
    if (!observedSince || state.streakStatus === 'down') return false;
  }
  return true;
}

/**
 * The real checks that must confirm a failover: the watched assets' checks that observe on every
 * interval (a contact check is silent between passes, an external one until an alert fires).
 */
function watchedChecks(monitor: Monitor, run: ActiveRun) {
  return monitor
    .definitions()
    .filter((d) => d.enabled && d.intervalSeconds !== null && CONFIRMING_CHECK_KINDS.has(d.kind) && run.watchedAssetIds.includes(d.assetId));
}
