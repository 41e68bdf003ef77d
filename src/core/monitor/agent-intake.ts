// Probe agents' result batches, taken into the live monitor. A batch is committed with its id in
// the same transaction as its results, and only then acknowledged: an agent that never hears the
// answer sends it again and is told it was already counted. Results older than the vantage's
// grace (a backlog uploaded after a partition) are filed into history without voting, so they
// replay no stale alert.
import { and, eq } from 'drizzle-orm';
import { probeBatches } from '../store/schema/index.js';
import { NotFoundError } from '../domain/errors.js';
import type { ObservationRecord } from './check-definition.js';
import type { LiveMonitor } from './live-monitor.js';
import type { AgentBatch, BatchReceipt, VantageIntake } from './vantage-intake.js';

/** Results dated this far ahead of the server's clock are not trusted to vote either. */
const MAX_CLOCK_LEAD_MS = 60_000;

export class AgentIntake implements VantageIntake {
  /** Batches waiting for their commit, by vantage and id: a retry arriving meanwhile waits for it. */
  private readonly inFlight = new Map<string, Promise<BatchReceipt>>();

  constructor(private readonly live: LiveMonitor, private readonly now: () => number) {}

  async submitBatch(batch: AgentBatch): Promise<BatchReceipt> {
    const key = `${batch.vantageId}\n${batch.batchId}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending.then((receipt) => ({ ...receipt, duplicate: true, accepted: 0, late: 0, ignored: 0 }));
    const taking = this.take(batch);
    this.inFlight.set(key, taking);
    try {
      return await taking;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async take(batch: AgentBatch): Promise<BatchReceipt> {
    const { monitor, db } = this.live;
    const vantage = monitor.vantage(batch.vantageId);
    if (!vantage || vantage.kind !== 'agent') throw new NotFoundError('vantage', batch.vantageId);
    const receipt: BatchReceipt = { batchId: batch.batchId, duplicate: false, accepted: 0, late: 0, ignored: 0 };
    const [known] = await db
      .select({ results: probeBatches.results })
      .from(probeBatches)
      .where(and(eq(probeBatches.vantageId, batch.vantageId), eq(probeBatches.batchId, batch.batchId)));
    if (known) return { ...receipt, duplicate: true };

    const now = this.now();
    const records: ObservationRecord[] = [];
    for (const result of batch.results) {
      if (!monitor.votesFrom(result.checkId, batch.vantageId)) {
        receipt.ignored++;
        continue;
      }
      const late = now - result.at > vantage.graceMs || result.at - now > MAX_CLOCK_LEAD_MS;
      if (late) receipt.late++;
      // The result has an observation's fields: it serves as one (no copy per result).
      records.push({ checkId: result.checkId, at: result.at, vantageId: batch.vantageId, late, observation: result });
    }
    receipt.accepted = records.length;
    // Results in time order per vantage, whatever order the batch listed them in.
    records.sort((a, b) => a.at - b.at);
    monitor.noteVantageSeen(batch.vantageId, now);
    await this.live.record(records, (tx) =>
      tx.insert(probeBatches).values({ vantageId: batch.vantageId, batchId: batch.batchId, results: receipt.accepted, receivedAt: now }));
    return receipt;
  }
}
