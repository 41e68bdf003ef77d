// Marks shared by the watch floor's parts: a status word, and the drill tag.

export function Status(props: { status: string }) {
  return (
    <span class={`status s-${props.status}`} data-role="status">
      {props.status}
    </span>
  );
}

export function DrillTag(props: { runId: number | null }) {
  return props.runId === null ? null : (
    <span class="drill-tag" title={`Affected by drill run ${props.runId}: not a real outage`}>
      DRILL
    </span>
  );
}

/** A table's column headings; a heading given as `[label, 'num']` is right-aligned like its figures. */
export function ColumnHeads({ columns }: { columns: Array<string | [string, 'num']> }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (typeof c === 'string' ? <th scope="col">{c}</th> : <th scope="col" class={c[1]}>{c[0]}</th>))}
      </tr>
    </thead>
  );
}
