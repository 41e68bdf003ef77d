import { IdIndex } from '../../../core/monitor/id-index.js';

/**
 * Each check's due time of its newest delivered result, for the checks the threads run: each
 * check's slot found through an IdIndex, the times in one typed array (about 24 bytes a check,
 * where a Map takes about 50).
 */
export class DueLog {
  private slots = new IdIndex<number>();
  private due = new Float64Array(0);

  /** The checks to track from now on; those already tracked keep their times. */
  track(ids: Iterable<number>): void {
    const slots = new IdIndex<number>([...new Set(ids)].map((id, slot) => [id, slot] as const));
    const due = new Float64Array(slots.size).fill(NaN);
    for (const id of slots.keys()) {
      const known = this.get(id);
      if (known !== undefined) due[slots.get(id)!] = known;
    }
    this.slots = slots;
    this.due = due;
  }

  /** Ignored for a check not tracked (dropped since its run started). */
  set(id: number, dueAt: number): void {
    const slot = this.slots.get(id);
    if (slot !== undefined) this.due[slot] = dueAt;
  }

  get(id: number): number | undefined {
    const slot = this.slots.get(id);
    const due = slot === undefined ? NaN : this.due[slot]!;
    return Number.isNaN(due) ? undefined : due;
  }
}
