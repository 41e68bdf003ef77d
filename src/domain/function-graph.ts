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
