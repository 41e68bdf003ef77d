/**
 * Each check's due time of its newest delivered result, for the checks the threads run: their ids
 * sorted in one typed array and the times beside them in another (16 bytes a check, where a Map
 * takes about 50), found by binary search.
 */
export class DueLog {
  private ids = new Float64Array(0);
  private due = new Float64Array(0);

  /** The checks to track from now on; those already tracked keep their times. */
  track(ids: Iterable<number>): void {
    const sorted = Float64Array.from(new Set(ids)).sort();
    const due = new Float64Array(sorted.length).fill(NaN);
    for (let i = 0; i < sorted.length; i++) {
      const known = this.get(sorted[i]!);
      if (known !== undefined) due[i] = known;
    }
    this.ids = sorted;
    this.due = due;
  }

  /** Ignored for a check not tracked (dropped since its run started). */
  set(id: number, dueAt: number): void {
    const i = this.find(id);
    if (i >= 0) this.due[i] = dueAt;
  }

  get(id: number): number | undefined {
    const i = this.find(id);
    return i < 0 || Number.isNaN(this.due[i]!) ? undefined : this.due[i];
  }

  private find(id: number): number {
    const ids = this.ids;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = ids[mid]!;
      if (at === id) return mid;
      if (at < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
