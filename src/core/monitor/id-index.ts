/**
 * Integer ids, sorted once into a typed array and found by binary search: 4 bytes an id (8 if any
 * id is beyond 32 bits) where a Set or Map holds about 50 (its hash table and the slack it grows
 * with), which matters at 100,000 checks. A lookup is O(log n), ~17 steps at that size.
 */
export class SortedIds {
  private readonly ids: Int32Array | Float64Array;

  /** `ids` in any order; repeats are kept once. */
  constructor(ids: Iterable<number> = []) {
    this.ids = SortedIds.compact(Float64Array.from(ids).sort());
  }

  /** Sorted, without repeats, in the smallest array that holds them. */
  protected static compact(sorted: Float64Array): Int32Array | Float64Array {
    let n = 0;
    let fitsInt32 = true;
    for (let i = 0; i < sorted.length; i++) {
      const id = sorted[i]!;
      if (n > 0 && sorted[n - 1] === id) continue;
      sorted[n++] = id;
      if (id !== (id | 0)) fitsInt32 = false;
    }
    const unique = sorted.subarray(0, n);
    return fitsInt32 ? Int32Array.from(unique) : Float64Array.from(unique);
  }

  get size(): number {
    return this.ids.length;
  }

  /** The id's place in ascending order, or -1. */
  indexOf(id: number): number {
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

  has(id: number): boolean {
    return this.indexOf(id) >= 0;
  }

  keys(): IterableIterator<number> {
    return this.ids.values();
  }
}

/** A read-only map from integer ids to values, built once: SortedIds and the values beside them. Iterates in ascending id order. */
export class IdIndex<V> extends SortedIds {
  private readonly items: V[];

  /** `entries` in any order; a repeated id keeps the last value given for it. */
  constructor(entries: Iterable<readonly [number, V]> = []) {
    const list = [...entries];
    super(list.map((entry) => entry[0]));
    const items = new Array<V>(this.size);
    for (const [id, value] of list) items[this.indexOf(id)] = value;
    this.items = items;
  }

  get(id: number): V | undefined {
    const at = this.indexOf(id);
    return at < 0 ? undefined : this.items[at];
  }

  values(): IterableIterator<V> {
    return this.items.values();
  }
}
