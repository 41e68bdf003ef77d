// How a probe agent's results reach the monitor. The Node host's live monitor fills this port; a
// host without one (Workers, whose shards hand results to their coordinator instead) leaves it
// out and the results route says so.
import type { ObservedStatus } from '../../../checks/types.js';
import type { CheckOutcome } from './check-definition.js';

/** One result as an agent reports it: the same fields as an Observation, dated by the probe's start. */
export interface AgentResult {
  checkId: number;
  at: number;
  status: ObservedStatus;
  latencyMs: number | null;
  message: string | null;
  metrics?: Record<string, number>;
}

export interface AgentBatch {
  vantageId: number;
  /** The agent's id for the batch: a batch sent again (a retry after a lost answer) is recognised. */
  batchId: string;
  /** The agent's clock when it sent the batch. */
  sentAt: number;
  results: AgentResult[];
}

/** One run of a check as a Workers shard hands it over: any outcome, an idle contact check's included. */
export interface OutcomeRecord {
  checkId: number;
  at: number;
  observation: CheckOutcome;
}

export interface OutcomeBatch {
  vantageId: number;
  batchId: string;
  results: OutcomeRecord[];
}

export interface BatchReceipt {
  batchId: string;
  /** Already delivered before: nothing of it was counted again. */
  duplicate: boolean;
  /** Results recorded (history, and the vantage's vote where fresh). */
  accepted: number;
  /** Of those, results too old to vote (filed into history only: no stale alert is replayed). */
  late: number;
  /** Results for checks that do not list this vantage (any more): dropped. */
  ignored: number;
}

export interface VantageIntake {
  /** Records the batch; resolves once it is committed (an agent may then forget it). */
  submitBatch(batch: AgentBatch): Promise<BatchReceipt>;
}
