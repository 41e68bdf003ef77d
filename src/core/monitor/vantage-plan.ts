// Probe agents' liveness, planned with each flush: the agents heard from since the last one have
// their last-seen time written (and come back if they were lost); an agent silent past its grace
// is lost — its votes are cleared and stop counting, and the checks it voted on are re-derived
// (those left with fewer live vantages than their quorum read unknown, never a false up).
import { eq } from 'drizzle-orm';
import type { Statement } from '../store/client.js';
import type { WriteContext } from '../store/context.js';
import type { EventSpec } from '../store/events.js';
import { vantages } from '../store/schema/index.js';
import type { FleetState } from './fleet-state.js';
import type { CheckRecord } from './monitor-records.js';
import { markVoteChanged, recombine, type VantageNode } from './votes.js';
import { noteCheckChanged, type ResultChanges } from './write-plan.js';
import { initialCheckState } from './check-state.js';
import { copyState } from './monitor-records.js';

/**
 * `heardSince`: silence is counted from no earlier than this (the monitor's start), so a server
 * that was down itself does not declare every agent lost the moment it is back.
 */
export function planVantageLiveness(fleet: FleetState, ctx: WriteContext, now: number, heardSince: number, changes: ResultChanges): Statement[] {
  const statements: Statement[] = [];
  for (const vantage of fleet.vantages.values()) {
    if (vantage.kind === 'central') {
      statements.push(...noteCentralRunning(ctx, vantage, now, heardSince));
      continue;
    }
    if (vantage.seen) {
      vantage.seen = false;
      const back = vantage.status !== 'live';
      if (back) {
        // Its votes were cleared when it was lost; the results that brought it back fill them.
        if (vantage.status === 'lost') changes.events.push(silenceEvent(vantage, 'vantage.restored', votingChecks(fleet, vantage), undefined));
        vantage.status = 'live';
        vantage.since = now;
      }
      statements.push(ctx.db.update(vantages).set({ lastSeenAt: vantage.lastSeenAt, ...(back && { status: 'live', since: now }) }).where(eq(vantages.id, vantage.id)));
    } else if (vantage.status === 'live' && now - Math.max(vantage.lastSeenAt ?? 0, heardSince) > vantage.graceMs) {
      vantage.status = 'lost';
      vantage.since = now;
      const voting = votingChecks(fleet, vantage);
      changes.events.push(silenceEvent(vantage, 'vantage.lost', voting, clearVotes(voting, vantage, now, changes)));
      statements.push(ctx.db.update(vantages).set({ status: 'lost', since: now }).where(eq(vantages.id, vantage.id)));
    }
  }
  return statements;
}

/** How often the central monitor's own last-seen time is written while it runs. */
const CENTRAL_SEEN_EVERY_MS = 10_000;

/** The central monitor is heard from while it runs: live since this monitor started, last seen now. */
function noteCentralRunning(ctx: WriteContext, central: VantageNode, now: number, startedAt: number): Statement[] {
  if (central.lastSeenAt !== null && now - central.lastSeenAt < CENTRAL_SEEN_EVERY_MS && central.lastSeenAt >= startedAt) return [];
  const fresh = central.lastSeenAt === null || central.lastSeenAt < startedAt;
  central.lastSeenAt = now;
  if (fresh) central.since = startedAt;
  return [ctx.db.update(vantages).set({ lastSeenAt: now, ...(fresh && { status: 'live', since: startedAt }) }).where(eq(vantages.id, central.id))];
}

/**
 * Clears a lost vantage's votes and re-derives the checks it votes on; returns the keys of those
 * left without a quorum of live vantages.
 */
function clearVotes(voting: readonly CheckRecord[], vantage: VantageNode, now: number, changes: ResultChanges): string[] {
  const withoutQuorum: string[] = [];
  for (const check of voting) {
    const member = check.votes!.members.find((m) => m.vantage === vantage)!;
    if (member.state.status !== 'unknown') {
      copyState(initialCheckState(now), member.state);
      markVoteChanged(changes.votes, check.id, member);
    }
    if (recombine(check, now)) noteCheckChanged(changes, check);
    if (check.status === 'unknown') withoutQuorum.push(check.key);
  }
  return withoutQuorum;
}

/** The checks the vantage votes on. */
function votingChecks(fleet: FleetState, vantage: VantageNode): CheckRecord[] {
  return [...fleet.checks.values()].filter((check) => check.votes?.members.some((m) => m.vantage === vantage));
}

function silenceEvent(vantage: VantageNode, type: 'vantage.lost' | 'vantage.restored', voting: readonly CheckRecord[], checksWithoutQuorum: string[] | undefined): EventSpec {
  const checks = voting.map((c) => c.key);
  return {
    type, subjectKind: 'vantage', subjectId: vantage.id, subjectKey: vantage.name,
    severity: type === 'vantage.lost' ? 'major' : 'info',
    data: { lastSeenAt: vantage.lastSeenAt, graceSeconds: vantage.graceMs / 1000, checks, ...(checksWithoutQuorum && { checksWithoutQuorum }) },
  };
}
