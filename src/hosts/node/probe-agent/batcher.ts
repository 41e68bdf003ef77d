// Gathers the agent's results and seals them into batches: one JSON.stringify and one file per
// batch, nothing per result but the result object itself (an agent may run 5,000 checks a second).
import type { ObservationRecord } from '../../../core/monitor/check-definition.js';
import type { AgentResult } from '../../../core/monitor/vantage-intake.js';
import type { Spool } from './spool.js';

/** The most results in one batch (the server takes up to 20,000). */
export const MAX_BATCH_RESULTS = 5_000;

export interface BatcherOptions {
  /** The vantage name; batch ids are `<name>-<bootId>-<seq>`. */
  name: string;
  spool: Spool;
  /** Results per batch at most (never more than the spool's bound, so the newest batch always fits it). */
  maxResults: number;
  /** A batch is on disk. */
  onSpooled: () => void;
  /** A batch could not be written (the disk is full, …): its results are lost. */
  onLost: (results: number, err: unknown) => void;
}

export class ResultBatcher {
  /** Results produced in this run. */
  produced = 0;
  private pending: AgentResult[] = [];
  private seq = 0;
  /** Distinct for each start of the agent, so batch ids never repeat across restarts. */
  private readonly bootId = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  private closed = false;

  constructor(private readonly options: BatcherOptions) {}

  /** The scheduler's result callback. */
  add(record: ObservationRecord): void {
    const { observation } = record;
    if (this.closed || observation.status === 'idle') return;
    this.produced++;
    this.pending.push({
      checkId: record.checkId,
      at: record.at,
      status: observation.status,
      latencyMs: observation.latencyMs,
      message: observation.message,
      metrics: observation.metrics,
    });
    if (this.pending.length >= this.options.maxResults) void this.seal();
  }

  /** Takes no more results (probes aborted at shutdown would report bogus failures). */
  close(): void {
    this.closed = true;
  }

  /** Writes the results gathered so far as one batch file. */
  async seal(): Promise<void> {
    if (this.pending.length === 0) return;
    const results = this.pending;
    this.pending = [];
    const batchId = `${this.options.name}-${this.bootId}-${this.seq++}`;
    try {
      // The file holds the request body but sentAt, which the uploader adds when it sends.
      await this.options.spool.append(JSON.stringify({ batchId, results }), results.length);
      this.options.onSpooled();
    } catch (err) {
      this.options.onLost(results.length, err);
    }
  }
}
