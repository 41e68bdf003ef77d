/**
 * Integer ids in a typed array. Dense ids (a fleet's autoincrement ids with few gaps) sit in a table
 * by id − the smallest, each slot holding the id's place or −1, and are found in one step. Others
 * are sorted and found by binary search, ~17 steps at 100,000, whose last steps miss the cache once
 * the array outgrows it: at 100,000 ids a lookup took about 0.96 µs against 0.46 µs with the table
 * (scratch, with other memory touched between lookups as the monitor's thread does between
 * results; README, Benchmarks). Either way 4 to 5 bytes an id (8 for sparse ids beyond 32 bits),
 * where a Set or Map holds about 50 (its hash table and the slack it grows with), which matters at
 * 100,000 checks.
 */
export class SortedIds {
  /** Sorted, without repeats; empty when `places` holds them. */
  private readonly sorted: Int32Array | Float64Array;
  /** For dense ids: the place of id `first + i` at i, or −1. */
  private readonly places: Int32Array | null;
  private readonly first: number;
  private readonly count: number;

  /** `ids` in any order; repeats are kept once. */
  constructor(ids: Iterable<number> = []) {
    const unique = SortedIds.unique(Float64Array.from(ids).sort());
    this.count = unique.length;
    this.first = unique[0] ?? 0;
    const span = this.count ? unique[this.count - 1]! - this.first + 1 : 0;
    if (this.count && span <= this.count * DENSE_SPAN && unique.every(Number.isSafeInteger)) {
      const places = new Int32Array(span).fill(-1);
      for (let i = 0; i < unique.length; i++) places[unique[i]! - this.first] = i;
      this.places = places;
      this.sorted = new Int32Array(0);
    } else {
      this.places = null;
      this.sorted = unique.every((id) => id === (id | 0)) ? Int32Array.from(unique) : Float64Array.from(unique);
    }
  }

  /** Sorted ids without repeats, in place. */
  private static unique(sorted: Float64Array): Float64Array {
    let n = 0;
    for (let i = 0; i < sorted.length; i++) {
      const id = sorted[i]!;
      if (n > 0 && sorted[n - 1] === id) continue;
      sorted[n++] = id;
    }
    return sorted.subarray(0, n);
  }

  get size(): number {
    return this.count;
  }

  /** The id's place in ascending order, or -1. */
  indexOf(id: number): number {
    const places = this.places;
    // A fractional or out-of-range offset reads undefined.
    if (places) return places[id - this.first] ?? -1;
    const ids = this.sorted;
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

  *keys(): IterableIterator<number> {
    const places = this.places;
    if (!places) {
      yield* this.sorted;
      return;
    }
    for (let i = 0; i < places.length; i++) if (places[i]! >= 0) yield this.first + i;
  }
}

/** Ids spanning at most this many times their count are held in a table (at most 5 bytes an id). */
const DENSE_SPAN = 1.25;

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
