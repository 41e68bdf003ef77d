// The agent's disk buffer: one file per sealed batch, named so that names sort in the order the
// batches were sealed, across restarts too. A file appears whole or not at all (written beside
// its final name, flushed, then renamed), so a crash leaves at most a `.tmp` file, removed on open.
import fs from 'node:fs/promises';
import path from 'node:path';

/** `<sequence, 12 digits>-<result count>.batch.json`: order and size readable without opening it. */
const BATCH_FILE = /^(\d{12})-(\d+)\.batch\.json(\.rejected)?$/;
const TMP_SUFFIX = '.tmp';
const REJECTED_SUFFIX = '.rejected';

export interface SpoolEntry {
  readonly file: string;
  readonly seq: number;
  readonly results: number;
}

export interface SpoolOptions {
  dir: string;
  /** Results kept at most; past it the oldest batches are deleted. */
  maxResults: number;
  /** Told how many results were deleted to keep the bound. */
  onDrop?: (results: number) => void;
}

export class Spool {
  /** Oldest first. */
  private entries: SpoolEntry[] = [];
  private total = 0;
  private nextSeq = 0;
  /** The batch being uploaded: never dropped to make room (it may already have arrived). */
  private claimed: SpoolEntry | null = null;
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: SpoolOptions) {}

  /** Opens (creating) the directory and picks up the batches an earlier run left there. */
  static async open(options: SpoolOptions): Promise<Spool> {
    const spool = new Spool(options);
    await fs.mkdir(options.dir, { recursive: true });
    const names = (await fs.readdir(options.dir)).sort();
    for (const name of names) {
      if (name.endsWith(TMP_SUFFIX)) {
        await fs.rm(path.join(options.dir, name), { force: true }); // a write a crash cut short
        continue;
      }
      const match = BATCH_FILE.exec(name);
      if (!match) continue;
      const entry = { file: name, seq: Number(match[1]), results: Number(match[2]) };
      spool.nextSeq = Math.max(spool.nextSeq, entry.seq + 1); // set-aside batches keep their numbers too
      if (match[3]) continue;
      spool.entries.push(entry);
      spool.total += entry.results;
    }
    await spool.trim();
    return spool;
  }

  /** Results on disk. */
  get results(): number {
    return this.total;
  }

  get batches(): number {
    return this.entries.length;
  }

  oldest(): SpoolEntry | undefined {
    return this.entries[0];
  }

  /** Writes one sealed batch; appends keep their call order. Resolves once it is on disk. */
  append(text: string, results: number): Promise<SpoolEntry> {
    const seq = this.nextSeq++;
    const entry: SpoolEntry = { file: `${String(seq).padStart(12, '0')}-${results}.batch.json`, seq, results };
    const written = this.writing.then(async () => {
      await writeDurably(path.join(this.options.dir, entry.file), text);
      this.entries.push(entry);
      this.total += results;
      await this.trim();
      return entry;
    });
    this.writing = written.catch(() => undefined);
    return written;
  }

  read(entry: SpoolEntry): Promise<string> {
    return fs.readFile(path.join(this.options.dir, entry.file), 'utf8');
  }

  /** Marks the batch as being uploaded (or nothing, with null). */
  claim(entry: SpoolEntry | null): void {
    this.claimed = entry;
  }

  /** Forgets a delivered batch. */
  async remove(entry: SpoolEntry): Promise<void> {
    if (!this.forget(entry)) return;
    await fs.rm(path.join(this.options.dir, entry.file), { force: true });
  }

  /** Keeps a batch the server will never take out of the queue, under a name nothing picks up. */
  async setAside(entry: SpoolEntry): Promise<string> {
    const kept = entry.file + REJECTED_SUFFIX;
    if (this.forget(entry)) await fs.rename(path.join(this.options.dir, entry.file), path.join(this.options.dir, kept));
    return kept;
  }

  private forget(entry: SpoolEntry): boolean {
    const index = this.entries.indexOf(entry);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    this.total -= entry.results;
    if (this.claimed === entry) this.claimed = null;
    return true;
  }

  /** Deletes the oldest batches (not the one in flight) until the results fit the bound. */
  private async trim(): Promise<void> {
    let dropped = 0;
    const doomed: SpoolEntry[] = [];
    // The newest batch stays: batches are sealed no larger than the bound.
    for (let i = 0; this.total > this.options.maxResults && i < this.entries.length - 1; ) {
      const entry = this.entries[i]!;
      if (entry === this.claimed) {
        i++;
        continue;
      }
      this.entries.splice(i, 1);
      this.total -= entry.results;
      dropped += entry.results;
      doomed.push(entry);
    }
    await Promise.all(doomed.map((entry) => fs.rm(path.join(this.options.dir, entry.file), { force: true })));
    if (dropped > 0) this.options.onDrop?.(dropped);
  }
}

/**
 * Write beside, flush, rename, flush the directory: after a crash the file is whole or absent.
 * `mode`: the file's permissions (0o600 for one holding credentials).
 */
export async function writeDurably(file: string, text: string, mode = 0o644): Promise<void> {
  const tmp = file + TMP_SUFFIX;
  const handle = await fs.open(tmp, 'w', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  const dir = await fs.open(path.dirname(file), 'r').catch(() => null); // not every platform opens directories
  if (dir) await dir.sync().catch(() => undefined).finally(() => dir.close());
}
