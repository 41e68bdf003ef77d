// Loading a multi-vantage check's votes: from memory for a check already held (a reload), else
// from the views stored in check_votes (a start).
import type { checks, checkVotes } from '../store/schema/index.js';
import { CENTRAL_VANTAGE, quorumOf } from '../domain/quorum.js';
import type { IdIndex } from './id-index.js';
import { copyState } from './monitor-records.js';
import type { CheckRecord } from './monitor-records.js';
import { newMember, type VantageNode, type VoteMember } from './votes.js';

export function attachVotes(
  checkRows: ReadonlyArray<Pick<typeof checks.$inferSelect, 'id' | 'vantages' | 'quorum'>>,
  checkIndex: IdIndex<CheckRecord>,
  previous: IdIndex<CheckRecord>,
  vantages: ReadonlyMap<number, VantageNode>,
  voteRows: ReadonlyArray<typeof checkVotes.$inferSelect>,
  now: number,
): void {
  const byName = new Map([...vantages.values()].map((v) => [v.name, v] as const));
  const stored = new Map(voteRows.map((r) => [`${r.checkId}:${r.vantageId}`, r] as const));
  for (const row of checkRows) {
    const names = row.vantages;
    if (!names || (names.length === 1 && names[0] === CENTRAL_VANTAGE)) continue;
    const record = checkIndex.get(row.id)!;
    const held = previous.get(row.id)?.votes?.members;
    const members = names.flatMap((name) => {
      const vantage = byName.get(name);
      return vantage ? [memberOf(vantage, record, held, stored, now)] : [];
    });
    record.votes = { members, quorum: Math.min(quorumOf(row), Math.max(members.length, 1)), runsCentrally: names.includes(CENTRAL_VANTAGE) };
  }
}

function memberOf(
  vantage: VantageNode, record: CheckRecord, held: VoteMember[] | null | undefined,
  stored: ReadonlyMap<string, typeof checkVotes.$inferSelect>, now: number,
): VoteMember {
  const member = newMember(vantage, now);
  const kept = held?.find((m) => m.vantage.id === vantage.id);
  if (kept) {
    copyState(kept.state, member.state);
    return member;
  }
  const row = stored.get(`${record.id}:${vantage.id}`);
  if (row) {
    member.state.status = row.status;
    member.state.since = row.at;
    member.state.streakStartedAt = row.at;
    member.state.message = row.message;
  }
  return member;
}
