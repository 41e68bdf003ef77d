/// <reference types="@cloudflare/workers-types" />
// A check shard: a Durable Object that probes its slice of one vantage's checks. It keeps its
// assignment, its raw results and each contact check's pass in its own SQLite storage, so an
// eviction loses nothing: the next alarm wakes it with all of it. Its alarm comes every second
// while it has checks or unsent results; between alarms the core scheduler runs each check at its
// due time (a grid fixed to the epoch, so a restart keeps every check's times). Results go to the
// coordinator in batches named by their first and last row: a batch re-sent after a lost answer
// is recognised there, and rows are marked sent only on its receipt.
import { DurableObject } from 'cloudflare:workers';
import { satellites } from '../../core/store/schema/index.js';
import { createCheckRunner, type AssetFacts, type ContactLog, type TrackedPass } from '../../core/monitor/check-runner.js';
import type { CheckOutcome, ObservationRecord } from '../../core/monitor/check-definition.js';
import { PassCalendar } from '../../core/monitor/pass-calendar.js';
import { storedCheckInputs } from '../../core/monitor/stored-inputs.js';
import { CheckScheduler } from '../../core/monitor/scheduler.js';
import type { OutcomeBatch } from '../../core/monitor/vantage-intake.js';
import { coordinatorOf, database, log, type Env } from './env.js';
import { createWorkerProbeContext } from './probes.js';
import type { ShardAssignment } from './shard-assignment.js';

const TICK_MS = 1_000;
/** Results per batch to the coordinator, and batches per alarm. */
const BATCH_ROWS = 1_000;
const BATCHES_PER_ALARM = 10;
/** Sent results are kept this long (what the shard saw, for inspection), then deleted. */
const KEEP_SENT_MS = 3_600_000;
/** Unsent results beyond this (a coordinator unreachable for a long time) are dropped oldest first. */
const MAX_UNSENT = 200_000;
/** Workers allow six simultaneous open connections per invocation. */
const PROBE_CONCURRENCY = 6;

interface InFlight {
  first: number;
  last: number;
  vantageId: number;
}

export interface ShardStatus {
  shard: string | null;
  checks: number;
  unsent: number;
  sent: number;
  lastError: string | null;
}

