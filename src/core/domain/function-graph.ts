/**
 * Mission functions may depend on other functions. The graph must stay acyclic: a function
 * that (through others) depends on itself could never be judged operational.
 *
 * Returns one cycle as a list of nodes (first node repeated at the end), or null.
 */
export function findCycle<N>(edges: ReadonlyMap<N, readonly N[]>): N[] | null {
  const state = new Map<N, 'visiting' | 'done'>();
  const stack: N[] = [];

  const visit = (node: N): N[] | null => {
    const seen = state.get(node);
    if (seen === 'done') return null;
    if (seen === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };

  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Every node reachable from `start` (the start nodes included) following `next`: the one
 * closure over the function graph (functions an asset's failure reaches, assets a function
 * rests on through nested functions). Cycles are harmless.
 */
export function reachable<N>(start: Iterable<N>, next: (node: N) => Iterable<N> | undefined): Set<N> {
  const seen = new Set<N>();
  const stack = [...start];
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const n of next(node) ?? []) if (!seen.has(n)) stack.push(n);
  }
  return seen;
}
