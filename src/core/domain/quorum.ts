// Agreement between vantages. A check run from several places is down only when `quorum` of
// them see it down; below that, disagreement reads `disputed` — the usual sign of a partition
// (a cut backhaul looks like a dead station from the far side), not of a dead target. The rule
// follows OpenStatus's multi-region checks (a status changes when enough regions agree) and
// Nagios/Icinga's cluster checks (a state from k of n members).
import type { CheckStatus, VantageStatus } from './enums.js';

/** The vantage every check runs from unless it lists others: the service's own monitor. */
export const CENTRAL_VANTAGE = 'central';
/** Vantage names: lower-case letters, digits and dashes, as in `svalbard-site`. */
export const VANTAGE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A majority of n vantages: the quorum a check gets when it names none. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** A check's quorum: as set, else a majority of the vantages it lists (null: central alone). */
export function quorumOf(check: { vantages: readonly string[] | null; quorum: number | null }): number {
  return check.quorum ?? majority(check.vantages?.length ?? 1);
}

/** How the message of a check with too few live vantages begins. */
export const NOT_ENOUGH_VANTAGES = 'not enough vantages';

export interface Vote {
  vantage: string;
  /** The vantage's own confirmed view (after its thresholds); unknown before its first result. */
  status: CheckStatus;
  message: string | null;
  /** Whether the vantage's votes count: a lost agent's do not. */
  vantageStatus: VantageStatus;
}

/** Worse first. Idle (a contact check between passes) serves like up. */
const SEVERITY: Partial<Record<CheckStatus, number>> = { up: 0, idle: 0, degraded: 1, flapping: 2, down: 3 };

/**
 * The check's status from its vantages' votes: the worst status that at least `quorum` live
 * vantages agree the check is at least as bad as (the quorum-th worst vote). When that is not
 * down but some vantage sees it down, the check is disputed. With fewer live votes than the
 * quorum it is unknown: a check never reads up on too few witnesses.
 */
export function quorumStatus(votes: readonly Vote[], quorum: number): { status: CheckStatus; message: string | null } {
  const counted = votes.filter((v) => v.vantageStatus === 'live' && SEVERITY[v.status] !== undefined);
  if (counted.length < quorum) {
    const silent = votes.filter((v) => !counted.includes(v)).map((v) => `${v.vantage} ${v.vantageStatus === 'lost' ? 'lost' : 'has no result'}`);
    return {
      status: 'unknown',
      message: `${NOT_ENOUGH_VANTAGES}: ${counted.length} of ${quorum} needed${silent.length ? ` (${silent.join(', ')})` : ''}`,
    };
  }
  const worstFirst = [...counted].sort((a, b) => SEVERITY[b.status]! - SEVERITY[a.status]!);
  const agreed = worstFirst[quorum - 1]!;
  const status = agreed.status === 'idle' ? 'up' : agreed.status;
  if (status !== 'down' && worstFirst[0]!.status === 'down') return { status: 'disputed', message: disagreement(counted) };
  if (worstFirst.every((v) => v.status === agreed.status)) return { status, message: agreed.message };
  return { status, message: `${agreed.message ?? status} (${disagreement(counted)})` };
}

/** "down from svalbard-site, up from central and tokyo-moc": each view and who holds it, worst first. */
export function disagreement(votes: readonly Vote[]): string {
  const byStatus = new Map<string, string[]>();
  for (const v of [...votes].sort((a, b) => SEVERITY[b.status]! - SEVERITY[a.status]!)) {
    const status = v.status === 'idle' ? 'up' : v.status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), v.vantage]);
  }
  return [...byStatus].map(([status, names]) => `${status} from ${listed(names)}`).join(', ');
}

function listed(names: string[]): string {
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
