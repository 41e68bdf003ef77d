// Checks run from several vantages. Each vantage's results go through the check's thresholds and
// flap control on their own (a vote: that vantage's confirmed view); the check's status is the
// quorum of the live votes (domain/quorum.ts). A check run from the central monitor alone has no
// votes and takes the direct path in write-plan.ts.
import { sql } from 'drizzle-orm';
import { insertChunks, type Db, type Statement } from '../store/client.js';
import { checkVotes, type vantages } from '../store/schema/index.js';
import { rowStatements } from '../store/prepared-rows.js';
import type { LocationHint, VantageKind, VantageStatus } from '../domain/enums.js';
import { quorumStatus, type Vote } from '../domain/quorum.js';
import { initialCheckState, type CheckState } from './check-state.js';
import type { CheckRecord } from './monitor-records.js';

/** A vantage as the monitor holds it. `seen`: results arrived since the last flush wrote `lastSeenAt`. */
export class VantageNode {
  readonly id: number;
  readonly name: string;
  readonly kind: VantageKind;
  readonly locationHint: LocationHint | null;
  readonly graceMs: number;
  status: VantageStatus;
  since: number;
  lastSeenAt: number | null;
  seen = false;

  constructor(row: typeof vantages.$inferSelect, previous: VantageNode | undefined) {
    this.id = row.id;
    this.name = row.name;
    this.kind = row.kind;
    this.locationHint = row.locationHint;
    this.graceMs = row.graceSeconds * 1000;
    this.status = row.kind === 'central' ? 'live' : row.status;
    this.since = row.since;
    this.lastSeenAt = Math.max(row.lastSeenAt ?? 0, previous?.lastSeenAt ?? 0) || null;
    this.seen = previous?.seen ?? false;
  }
}

/** One vantage's view of one check: its own streak, thresholds and flap control. */
export interface VoteMember {
  vantage: VantageNode;
  state: CheckState;
}

/** A multi-vantage check's voters. */
export interface VotePanel {
  members: VoteMember[];
  /** Vantages that must see it down for it to be down. */
  quorum: number;
  /** Whether the central monitor runs it too (an agent-only check is run by the agents alone). */
  runsCentrally: boolean;
}

/** The member a result from `vantageId` (undefined: the central monitor) feeds, if the check lists it. */
export function memberFor(check: CheckRecord, vantageId: number | undefined): VoteMember | undefined {
  for (const member of check.votes!.members) {
    if (vantageId === undefined ? member.vantage.kind === 'central' : member.vantage.id === vantageId) return member;
  }
  return undefined;
}

export function newMember(vantage: VantageNode, now: number): VoteMember {
  return { vantage, state: initialCheckState(now) };
}

/**
 * Re-derives a multi-vantage check's status from its votes, in place. Returns whether its status
 * or message changed. A check going down dates its outage from the earliest vote that saw it.
 */
export function recombine(check: CheckRecord, at: number): boolean {
  const votes: Vote[] = check.votes!.members.map((m) => ({ vantage: m.vantage.name, status: m.state.status, message: m.state.message, vantageStatus: m.vantage.status }));
  const { status, message } = quorumStatus(votes, check.votes!.quorum);
  const changed = status !== check.status || message !== check.message;
  if (status !== check.status) {
    check.status = status;
    check.since = at;
    const observed = status === 'up' || status === 'degraded' || status === 'down' ? status : null;
    check.streakStatus = observed;
    check.streakCount = observed ? 1 : 0;
    let start = at;
    for (const m of check.votes!.members) if (m.state.status === 'down') start = Math.min(start, m.state.streakStartedAt);
    check.streakStartedAt = start;
  }
  check.message = message;
  check.lastObservedAt = at;
  return changed;
}

const UPSERT_VOTE_SQL =
  'insert into check_votes (check_id, vantage_id, status, at, message) values (?, ?, ?, ?, ?) on conflict (check_id, vantage_id) do update set status = excluded.status, at = excluded.at, message = excluded.message';
const EXCLUDED_VOTE = { status: sql`excluded.status`, at: sql`excluded.at`, message: sql`excluded.message` };
type VoteRow = typeof checkVotes.$inferInsert;

/** Stores the votes that changed (`changed`: check id → its changed members). */
export function voteStatements(db: Db, changed: ReadonlyMap<number, Set<VoteMember>>): Statement[] {
  const rows: VoteRow[] = [];
  for (const [checkId, members] of changed) {
    for (const { vantage, state } of members) rows.push({ checkId, vantageId: vantage.id, status: state.status, at: state.since, message: state.message });
  }
  return rowStatements(db, UPSERT_VOTE_SQL, rows, (r) => [r.checkId, r.vantageId, r.status, r.at, r.message ?? null], (all) =>
    insertChunks(db, all, 5).map((chunk) => db.insert(checkVotes).values(chunk).onConflictDoUpdate({ target: [checkVotes.checkId, checkVotes.vantageId], set: EXCLUDED_VOTE })));
}

/** Adds a changed member to the map `voteStatements` writes. */
export function markVoteChanged(changed: Map<number, Set<VoteMember>>, checkId: number, member: VoteMember): void {
  let members = changed.get(checkId);
  if (!members) changed.set(checkId, (members = new Set()));
  members.add(member);
}
