import { markingLabel, type Marking } from '../../core/domain/marking.js';

/** A record's sharing marking as every page shows it: `TLP:AMBER REL TO JPN, USA`, or NOT RELEASABLE. */
export function MarkingBadge({ marking }: { marking: Marking | null | undefined }) {
  return (
    <span class="marking" data-role="marking" data-tlp={marking?.tlp ?? 'none'} title="Sharing marking (TLP 2.0, releasable to)">
      {markingLabel(marking)}
    </span>
  );
}
