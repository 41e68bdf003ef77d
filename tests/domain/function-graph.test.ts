import { describe, expect, it } from 'vitest';
import { findCycle } from '../../src/core/domain/function-graph.js';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

/** A returned cycle must start and end on the same node and follow real edges. */
function expectValidCycle(edges: Map<string, readonly string[]>, cycle: string[] | null, nodes: string[]) {
  expect(cycle).not.toBeNull();
  const c = cycle!;
  expect(c[0]).toBe(c[c.length - 1]);
  for (let i = 0; i + 1 < c.length; i++) expect(edges.get(c[i]!) ?? [], `${c[i]} → ${c[i + 1]}`).toContain(c[i + 1]);
  expect(new Set(c.slice(0, -1))).toEqual(new Set(nodes));
  expect(c.length - 1).toBe(nodes.length);
}

describe('findCycle', () => {
  it('finds nothing in an empty graph', () => {
    expect(findCycle(new Map())).toBeNull();
  });

  it('finds nothing in nodes without edges', () => {
    expect(findCycle(graph({ a: [], b: [] }))).toBeNull();
  });

  it('finds nothing in a chain', () => {
    expect(findCycle(graph({ a: ['b'], b: ['c'], c: [] }))).toBeNull();
  });

  it('does not mistake a diamond (shared dependency) for a cycle', () => {
    expect(findCycle(graph({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }))).toBeNull();
  });

  it('does not mistake a node reached twice from different roots for a cycle', () => {
    expect(findCycle(graph({ x: ['shared'], y: ['shared'], shared: ['leaf'] }))).toBeNull();
  });

  it('ignores edges to nodes that have no entry of their own', () => {
    expect(findCycle(graph({ a: ['ghost'], b: ['a'] }))).toBeNull();
  });

  it('finds a self-dependency as [a, a]', () => {
    expect(findCycle(graph({ a: ['a'] }))).toEqual(['a', 'a']);
  });

  it('finds a two-node cycle', () => {
    const edges = graph({ a: ['b'], b: ['a'] });
    expectValidCycle(edges, findCycle(edges), ['a', 'b']);
  });

  it('returns only the cycle, not the path that led to it', () => {
    const edges = graph({ start: ['a'], a: ['b'], b: ['c'], c: ['a'] });
    const cycle = findCycle(edges);
    expectValidCycle(edges, cycle, ['a', 'b', 'c']);
    expect(cycle).not.toContain('start');
  });

  it('finds a cycle that is not reachable from the first node', () => {
    const edges = graph({ x: ['y'], y: [], p: ['q'], q: ['r'], r: ['p'] });
    expectValidCycle(edges, findCycle(edges), ['p', 'q', 'r']);
  });

  it('finds a cycle reached through a branch explored after a dead end', () => {
    const edges = graph({ a: ['dead', 'b'], dead: [], b: ['c'], c: ['b'] });
    expectValidCycle(edges, findCycle(edges), ['b', 'c']);
  });

  it('does not report a cycle through a node finished earlier', () => {
    // d is finished (done) before a is explored; a → d is then not a cycle.
    expect(findCycle(graph({ d: ['e'], e: [], a: ['d'] }))).toBeNull();
  });

  it('works with numeric ids', () => {
    const edges = new Map<number, number[]>([
      [1, [2]],
      [2, [3]],
      [3, [1]],
    ]);
    const cycle = findCycle(edges);
    expect(cycle).not.toBeNull();
    expect(cycle![0]).toBe(cycle![cycle!.length - 1]);
    expect(new Set(cycle)).toEqual(new Set([1, 2, 3]));
  });

  it('handles a long acyclic chain and a long cycle', () => {
    const n = 2000;
    const chain = new Map<number, number[]>(Array.from({ length: n }, (_, i) => [i, i + 1 < n ? [i + 1] : []]));
    expect(findCycle(chain)).toBeNull();
    chain.set(n - 1, [0]);
    const cycle = findCycle(chain);
    expect(cycle).toHaveLength(n + 1);
  });
});
