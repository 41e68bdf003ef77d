import { ASSET_KINDS, type AssetKind } from '../../../core/domain/enums.js';
import type { WatchAsset } from '../../../core/services/read-models/watch-floor.js';
import type { CheckNote } from '../../../core/services/read-models/watch-vantages.js';
import { DrillTag, Status } from './status.js';

const KIND_LABELS: Record<AssetKind, string> = {
  ground_station: 'Ground stations',
  mission_ops_center: 'Mission operations centres',
  cloud_region: 'Cloud regions',
  network_link: 'Network links',
  service: 'Services',
  datacenter: 'Data centres',
  power_feed: 'Power feeds',
};

/** The assets by kind, each kind a table with one body per region. */
export function AssetTables({ assets }: { assets: WatchAsset[] }) {
  const kinds = ASSET_KINDS.filter((k) => assets.some((a) => a.kind === k));
  return (
    <div class="asset-groups">
      {kinds.map((kind) => {
        const ofKind = assets.filter((a) => a.kind === kind);
        const regions = [...new Set(ofKind.map((a) => a.region ?? ''))].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
        const headingId = `kind-${kind}`;
        return (
          <section class="asset-kind" aria-labelledby={headingId}>
            <h3 id={headingId}>
              {KIND_LABELS[kind]} <span class="muted">({ofKind.length})</span>
            </h3>
            <table class="assets">
              <thead>
                <tr>
                  <th scope="col">Asset</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">Latency</th>
                </tr>
              </thead>
              {regions.map((region) => (
                <tbody>
                  <tr class="region-row">
                    <th scope="colgroup" colspan={3}>
                      {region || 'No region'}
                    </th>
                  </tr>
                  {ofKind
                    .filter((a) => (a.region ?? '') === region)
                    .sort((a, b) => a.name.localeCompare(b.name))
                    .flatMap((a) => [
                      <tr class={`asset-row st-${a.status}`} data-subject="asset" data-key={a.key} data-status={a.status}>
                        <td>
                          <DrillTag runId={a.drillRunId} />
                          {a.drillRunId !== null ? ' ' : ''}
                          {a.warnings.length ? (
                            <span class="warn" title={a.warnings.join('; ')}>
                              ⚠{' '}
                            </span>
                          ) : null}
                          <a class="asset-name" title={a.name} href={`/asset/${encodeURIComponent(a.key)}`}>
                            {a.name}
                          </a>
                        </td>
                        <td title={a.reason ?? undefined}>
                          <Status status={a.status} />
                        </td>
                        <td class="num" data-role="latency">
                          {a.latencyMs === null || a.status === 'down' ? '—' : `${Math.round(a.latencyMs)} ms`}
                        </td>
                      </tr>,
                      ...a.checkNotes.map((note) => <CheckNoteRow assetKey={a.key} note={note} />),
                    ])}
                </tbody>
              ))}
            </table>
          </section>
        );
      })}
    </div>
  );
}

/** Beneath its asset: a check whose vantages disagree, or are too few to say, and what each sees. */
function CheckNoteRow({ assetKey, note }: { assetKey: string; note: CheckNote }) {
  return (
    <tr class={`check-note st-${note.status}`} data-subject="check" data-key={note.checkKey} data-for-asset={assetKey} data-status={note.status}>
      <td colspan={3}>
        <span class="muted">{note.checkKey}:</span> <Status status={note.status} /> {note.message ?? ''}
      </td>
    </tr>
  );
}