export class CheckShard extends DurableObject<Env> {
  private assignment: ShardAssignment | null = null;
  private readonly assets = new Map<number, AssetFacts>();
  private readonly passes = new PassCalendar();
  private readonly scheduler: CheckScheduler;
  private started = false;
  private uploading: Promise<void> | null = null;
  private lastError: string | null = null;
  private keepFailure: string | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { sql, kv } = ctx.storage;
    sql.exec('create table if not exists results (seq integer primary key autoincrement, check_id integer not null, at integer not null, outcome text not null, sent_at integer)');
    sql.exec('create index if not exists results_by_sent on results (sent_at, seq)');
    const contacts: ContactLog = {
      get: (checkId) => kv.get<TrackedPass>(`contact:${checkId}`),
      set: (checkId, tracked) => kv.put(`contact:${checkId}`, tracked),
      delete: (checkId) => kv.delete(`contact:${checkId}`),
    };
    const runCheck = createCheckRunner({
      probeContext: (signal) => createWorkerProbeContext(signal, this.userAgent()),
      ...storedCheckInputs(database(env)),
      asset: (id) => this.assets.get(id),
      passes: this.passes,
      now: Date.now,
      contacts,
    });
    this.scheduler = new CheckScheduler({ concurrency: PROBE_CONCURRENCY, now: Date.now, runCheck, onResult: (record) => this.keep(record) });
    void ctx.blockConcurrencyWhile(async () => {
      const kept = kv.get<ShardAssignment>('assignment');
      if (kept) await this.take(kept);
    });
  }

  /** The coordinator hands the shard its checks (after any definition change, and on its own start). */
  async assign(assignment: ShardAssignment): Promise<void> {
    this.ctx.storage.kv.put('assignment', assignment);
    await this.take(assignment);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + TICK_MS);
  }

  override async alarm(): Promise<void> {
    // The next wake is set first: a shard evicted during the upload is woken on time, not after
    // the runtime's retry back-off.
    const busy = (this.assignment?.definitions.length ?? 0) > 0 || this.unsent() > 0;
    if (busy) await this.ctx.storage.setAlarm(Date.now() + TICK_MS);
    try {
      await this.upload();
      this.prune();
    } catch (err) {
      // The next alarm is set and tries again; a throw here would only add the runtime's retry.
      this.lastError = err instanceof Error ? err.message : String(err);
    }
  }

  async status(): Promise<ShardStatus> {
    const [sent] = this.ctx.storage.sql.exec<{ n: number }>('select count(*) as n from results where sent_at is not null').toArray();
    return { shard: this.assignment?.shard ?? null, checks: this.scheduler.size, unsent: this.unsent(), sent: sent?.n ?? 0, lastError: this.lastError };
  }

  private async take(assignment: ShardAssignment): Promise<void> {
    this.assignment = assignment;
    this.assets.clear();
    for (const [id, facts] of assignment.assets) this.assets.set(id, facts);
    if (assignment.definitions.some((def) => def.kind === 'contact')) this.passes.setSatellites(await database(this.env).select().from(satellites));
    this.scheduler.sync(assignment.definitions);
    if (!this.started) {
      this.started = true;
      this.scheduler.start();
    }
  }

  private userAgent(): string {
    const vantage = this.assignment?.vantage;
    return vantage && vantage.kind === 'region' ? `coopwatch-region/${vantage.name}` : 'coopwatch';
  }

  /** Stores a result to send. A failure (storage gone: the object is being reset) loses this one result, said once. */
  private keep(record: ObservationRecord): void {
    try {
      this.ctx.storage.sql.exec('insert into results (check_id, at, outcome) values (?, ?, ?)', record.checkId, record.at, JSON.stringify(record.observation));
      this.keepFailure = null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.keepFailure) log(`${this.assignment?.shard}: a result could not be stored (${message})`);
      this.keepFailure = message;
    }
  }

  private unsent(): number {
    return this.ctx.storage.sql.exec<{ n: number }>('select count(*) as n from results where sent_at is null').one().n;
  }

  /** Sends unsent results, oldest first; one upload at a time. */
  private upload(): Promise<void> {
    this.uploading ??= this.sendBatches().finally(() => {
      this.uploading = null;
    });
    return this.uploading;
  }

  private async sendBatches(): Promise<void> {
    for (let i = 0; i < BATCHES_PER_ALARM; i++) {
      const batch = this.inFlight() ?? this.nextBatch();
      if (!batch) return;
      const rows = this.ctx.storage.sql
        .exec<{ seq: number; check_id: number; at: number; outcome: string }>('select seq, check_id, at, outcome from results where seq between ? and ? and sent_at is null order by seq', batch.first, batch.last)
        .toArray();
      const message: OutcomeBatch = {
        vantageId: batch.vantageId,
        batchId: `${this.assignment?.shard ?? 'shard'}:${batch.first}-${batch.last}`,
        results: rows.map((r) => ({ checkId: r.check_id, at: r.at, observation: JSON.parse(r.outcome) as CheckOutcome })),
      };
      try {
        const answer = await coordinatorOf(this.env).submit(message);
        if ('refused' in answer) log(`${message.batchId}: dropped, the coordinator refused it: ${answer.refused}`);
        this.lastError = null;
      } catch (err) {
        // Kept, in flight under the same id: the next alarm sends it again.
        this.lastError = err instanceof Error ? err.message : String(err);
        return;
      }
      this.ctx.storage.transactionSync(() => {
        this.ctx.storage.sql.exec('update results set sent_at = ? where seq between ? and ? and sent_at is null', Date.now(), batch.first, batch.last);
        this.ctx.storage.kv.delete('inflight');
      });
      // What came in while this batch was on its way waits for the next alarm: one upload a second, not one per answer.
      if (rows.length < BATCH_ROWS) return;
    }
  }

  private inFlight(): InFlight | null {
    return this.ctx.storage.kv.get<InFlight>('inflight') ?? null;
  }

  /** The next rows to send, fixed before sending so a retry sends exactly the same batch. */
  private nextBatch(): InFlight | null {
    const vantageId = this.assignment?.vantage.id;
    if (vantageId === undefined) return null;
    const range = this.ctx.storage.sql
      .exec<{ first: number | null; last: number | null }>('select min(seq) as first, max(seq) as last from (select seq from results where sent_at is null order by seq limit ?)', BATCH_ROWS)
      .one();
    if (range.first === null || range.last === null) return null;
    const batch = { first: range.first, last: range.last, vantageId };
    this.ctx.storage.kv.put('inflight', batch);
    return batch;
  }

  /** Deletes sent results past their keep, and unsent ones beyond the bound (saying so). */
  private prune(): void {
    const { sql } = this.ctx.storage;
    sql.exec('delete from results where sent_at is not null and sent_at < ?', Date.now() - KEEP_SENT_MS);
    const excess = this.unsent() - MAX_UNSENT;
    if (excess <= 0) return;
    const floor = this.inFlight()?.last ?? 0;
    sql.exec('delete from results where seq in (select seq from results where sent_at is null and seq > ? order by seq limit ?)', floor, excess);
    log(`${this.assignment?.shard}: the coordinator has been unreachable; dropped the ${excess} oldest unsent results (${MAX_UNSENT} kept)`);
  }
}
