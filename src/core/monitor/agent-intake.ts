// Result batches from elsewhere, taken into the live monitor: probe agents' (over HTTP) and, on
// Workers, the check shards' (over RPC). A batch is committed with its id in the same transaction
// as its results, and only then acknowledged: a sender that never hears the answer sends it again
// and is told it was already counted. Results older than the vantage's grace (a backlog uploaded
// after a partition) are filed into history without voting, so they replay no stale alert.
import { and, eq } from 'drizzle-orm';
import { probeBatches } from '../store/schema/index.js';
import { NotFoundError } from '../domain/errors.js';
import type { VantageKind } from '../domain/enums.js';
import type { CheckOutcome, ObservationRecord } from './check-definition.js';
import type { LiveMonitor } from './live-monitor.js';
import type { AgentBatch, AgentResult, BatchReceipt, OutcomeBatch, OutcomeRecord, VantageIntake } from './vantage-intake.js';

/** Results dated this far ahead of the server's clock are not trusted to vote either. */
const MAX_CLOCK_LEAD_MS = 60_000;

export class AgentIntake implements VantageIntake {
  /** Batches waiting for their commit, by vantage and id: a retry arriving meanwhile waits for it. */
  private readonly inFlight = new Map<string, Promise<BatchReceipt>>();

  /** `kinds`: the vantages whose batches are taken (the HTTP route: agents; the Workers coordinator: its shards'). */
  constructor(private readonly live: LiveMonitor, private readonly now: () => number, private readonly kinds: readonly VantageKind[] = ['agent']) {}

  submitBatch(batch: AgentBatch): Promise<BatchReceipt> {
    // An agent's result has an observation's fields: it serves as one (no copy per result).
    return this.once(batch.vantageId, batch.batchId, () => this.take(batch.vantageId, batch.batchId, batch.results, (result: AgentResult) => result));
  }

  /** A shard's batch, whose results may be any outcome (an idle contact check, a missed pass). */
  submitOutcomes(batch: OutcomeBatch): Promise<BatchReceipt> {
    return this.once(batch.vantageId, batch.batchId, () => this.take(batch.vantageId, batch.batchId, batch.results, (result: OutcomeRecord) => result.observation));
  }

  private async once(vantageId: number, batchId: string, take: () => Promise<BatchReceipt>): Promise<BatchReceipt> {
    const key = `${vantageId}\n${batchId}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending.then((receipt) => ({ ...receipt, duplicate: true, accepted: 0, late: 0, ignored: 0 }));
    const taking = take();
    this.inFlight.set(key, taking);
    try {
      return await taking;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async take<R extends { checkId: number; at: number }>(vantageId: number, batchId: string, results: readonly R[], outcome: (result: R) => CheckOutcome): Promise<BatchReceipt> {
    const { monitor, db } = this.live;
    const vantage = monitor.vantage(vantageId);
    if (!vantage || !this.kinds.includes(vantage.kind)) throw new NotFoundError('vantage', vantageId);
    const receipt: BatchReceipt = { batchId, duplicate: false, accepted: 0, late: 0, ignored: 0 };
    const [known] = await db
      .select({ results: probeBatches.results })
      .from(probeBatches)
      .where(and(eq(probeBatches.vantageId, vantageId), eq(probeBatches.batchId, batchId)));
    if (known) return { ...receipt, duplicate: true };

    const now = this.now();
    // The central monitor's results carry no vantage (write-plan.ts), wherever they were probed.
    const recordedVantage = vantage.kind === 'central' ? undefined : vantageId;
    const records: ObservationRecord[] = [];
    for (const result of results) {
      if (!monitor.runsFrom(result.checkId, vantage)) {
        receipt.ignored++;
        continue;
      }
      const late = now - result.at > vantage.graceMs || result.at - now > MAX_CLOCK_LEAD_MS;
      if (late) receipt.late++;
      records.push({ checkId: result.checkId, at: result.at, vantageId: recordedVantage, late, observation: outcome(result) });
    }
    receipt.accepted = records.length;
    // Results in time order per vantage, whatever order the batch listed them in.
    records.sort((a, b) => a.at - b.at);
    monitor.noteVantageSeen(vantageId, now);
    await this.live.record(records, (tx) => tx.insert(probeBatches).values({ vantageId, batchId, results: receipt.accepted, receivedAt: now }));
    return receipt;
  }
}
