import { describe, expect, it } from 'vitest';
import { advanceCheckState, applyObservation, initialCheckState } from '../../src/core/monitor/check-state.js';
import { IdIndex, SortedIds } from '../../src/core/monitor/id-index.js';

describe('IdIndex', () => {
  it('finds every id given, in any order, and nothing else; iterates by ascending id', () => {
    const ids = [7, 3, 1_000_000, 42, 1, 2 ** 40];
    const index = new IdIndex(ids.map((id) => [id, `v${id}`] as const));
    for (const id of ids) expect(index.get(id)).toBe(`v${id}`);
    for (const id of [0, 2, 8, 41, 43, 999_999, -1, 2 ** 40 + 1]) expect(index.get(id)).toBeUndefined();
    expect([...index.keys()]).toEqual([...ids].sort((a, b) => a - b));
    expect([...index.values()]).toEqual([...ids].sort((a, b) => a - b).map((id) => `v${id}`));
    expect(index.size).toBe(ids.length);
  });

  it('finds ids on both sides of the 32-bit boundary, whichever array holds them', () => {
    for (const ids of [[2 ** 31 - 1, -(2 ** 31), 5, 0], [2 ** 31, 5, -(2 ** 31) - 1, 0]]) {
      const index = new IdIndex(ids.map((id) => [id, id] as const));
      for (const id of ids) expect(index.get(id)).toBe(id);
      expect(index.get(6)).toBeUndefined();
      expect(index.get(2 ** 32 + 5)).toBeUndefined(); // not 5 cut to 32 bits
      expect([...index.keys()]).toEqual([...ids].sort((a, b) => a - b));
    }
    const set = new SortedIds([9, 3, 9, 1]);
    expect([set.size, set.indexOf(1), set.indexOf(3), set.indexOf(9), set.indexOf(4)]).toEqual([3, 0, 1, 2, -1]);
  });

  it('finds dense ids (a fleet with few gaps), and nothing in their gaps, beside them or at fractions', () => {
    for (const first of [1, 2 ** 40, -50]) {
      const ids = Array.from({ length: 100 }, (_, i) => first + i).filter((id) => (id - first) % 7 !== 3);
      const index = new IdIndex([...ids].reverse().map((id) => [id, `v${id}`] as const));
      for (const id of ids) expect(index.get(id)).toBe(`v${id}`);
      const absent = [first - 1, first + 3, first + 10, first + 100, first + 0.5, first + 98.5, NaN, Infinity, -Infinity];
      for (const id of absent) expect(index.get(id)).toBeUndefined();
      expect([...index.keys()]).toEqual(ids);
      expect([...index.values()]).toEqual(ids.map((id) => `v${id}`));
      expect(index.size).toBe(ids.length);
      const set = new SortedIds(ids);
      expect(ids.every((id, place) => set.indexOf(id) === place)).toBe(true);
    }
  });

  it('keeps the last value of a repeated id; an empty index finds nothing', () => {
    const index = new IdIndex([[1, 'a'], [2, 'b'], [1, 'c']] as const);
    expect(index.get(1)).toBe('c');
    expect(index.size).toBe(2);
    expect(new IdIndex<string>().get(1)).toBeUndefined();
  });
});

describe('applyObservation (in place) and advanceCheckState agree', () => {
  it('on every sequence of three observations from every starting status', () => {
    const statuses = ['up', 'degraded', 'down'] as const;
    const thresholds = { failureThreshold: 2, successThreshold: 2 };
    for (const a of statuses) for (const b of statuses) for (const c of statuses) {
      let pure = initialCheckState(0);
      const mutable = initialCheckState(0);
      [a, b, c, c].forEach((status, i) => {
        const observed = { status, message: status === 'up' ? null : `${status} ${i}`, at: (i + 1) * 1000 };
        const result = advanceCheckState(pure, observed, thresholds);
        pure = result.state;
        expect(applyObservation(mutable, observed, thresholds)).toBe(result.changed);
        expect(mutable).toEqual(pure);
      });
    }
  });
});
