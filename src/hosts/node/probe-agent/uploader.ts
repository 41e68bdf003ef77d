// Sends the spooled batches to the server, oldest first, one at a time: a batch file is deleted
// only after the server's 200 receipt, so a lost answer means the same batch (same batchId) is
// sent again and the server, not the agent, sees that it already has it.
import { Backoff, BACKOFF_MAX_MS, createChangeLog, describeFailure, refusedToken, type ChangeLog, type Failure, type ServerLink } from './server-link.js';
import type { Spool, SpoolEntry } from './spool.js';

export interface UploaderOptions {
  link: ServerLink;
  /** `/api/vantages/<name>/results` */
  path: string;
  spool: Spool;
  log: (line: string) => void;
  /** Shared with the assignment, so a refused token is said once, not once per request kind. */
  refusals: ChangeLog;
}

export class Uploader {
  /** Results the server has given a receipt for, in this run. */
  uploaded = 0;
  /** Results in batches the server would never take (set aside on disk), or that could not be read back. */
  rejected = 0;
  private readonly backoff = new Backoff();
  /** What stops uploads other than a refused token, said once while it lasts. */
  private readonly problems: ChangeLog;
  private readonly halt = new AbortController();
  private stopping = false;
  /** Ends the idle wait (a batch arrived, or the final pass began). */
  private wake: (() => void) | null = null;
  /** Ends a backoff wait early: only the final pass does. */
  private interrupt: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  /** When uploads started failing (Date.now()), and `uploaded` then. */
  private outage: { since: number; uploadedBefore: number; restoredAfterMs: number | null } | null = null;

  constructor(private readonly options: UploaderOptions) {
    this.problems = createChangeLog(options.log);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** A batch was spooled: upload it now if the uploader was idle. */
  notify(): void {
    this.wake?.();
  }

  /** The final pass: uploads what it can within `deadlineMs` (no backoff), then stops. */
  async finish(deadlineMs: number): Promise<void> {
    this.stopping = true;
    const timer = setTimeout(() => this.halt.abort(new Error('the final upload pass ran out of time')), deadlineMs);
    this.notify();
    this.interrupt?.();
    try {
      await (this.loop ?? this.run());
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(): Promise<void> {
    const { spool } = this.options;
    for (;;) {
      if (this.halt.signal.aborted) return;
      const entry = spool.oldest();
      if (!entry) {
        if (this.stopping) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const failure = await this.send(entry);
      if (!failure) continue;
      if (this.stopping) return;
      await this.pause(this.waitAfter(failure));
    }
  }

  /** One attempt at the oldest batch; null when it was delivered (or set aside). */
  private async send(entry: SpoolEntry): Promise<Failure | null> {
    const { spool, link, path } = this.options;
    spool.claim(entry);
    try {
      const text = await spool.read(entry).catch(() => null);
      if (text === null) return await this.skipUnreadable(entry);
      // The file is the body without sentAt: the send time is put in front, the rest is not parsed again.
      const answer = await link.post(path, `{"sentAt":${Date.now()},${text.slice(1)}`, this.halt.signal);
      if (answer.status === 200) {
        await spool.remove(entry);
        this.delivered(entry.results);
        return null;
      }
      const failure = describeFailure(answer);
      if (failure.kind !== 'rejected') return failure;
      const kept = await spool.setAside(entry);
      this.rejected += entry.results;
      this.options.log(`the server rejected a batch of ${entry.results} results (${failure.message}); kept aside as ${kept}`);
      return null;
    } catch (err) {
      return describeFailure(err);
    } finally {
      spool.claim(null);
    }
  }

  /** A batch file gone or unreadable (removed by hand, a disk fault): skipped, lest it hold up the rest. */
  private async skipUnreadable(entry: SpoolEntry): Promise<null> {
    await this.options.spool.remove(entry);
    this.rejected += entry.results;
    this.options.log(`could not read the spooled batch ${entry.file}; skipped its ${entry.results} results`);
    return null;
  }

  private delivered(results: number): void {
    this.uploaded += results;
    this.backoff.reset();
    this.options.refusals.clear();
    this.problems.clear();
    const { outage } = this;
    if (!outage) return;
    outage.restoredAfterMs ??= Date.now() - outage.since;
    if (this.options.spool.batches > 0) return; // said once the backlog is through
    const seconds = (outage.restoredAfterMs / 1000).toFixed(1);
    this.options.log(`uploaded ${this.uploaded - outage.uploadedBefore} spooled results after ${seconds}s`);
    this.outage = null;
  }

  private waitAfter(failure: Failure): number {
    switch (failure.kind) {
      case 'retry':
        if (!this.outage) {
          this.outage = { since: Date.now(), uploadedBefore: this.uploaded, restoredAfterMs: null };
          this.options.log(`server unreachable: ${failure.message}; spooling`);
        }
        return this.backoff.next(failure.retryAfterMs);
      case 'refused':
        // Revocation is for good; the operator fixes it by restarting with a new token.
        this.options.refusals.say(refusedToken(failure));
        return failure.retryAfterMs ?? BACKOFF_MAX_MS;
      default:
        this.problems.say(`the server cannot take results: ${failure.message}; keeping the spool`);
        return failure.retryAfterMs ?? BACKOFF_MAX_MS;
    }
  }

  /** Waits, but not past the start of the final pass. */
  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.interrupt = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.interrupt = null;
  }
}
